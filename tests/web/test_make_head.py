"""更换户主 through the web page, and cancelled households being closed to edits."""

import datetime

from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry import services
from fupin.registry.choices import Relation, Status
from fupin.registry.models import Member

from .. import factories


def test_a_member_becomes_head_and_the_old_head_takes_the_chosen_relation(client, tree, county_user):
    h = factories.household(tree["village_a1"], actor=county_user)
    wife = h.members.get(relation=Relation.SPOUSE)
    old = h.members.get(relation=Relation.HEAD)
    client.force_login(county_user)
    page = client.get(reverse("member_make_head", args=[wife.pk]))
    assert page.status_code == 200
    assert "原户主改为" in page.content.decode()
    response = client.post(reverse("member_make_head", args=[wife.pk]), {"old_head_relation": Relation.SPOUSE})
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.head_name == wife.name
    assert Member.objects.get(pk=old.pk).relation == Relation.SPOUSE
    assert AuditEvent.objects.filter(entity="registry.member", entity_id=str(wife.pk), kind="update").exists()


def test_an_old_head_given_a_relation_of_the_other_sex_is_kept_as_a_data_quality_finding(
        client, tree, county_user, django_capture_on_commit_callbacks):
    from fupin.quality.models import Finding

    h = factories.household(tree["village_a1"], actor=county_user)
    wife = h.members.get(relation=Relation.SPOUSE)
    old = h.members.get(relation=Relation.HEAD)
    client.force_login(county_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("member_make_head", args=[wife.pk]), {"old_head_relation": Relation.MOTHER})
    assert response.status_code == 302  # REFERENCE §6.10: a 疑点 to verify, not invalid data
    assert Member.objects.get(pk=wife.pk).relation == Relation.HEAD
    assert Member.objects.get(pk=old.pk).relation == Relation.MOTHER
    assert Finding.objects.filter(member=old, resolved_at__isnull=True).exists()


def test_an_outsider_cannot_open_the_make_head_page(client, tree, county_user, township_b_user):
    h = factories.household(tree["village_a1"], actor=county_user)
    wife = h.members.get(relation=Relation.SPOUSE)
    client.force_login(township_b_user)
    assert client.get(reverse("member_make_head", args=[wife.pk])).status_code == 404


def test_a_cancelled_household_refuses_edits_with_a_chinese_message(client, tree, county_user):
    h = factories.household(tree["village_a1"], actor=county_user)
    services.household_change_status(actor=county_user, household=h, to_status=Status.CANCELLED,
                                     reason="全户迁出", cancel_reason="moved_away", date=datetime.date(2020, 1, 1))
    member = h.members.get(relation=Relation.SPOUSE)
    client.force_login(county_user)
    response = client.post(reverse("member_remove", args=[member.pk]), {"reason": "death", "date": "2020-02-01"})
    assert response.status_code == 200
    assert "已注销" in response.content.decode()
    assert Member.objects.get(pk=member.pk).active
