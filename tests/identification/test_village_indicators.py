"""A village's yearly indicators: recorded by the township through its form (audited), read by whoever
sees the village, refused to everyone else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.identification import villages
from fupin.identification.models_villages import VillageIndicators
from tests import factories

from .helpers import clock
from .villages_helpers import GOOD, client_for

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    data = {name: "on" for name in villages.INDICATOR_FIELDS}
    data.update({"collective_income": "26000", "industry": "生猪养殖", "note": ""})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_township_records_and_corrects_them_through_the_form(tree, township_a_user):
    url = reverse("village_indicators", args=[tree["village_a1"].code, 2026])
    client = client_for(township_a_user)
    with clock():
        assert client.get(url).status_code == 200
        assert client.post(url, form_data(road=None)).status_code == 302
        record = VillageIndicators.objects.get(area=tree["village_a1"], year=2026)
        assert (record.road, record.water, record.collective_income, record.updated_by) == (
            False, True, Decimal("26000"), township_a_user)
        assert client.post(url, form_data()).status_code == 302
    record.refresh_from_db()
    assert record.road is True
    events = AuditEvent.objects.filter(entity="identification.villageindicators", entity_id=str(record.pk))
    assert sorted(events.values_list("kind", flat=True)) == sorted([AuditKind.CREATE, AuditKind.UPDATE])
    assert events.get(kind=AuditKind.UPDATE).data["changes"]["road"] == {"before": False, "after": True}


def test_a_negative_income_is_refused_at_its_field(tree, township_a_user):
    url = reverse("village_indicators", args=[tree["village_a1"].code, 2026])
    response = client_for(township_a_user).post(url, form_data(collective_income="-5"))
    assert response.status_code == 200 and response.context["form"].errors["collective_income"]
    assert not VillageIndicators.objects.exists()


@pytest.mark.parametrize("role", [Role.COUNTY, Role.VILLAGE, Role.LEADER, Role.AUDITOR, Role.CADRE])
def test_other_roles_may_not_record_them(tree, role):
    user = factories.user("someone", role, tree["county"] if role != Role.VILLAGE else tree["village_a1"])
    url = reverse("village_indicators", args=[tree["village_a1"].code, 2026])
    client = client_for(user)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data()).status_code == 403
    with pytest.raises(PermissionDenied):
        villages.indicators_save(actor=user, village=tree["village_a1"], year=2026, data=GOOD)
    assert not VillageIndicators.objects.exists()


def test_outside_the_township_they_are_not_found(tree, township_b_user):
    url = reverse("village_indicators", args=[tree["village_a1"].code, 2026])
    assert client_for(township_b_user).get(url).status_code == 404
    with pytest.raises(ValidationError, match="无权"):
        villages.indicators_save(actor=township_b_user, village=tree["village_a1"], year=2026, data=GOOD)


def test_only_a_village_carries_indicators(tree, township_a_user):
    with pytest.raises(ValidationError, match="只能为行政村填报"):
        villages.indicators_save(actor=township_a_user, village=tree["township_a"], year=2026, data=GOOD)
    url = reverse("village_indicators", args=[tree["township_a"].code, 2026])
    assert client_for(township_a_user).get(url).status_code == 404
