"""The demo's sector lists (fupin.demo.alerts_demo) go through the real push: every kind pushed, bad rows
reported by row number, warnings closed each way and some left open past their time limit."""

from __future__ import annotations

import pytest

from fupin.demo.alerts_demo import build_alerts, summary_lines
from fupin.monitoring.models import Alert, AlertStatus, ListKind, SectorList

pytest_plugins = ["tests.monitoring.alerts_fixtures"]
pytestmark = pytest.mark.django_db


def test_the_demo_pushes_each_kind_and_closes_some_each_way(world):
    result = build_alerts(county=world["tree"]["county"], seed=1, demo_village=world["tree"]["village_a1"])
    assert set(SectorList.objects.values_list("kind", flat=True)) == set(ListKind.values)
    assert all(sl.unmatched >= 1 and sl.malformed >= 1 for sl in SectorList.objects.all())
    assert all({"unmatched", "malformed"} <= {e["outcome"] for e in sl.report} for sl in SectorList.objects.all())
    statuses = set(Alert.objects.values_list("status", flat=True))
    assert {AlertStatus.ENROLLED, AlertStatus.NOT_AT_RISK, AlertStatus.OPEN} <= statuses
    assert result.raised == Alert.objects.count() and result.overdue >= 1
    assert Alert.objects.filter(synthetic=False).count() == 0
    assert "部门预警名单 7 份" in summary_lines(result)[0]
