"""审计日志 and the household's 修改记录 tab: read-only, scoped to the reader's subtree."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.audit import selectors
from fupin.audit.models import AuditEvent, AuditKind
from fupin.audit.services import record
from fupin.registry import services
from tests import factories

from .conftest import login


@pytest.fixture
def auditor_client(tree):
    return login(factories.user("auditor", Role.AUDITOR, tree["county"]))


@pytest.fixture
def auditor_b(tree):
    """An auditor whose area is township B only."""
    return factories.user("auditor_b", Role.AUDITOR, tree["township_b"])


def test_the_county_sees_the_events_of_its_subtree(county_client, registry):
    text = county_client.get(reverse("audit_list")).content.decode()
    for h in registry.values():
        assert h.number in text


def test_an_auditor_of_township_b_does_not_see_township_a(auditor_b, registry):
    text = login(auditor_b).get(reverse("audit_list")).content.decode()
    assert registry["b1"].number in text
    assert registry["a1"].number not in text and registry["a2"].number not in text
    assert not selectors.audit_list(user=auditor_b).filter(area_path__startswith=registry["a1"].area_path[:9]) \
        .exists()


def test_events_with_no_area_are_for_global_admins_only(county_user, registry):
    record(kind=AuditKind.UPDATE, actor=None, entity="registry.povertyline", entity_id="1", summary="标准调整")
    assert not selectors.audit_list(user=county_user).filter(summary="标准调整").exists()
    admin = factories.user("root_admin", Role.ADMIN, None)
    assert selectors.audit_list(user=admin).filter(summary="标准调整").exists()


@pytest.mark.parametrize("role", [Role.LEADER, Role.TOWNSHIP, Role.VILLAGE])
def test_roles_that_do_not_read_the_audit_trail_get_403(tree, role):
    client = login(factories.user("reader", role, tree["village_a1"] if role == Role.VILLAGE else tree["county"]))
    assert client.get(reverse("audit_list")).status_code == 403
    assert "审计日志" not in client.get(reverse("overview")).content.decode()


def test_the_nav_links_the_audit_page_for_readers(county_client, auditor_client):
    for client in (county_client, auditor_client):
        assert reverse("audit_list") in client.get(reverse("overview")).content.decode()


def test_the_audit_page_is_get_only(county_client, registry):
    count = AuditEvent.objects.count()
    for method in ("post", "put", "patch", "delete"):
        assert getattr(county_client, method)(reverse("audit_list")).status_code == 405
    assert AuditEvent.objects.count() == count


def test_filters_narrow_the_list(county_client, county_user, registry):
    head = registry["a1"].members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head, data={"work_place": "昆明市"})
    url = reverse("audit_list")

    def numbers(**params):
        page = county_client.get(url, params).context["page"]
        return [e.pk for e in page.object_list]

    updates = numbers(kind="update")
    assert updates and all(AuditEvent.objects.get(pk=pk).kind == "update" for pk in updates)
    members = numbers(entity="registry.member", entity_id=str(head.pk))
    assert members and all(AuditEvent.objects.get(pk=pk).entity_id == str(head.pk) for pk in members)
    assert numbers(actor="county_off") and not numbers(actor="nobody")
    assert numbers(q=registry["b1"].number)
    assert all(registry["b1"].number in AuditEvent.objects.get(pk=pk).summary for pk in numbers(q=registry["b1"].number))
    today = timezone.localdate()
    assert numbers(date_from=today.isoformat(), date_to=today.isoformat())
    assert not numbers(date_to=(today - datetime.timedelta(days=1)).isoformat())
    assert not numbers(date_from=(today + datetime.timedelta(days=1)).isoformat())


def test_the_audit_page_shows_before_and_after_with_field_names(auditor_client, county_user, ha):
    head = ha.members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head, data={"work_place": "昆明市"})
    text = auditor_client.get(reverse("audit_list"), {"entity": "registry.member", "kind": "update"}) \
        .content.decode()
    assert "务工地" in text
    assert '<th>务工地</th><td class="before">—</td><td class="after">昆明市</td>' in text


def test_the_history_tab_lists_a_member_edit_with_before_and_after(county_client, county_user, ha, hb):
    head = ha.members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head, data={"work_place": "曲靖市"})
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert 'id="audit"' in text and "修改记录" in text
    assert '<th>务工地</th><td class="before">—</td><td class="after">曲靖市</td>' in text
    assert hb.number not in text  # another household's events are not listed


def test_the_history_tab_is_for_writers_and_audit_readers(tree, ha):
    leader = login(factories.user("leader", Role.LEADER, tree["county"]))
    assert 'id="audit"' not in leader.get(reverse("household_detail", args=[ha.pk])).content.decode()
    village = login(factories.user("village_a1x", Role.VILLAGE, tree["village_a1"]))
    assert 'id="audit"' in village.get(reverse("household_detail", args=[ha.pk])).content.decode()
    auditor = login(factories.user("auditor", Role.AUDITOR, tree["county"]))
    assert 'id="audit"' in auditor.get(reverse("household_detail", args=[ha.pk])).content.decode()


def test_household_history_covers_members_and_yearly_records_newest_first(county_user, ha, hb):
    events = list(selectors.household_history(user=county_user, household=ha))
    entities = {e.entity for e in events}
    assert entities == {"registry.household", "registry.member", "registry.yearlyrecord"}
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    member_ids = {str(m.pk) for m in hb.members.all()}
    assert not any(e.entity == "registry.member" and e.entity_id in member_ids for e in events)


def test_no_page_offers_to_change_or_delete_audit_rows(county_client, registry):
    text = county_client.get(reverse("audit_list")).content.decode()
    assert "<form method=\"post\"" not in text.split("<main>")[1]
