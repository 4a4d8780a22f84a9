"""规则与阈值 (/projects/rules/, issue 16): the thresholds of rules.RULE_DEFAULTS for an area — the value the
page shows is the one the alerts and the disclosures use (one reader, thresholds_pub16); edits validated,
atomic, audited old → new; a county office sets only its own county, a 系统管理员 any area or 全国."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import alerts, services_rules
from fupin.projects import services_disclosures as disclosures
from fupin.projects.models import DisclosureKind, ProjectRule
from fupin.projects.rules import RULE_DEFAULTS, RULE_LABELS, Stage
from fupin.projects.thresholds_pub16 import standing, threshold
from tests import factories

from . import pub16_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def admin(tree):
    return factories.user("sysadmin", Role.ADMIN, None)


@pytest.fixture
def far(tree):
    return factories.area("530325000000", "富源县")


def _value_on_page(response, key: str) -> int:
    row = next(r for r in response.context["rows"] if r["key"] == key)
    return row["value"]


def test_the_page_lists_every_rule_with_meaning_unit_default_and_value_in_force(county_user, tree):
    ProjectRule.objects.create(area=None, key="subsidy_days", value=45)
    response = signed_in(county_user).get(reverse("projects:rules"))
    assert response.status_code == 200
    rows = {r["key"]: r for r in response.context["rows"]}
    assert list(rows) == list(RULE_DEFAULTS)
    assert rows["subsidy_days"]["value"] == 45 and rows["subsidy_days"]["default"] == 30
    assert rows["subsidy_days"]["origin"] == "全国设置" and rows["stuck_days"]["origin"] == "系统默认值"
    html = response.content.decode()
    for key, label in RULE_LABELS.items():
        assert str(label) in html and f'id="rule-{key}"' in html
    assert "天" in html and "规则与阈值" in html and 'aria-current="page">规则与阈值' in html


def test_the_value_on_the_page_is_the_one_alerts_and_disclosures_use(county_user, tree):
    data = w.build(tree)
    late = w.project(tree["village_a2"], "XM-R-01", stage=Stage.IMPLEMENTING, lead=data["lead"],
                     ends_on=D(2025, 11, 20))
    c = signed_in(county_user)
    today = D(2025, 12, 1)
    found = alerts.report(user=county_user, area=tree["county"], today=today, keys=("behind_schedule",))
    assert any(i.subject.startswith("XM-R-01") for i in found["behind_schedule"])

    assert c.post(reverse("projects:rule_set", args=["behind_days"]),
                  {"area": tree["county"].code, "value": "20"}).status_code == 302
    assert c.post(reverse("projects:rule_set", args=["notice_days"]),
                  {"area": tree["county"].code, "value": "15"}).status_code == 302
    page = c.get(reverse("projects:rules"))
    assert _value_on_page(page, "behind_days") == 20 == threshold("behind_days", tree["village_a2"])
    assert _value_on_page(page, "notice_days") == 15 == threshold("notice_days", tree["county"])
    found = alerts.report(user=county_user, area=tree["county"], today=today, keys=("behind_schedule",))
    assert not any(i.subject.startswith("XM-R-01") for i in found["behind_schedule"])  # 11 days late < 20
    found = alerts.report(user=county_user, area=tree["county"], today=D(2025, 12, 20), keys=("behind_schedule",))
    item = next(i for i in found["behind_schedule"] if i.subject.startswith("XM-R-01"))
    assert item.deadline == late.ends_on + datetime.timedelta(days=20)
    # The disclosures read the same value: a 12-day notice on the county's board is short of 15.
    with pytest.raises(ValidationError) as err:
        disclosures.publish(actor=county_user, kind=DisclosureKind.ALLOCATION, area=tree["county"], place="县政府网站",
                            starts_on=D(2025, 12, 1), ends_on=D(2025, 12, 12), hotline="12317", project=late)
    assert "不足规定的 15 天" in str(err.value.message_dict["ends_on"])


def test_a_county_value_is_saved_audited_old_to_new_and_shown_with_who_and_when(county_user, tree):
    c = signed_in(county_user)
    response = c.post(reverse("projects:rule_set", args=["stuck_days"]), {"area": tree["county"].code, "value": "120"})
    assert response.status_code == 302 and response.url.endswith("#rule-stuck_days")
    row = ProjectRule.objects.get(key="stuck_days", area=tree["county"])
    assert row.value == 120 and row.changed_by == county_user and row.changed_at is not None
    event = AuditEvent.objects.get(entity="projects.projectrule", kind=AuditKind.UPDATE)
    assert event.actor == county_user and event.area_path == tree["county"].path
    assert event.data["changes"]["value"] == {"before": 90, "after": 120}
    assert "90 → 120" in event.summary and "资金滞留天数" in event.summary
    c.post(reverse("projects:rule_set", args=["stuck_days"]), {"area": tree["county"].code, "value": "100"})
    assert AuditEvent.objects.filter(entity="projects.projectrule").count() == 2
    page = c.get(reverse("projects:rules"))
    html = page.content.decode()
    assert "120 → 100" in html and "90 → 120" in html  # the history
    stuck = next(r for r in page.context["rows"] if r["key"] == "stuck_days")
    assert stuck["value"] == 100 and stuck["origin"] == "本级设置" and stuck["source"].changed_by == county_user


def test_clearing_returns_to_the_level_above_and_is_audited(admin, county_user, tree):
    services_rules.rule_set(actor=admin, key="acceptance_days", area=None, value=40)
    services_rules.rule_set(actor=county_user, key="acceptance_days", area=tree["county"], value=60)
    response = signed_in(county_user).post(reverse("projects:rule_set", args=["acceptance_days"]),
                                           {"area": tree["county"].code, "clear": "1"})
    assert response.status_code == 302
    assert threshold("acceptance_days", tree["village_a1"]) == 40
    event = AuditEvent.objects.filter(entity="projects.projectrule", kind=AuditKind.DELETE).get()
    assert "60 → 40" in event.summary and event.actor == county_user


@pytest.mark.parametrize(("key", "value", "text"), [
    ("notice_days", "7", "“公示最少天数”须在 10 至 90 天之间，7 不在此范围"),
    ("stuck_days", "abc", "“资金滞留天数”须为整数（1 至 730 天），“abc”不是"),
    ("subsidy_days", "12.5", "“补助发放期限（天）”须为整数"),
    ("disclose_days", "", "“资金分配公开期限（天）”须为整数"),
    ("acceptance_days", "-3", "“验收滞后天数”须在 1 至 365 天之间"),
])
def test_a_bad_value_is_refused_naming_the_field_and_nothing_changes(county_user, tree, key, value, text):
    response = signed_in(county_user).post(reverse("projects:rule_set", args=[key]),
                                           {"area": tree["county"].code, "value": value})
    assert response.status_code == 400
    assert text in response.content.decode()
    row = next(r for r in response.context["rows"] if r["key"] == key)
    assert row["error"] and row["typed"] == value
    assert not ProjectRule.objects.exists() and not AuditEvent.objects.filter(entity="projects.projectrule").exists()


def test_a_county_office_sets_only_its_own_county(county_user, tree, far):
    c = signed_in(county_user)
    for code in (far.code, tree["township_a"].code, tree["city"].code):
        assert c.get(reverse("projects:rules"), {"area": code}).status_code == 404
        assert c.post(reverse("projects:rule_set", args=["stuck_days"]), {"area": code, "value": "100"}).status_code == 404
    assert c.post(reverse("projects:rule_set", args=["stuck_days"]), {"area": "", "value": "100"}).status_code == 404
    with pytest.raises(ValidationError) as err:
        services_rules.rule_set(actor=county_user, key="stuck_days", area=tree["township_a"], value=100)
    assert "只能修改本县" in err.value.message_dict["area"][0]
    with pytest.raises(ValidationError) as err:
        services_rules.rule_set(actor=county_user, key="stuck_days", area=None, value=100)
    assert "全国" in err.value.message_dict["area"][0]
    assert not ProjectRule.objects.exists()
    page = c.get(reverse("projects:rules"))
    assert [a.pk for a in page.context["areas"]] == [tree["county"].pk] and not page.context["may_everywhere"]


def test_the_admin_chooses_the_area_or_everywhere(admin, tree, far):
    c = signed_in(admin)
    page = c.get(reverse("projects:rules"))
    assert page.context["area"] is None and page.context["may_everywhere"]
    assert far.pk in [a.pk for a in page.context["areas"]]
    assert c.post(reverse("projects:rule_set", args=["disclose_days"]), {"area": "", "value": "20"}).status_code == 302
    assert c.post(reverse("projects:rule_set", args=["disclose_days"]),
                  {"area": tree["township_b"].code, "value": "25"}).status_code == 302
    assert threshold("disclose_days", tree["village_b1"]) == 25 and threshold("disclose_days", tree["village_a1"]) == 20
    page = c.get(reverse("projects:rules"), {"area": tree["township_b"].code})
    row = next(r for r in page.context["rows"] if r["key"] == "disclose_days")
    assert (row["value"], row["everywhere"], row["origin"]) == (25, 20, "本级设置")
    page = c.get(reverse("projects:rules"), {"area": tree["village_b1"].code})
    assert page.status_code == 200
    assert next(s for s in standing(tree["village_b1"]) if s.key == "disclose_days").value == 25


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.VILLAGE, Role.LEADER, Role.AUDITOR, Role.DEPARTMENT])
def test_roles_without_the_capability_get_403_and_no_menu_entry(tree, role):
    user = factories.user(f"u_{role}", role, tree["county"] if role not in (Role.TOWNSHIP, Role.VILLAGE)
                          else tree["township_a"] if role == Role.TOWNSHIP else tree["village_a1"])
    c = signed_in(user)
    assert c.get(reverse("projects:rules")).status_code == 403
    assert c.post(reverse("projects:rule_set", args=["stuck_days"]),
                  {"area": tree["county"].code, "value": "100"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services_rules.rule_set(actor=user, key="stuck_days", area=tree["county"], value=100)
    assert not ProjectRule.objects.exists()


def test_the_sub_navigation_offers_the_page_only_with_the_capability(county_user, tree):
    township = factories.user("tw", Role.TOWNSHIP, tree["township_a"])
    assert reverse("projects:rules") in signed_in(county_user).get(reverse("projects:list")).content.decode()
    assert reverse("projects:rules") not in signed_in(township).get(reverse("projects:list")).content.decode()
