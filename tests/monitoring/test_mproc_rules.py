"""The monitoring rules that are not a procedure: working days, the time limit, the monitoring line's
floor and lookup, 即时帮扶 and the measures' ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fupin.monitoring import rules, services
from fupin.registry import services as registry
from fupin.registry.choices import LineKind

from .mproc_helpers import clock, exited, found

pytestmark = pytest.mark.django_db
D = datetime.date


def test_twenty_working_days_after_the_start_skip_weekends():
    # Monday 2 March: four weeks of working days after it end on Monday 30 March.
    assert rules.add_working_days(D(2026, 3, 2), 20) == D(2026, 3, 30)


def test_holidays_are_not_working_days(settings):
    settings.HOLIDAYS = ["2026-03-03", "2026-03-04"]
    assert rules.add_working_days(D(2026, 3, 2), 20) == D(2026, 4, 1)


def test_overdue_counts_working_days_with_the_limit_as_a_setting(settings):
    assert not rules.is_overdue(D(2026, 3, 2), D(2026, 3, 30))
    assert rules.is_overdue(D(2026, 3, 2), D(2026, 3, 31))
    settings.MONITOR_LIMIT_DAYS = 15
    assert rules.is_overdue(D(2026, 3, 2), D(2026, 3, 24))


def test_the_2021_line_is_six_thousand_nationally_and_later_years_carry_it(tree):
    line = rules.monitoring_line(2026, tree["village_a1"])
    assert line.amount == 6000 and line.year == 2021 and line.carried and "沿用" in line.text


def test_a_province_line_wins_over_the_national_one(tree):
    registry.poverty_line_set(actor=None, year=2025, kind=LineKind.MONITORING, amount=Decimal("8700"),
                              area=tree["province"])
    line = rules.monitoring_line(2025, tree["village_a1"])
    assert (line.amount, line.area_name) == (8700, "云南省")


def test_a_monitoring_line_under_one_and_a_half_poverty_lines_is_refused(tree):
    with pytest.raises(ValidationError, match="低于 2025 年扶贫标准 4,000.00 元的 1.5 倍（6,000.00 元）"):
        registry.poverty_line_set(actor=None, year=2025, kind=LineKind.MONITORING, amount=Decimal("5999"),
                                  area=tree["province"])


def test_instant_help_is_flagged_once_and_dated(village_user, tree):
    with clock("2026-03-02"):
        obj = found(village_user, exited(tree["village_a1"]))
        obj = services.instant_flag(actor=village_user, obj=obj)
        assert obj.instant and obj.instant_on == D(2026, 3, 2)
        with pytest.raises(ValidationError, match="已于 2026年3月2日 标注即时帮扶"):
            services.instant_flag(actor=village_user, obj=obj)


def test_a_measure_before_discovery_is_refused_naming_the_date(village_user, tree):
    with clock("2026-03-02"):
        obj = found(village_user, exited(tree["village_a1"]))
        with pytest.raises(ValidationError, match="不能早于发现日期"):
            services.measure_add(actor=village_user, obj=obj, sector="health", category="医疗救助",
                                 date=D(2026, 3, 1))


def test_a_writer_outside_the_village_may_not_add_a_measure(township_b_user, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    with pytest.raises(ValidationError, match="无权在该区划（甲一村）"):
        services.measure_add(actor=township_b_user, obj=obj, sector="health", category="医疗救助",
                             date=datetime.date.today())
