"""显示完整信息: an explicit, audited action for the roles that may; 403 for the rest, 404 outside scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from tests import factories

from .conftest import login


@pytest.fixture
def numbered(ha, county_user):
    services.household_update(actor=county_user, household=ha,
                              data={"phone": "13812345678", "bank_account": "6228480012345678901"})
    head = ha.members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head, data={"health": "chronic"})
    return ha


def reveal(client, household, **extra):
    return client.post(reverse("household_reveal", args=[household.pk]), REMOTE_ADDR="10.1.2.3", **extra)


def test_revealing_by_the_county_shows_full_numbers_and_writes_a_reveal_audit_row(county_client, county_user,
                                                                                   numbered):
    before = AuditEvent.objects.filter(kind=AuditKind.REVEAL).count()
    response = reveal(county_client, numbered)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    for m in numbered.members.all():
        assert m.id_number in text
    assert "13812345678" in text and "6228480012345678901" in text
    assert "长期慢性病" in text
    events = AuditEvent.objects.filter(kind=AuditKind.REVEAL)
    assert events.count() == before + 1
    event = events.first()
    assert event.entity == "registry.household" and event.entity_id == str(numbered.pk)
    assert event.actor == county_user and event.ip == "10.1.2.3"
    assert event.area_path == numbered.area_path
    assert {"id_number", "phone", "bank_account", "disability_cert_no"} <= set(event.data["fields"])


def test_the_next_page_view_is_masked_again(county_client, numbered):
    reveal(county_client, numbered)
    text = county_client.get(reverse("household_detail", args=[numbered.pk])).content.decode()
    assert "13812345678" not in text
    assert "显示完整信息" in text


def test_the_auditor_may_reveal_numbers_but_not_health_details(tree, numbered):
    client = login(factories.user("auditor", Role.AUDITOR, tree["county"]))
    text = reveal(client, numbered).content.decode()
    assert "13812345678" in text
    assert "长期慢性病" not in text
    event = AuditEvent.objects.filter(kind=AuditKind.REVEAL).first()
    assert "health" not in event.data["fields"]


def test_a_leader_may_not_reveal(tree, numbered):
    client = login(factories.user("leader", Role.LEADER, tree["county"]))
    assert "显示完整信息" not in client.get(reverse("household_detail", args=[numbered.pk])).content.decode()
    assert reveal(client, numbered).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditKind.REVEAL).exists()


def test_an_outsider_gets_404(b_client, numbered):
    assert reveal(b_client, numbered).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.REVEAL).exists()


def test_reveal_is_post_only(county_client, numbered):
    assert county_client.get(reverse("household_reveal", args=[numbered.pk])).status_code == 405
    assert not AuditEvent.objects.filter(kind=AuditKind.REVEAL).exists()


def test_the_reveal_shows_in_the_history_tab(county_client, numbered):
    reveal(county_client, numbered)
    text = county_client.get(reverse("household_detail", args=[numbered.pk])).content.decode()
    assert "查看完整信息" in text and "10.1.2.3" in text
