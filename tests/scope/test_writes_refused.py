"""Both roles read only: every registry service refuses them, whatever the household."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.assessment import services as assessment
from fupin.assistance import services as assistance
from fupin.registry import services
from fupin.registry.choices import CancelReason, Status
from tests import factories

pytestmark = pytest.mark.django_db

REFUSED = (PermissionDenied, ValidationError)


@pytest.mark.parametrize("persona", ["cadre", "assessor"])
def test_registry_writes_are_refused(persona, request, households, pairings, sample, tree):
    actor = request.getfixturevalue(persona)
    mine = households["a1_paired"] if persona == "cadre" else households["b1"]
    with pytest.raises(REFUSED):
        services.household_update(actor=actor, household=mine, data={"phone": "13900000000"})
    with pytest.raises(REFUSED):
        services.member_add(actor=actor, household=mine, data=factories.member_data("child", "1"))
    with pytest.raises(REFUSED):
        services.household_change_status(actor=actor, household=mine, to_status=Status.CANCELLED,
                                         reason="测试", date=datetime.date(2020, 1, 1), cancel_reason=CancelReason.MOVED_AWAY)
    with pytest.raises(REFUSED):
        factories.household(tree["village_a1"], actor=actor)


@pytest.mark.parametrize("persona", ["cadre", "assessor"])
def test_assistance_and_assessment_writes_are_refused(persona, request, households, cadre, sample):
    actor = request.getfixturevalue(persona)
    with pytest.raises(REFUSED):
        assistance.pairing_create(actor=actor, cadre=cadre, household=households["a1_other"],
                                  start=datetime.date(2020, 1, 1))
    with pytest.raises(REFUSED):
        assessment.sample_create(actor=actor, name="自建样本", year=2020)
    with pytest.raises(REFUSED):
        assessment.sample_add_households(actor=actor, sample=sample, households=[households["a1_other"]])
