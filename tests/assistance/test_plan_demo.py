"""The demo's plans (plan15): one plan this year per paired household, measures answering its causes,
deterministic and written once."""

from __future__ import annotations

import pytest

from fupin.assistance.models import MeasureStatus, Plan, PlanMeasure
from fupin.demo.plans_demo import build_plans
from fupin.registry.choices import Cause

from .plan_world import cadre, household, pair, today

pytestmark = pytest.mark.django_db


def test_every_paired_household_gets_one_plan_answering_its_causes(tree):
    c = cadre(tree["county"])
    paired = [household(tree["village_a1"], main_cause=Cause.ILLNESS, other_causes=[Cause.FUNDS]) for _ in range(12)]
    for h in paired:
        pair(c, h)
    alone = household(tree["village_a1"])
    assert build_plans(county=tree["county"]) == 12
    assert build_plans(county=tree["county"]) == 0  # written once
    assert set(Plan.objects.values_list("household_id", flat=True)) == {h.pk for h in paired}
    assert not Plan.objects.filter(household=alone).exists()
    measures = list(PlanMeasure.objects.select_related("plan"))
    assert all(m.plan.year == today().year and m.cadre == c for m in measures)
    assert {m.cause for m in measures} <= {Cause.ILLNESS, Cause.FUNDS, ""}
    for m in measures:
        if m.status == MeasureStatus.DONE:
            assert m.done_on is not None and m.done_on <= today() and m.result
    for plan in Plan.objects.all():  # never one catalogue measure twice in a plan
        picked = list(plan.measures.values_list("catalogue_id", flat=True))
        assert len(picked) == len(set(picked))
    before = sorted(PlanMeasure.objects.values_list("plan__household_id", "name", "status", "planned_on"))
    PlanMeasure.objects.all().delete()
    Plan.objects.all().delete()
    build_plans(county=tree["county"])
    assert sorted(PlanMeasure.objects.values_list("plan__household_id", "name", "status", "planned_on")) == before
