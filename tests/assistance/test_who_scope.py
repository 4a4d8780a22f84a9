"""Scope of "who helps": a township officer manages the units, cadres and teams of their subtree and reads
the county's (to pair them), never another county's (404); thresholds are the county offices'; every
change is audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.assistance import rules
from fupin.assistance import services_people as svc
from fupin.assistance.models import AssistanceRule, PostRole, RuleKey
from fupin.audit.models import AuditEvent
from tests import factories

from .who_world import START, cadre, unit

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def far(tree):
    county = factories.area("530325000000", "富源县")
    factories.area("530325100000", "丙乡")
    return county


def test_a_township_officer_manages_their_subtree_and_reads_the_countys(tree, township_a_user):
    own = cadre(tree["township_a"], "甲乡干部")
    county_cadre = cadre(tree["county"], "县局干部", unit_obj=unit(tree["county"]))
    other = cadre(tree["township_b"], "乙乡干部")
    svc.cadre_save(actor=township_a_user, cadre=own, data={"post": "扶贫专干"})
    with pytest.raises(ValidationError) as info:
        svc.cadre_save(actor=township_a_user, cadre=county_cadre, data={"post": "局长"})
    assert "area" in info.value.message_dict
    web = login(township_a_user)
    assert web.get(reverse("assistance:cadre", args=[county_cadre.pk])).status_code == 200
    assert web.get(reverse("assistance:cadre", args=[other.pk])).status_code == 404
    page = web.get(reverse("assistance:cadres")).content.decode()
    assert "甲乡干部" in page and "县局干部" in page and "乙乡干部" not in page


def test_an_outsider_gets_404_on_every_row(tree, far):
    outsider = factories.user("far_county", Role.COUNTY, far)
    u = unit(tree["county"])
    c = cadre(tree["county"], "县局干部", unit_obj=u)
    team = svc.team_create(actor=None, village=tree["village_a1"], unit=u, start=START)
    web = login(outsider)
    for name, pk in (("cadre", c.pk), ("unit", u.pk), ("team", team.pk), ("cadre_edit", c.pk), ("presence", team.pk)):
        assert web.get(reverse(f"assistance:{name}", args=[pk])).status_code == 404, name


def test_a_cadre_links_only_an_active_pairing_account_of_the_scope(tree, county_user, far):
    account = factories.user("cadre_zhao", Role.CADRE, tree["village_a1"], display_name="赵帮扶")
    faraway = factories.user("cadre_far", Role.CADRE, far)
    officer = factories.user("officer_x", Role.VILLAGE, tree["village_a1"])
    made = svc.cadre_save(actor=county_user, data={"name": "赵帮扶", "area": tree["county"], "user": account})
    assert made.user == account
    for bad in (faraway, officer):
        with pytest.raises(ValidationError) as info:
            svc.cadre_save(actor=county_user, data={"name": "某人", "area": tree["county"], "user": bad})
        assert "user" in info.value.message_dict
    with pytest.raises(ValidationError):  # one cadre per account
        svc.cadre_save(actor=county_user, data={"name": "重复", "area": tree["county"], "user": account})


def test_thresholds_are_set_by_the_county_for_its_subtree_and_audited(tree, county_user, township_a_user):
    with pytest.raises(PermissionDenied):
        svc.rule_set(actor=township_a_user, key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=tree["township_a"], value=5)
    before = AuditEvent.objects.count()
    svc.rule_set(actor=county_user, key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=tree["county"], value=8, note="县办通知")
    assert rules.threshold(RuleKey.CADRE_MAX_HOUSEHOLDS, tree["village_a1"]) == 8
    svc.rule_set(actor=county_user, key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=tree["county"], value=6)
    assert AssistanceRule.objects.get(key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=tree["county"]).value == 6
    assert AuditEvent.objects.count() - before == 2
    with pytest.raises(ValidationError):  # not above their own area
        svc.rule_set(actor=county_user, key=RuleKey.CADRE_MAX_HOUSEHOLDS, area=None, value=3)
    assert login(township_a_user).post(reverse("assistance:rule_edit", args=["team_min_days"]),
                                       {"value": "10"}).status_code == 403


def test_presence_days_are_entered_per_month_and_flagged_below_the_threshold(tree, village_user):
    team = svc.team_create(actor=None, village=tree["village_a1"], unit=None, start=START)
    secretary = svc.posting_create(actor=None, team=team, cadre=cadre(tree["county"], "周书记"),
                                   role=PostRole.SECRETARY, full_time=True, start=START)
    web = login(village_user)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    url = reverse("assistance:presence", args=[team.pk]) + f"?month={last_month:%Y-%m}"
    assert web.post(url, {f"p{secretary.pk}": "32"}).status_code == 200  # refused: > 31
    assert web.post(url, {f"p{secretary.pk}": "17"}).status_code == 302
    page = web.get(reverse("assistance:team", args=[team.pk])).content.decode()
    assert '<td class="low">17</td>' in page  # the team's 12-month grid marks it
    with pytest.raises(ValidationError):  # before the posting: refused, named
        svc.presence_save(actor=None, team=team, month=datetime.date(2015, 1, 1), days={secretary.pk: 20})


def test_the_bulk_form_saves_nothing_when_one_household_is_refused(tree, county_user):
    from fupin.assistance.models import Pairing
    from fupin.registry.choices import Status

    helper = cadre(tree["county"], "王帮扶")
    homes = [factories.household(tree["village_a1"], status=Status.POOR) for _ in range(2)]
    svc.pairings_bulk_create(actor=None, cadre=helper, village=tree["village_a1"], households=homes[1:], start=START)
    web = login(county_user)
    response = web.post(reverse("assistance:pairings") + f"?village={tree['village_a1'].code}",
                        {"village": tree["village_a1"].code, "cadre": helper.pk,
                         "households": [h.pk for h in homes], "start": "2024-06-01"})
    assert response.status_code == 200 and homes[1].number in response.content.decode()
    assert Pairing.objects.filter(cadre=helper).count() == 1
