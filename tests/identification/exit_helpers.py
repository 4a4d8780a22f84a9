"""Shared by the exit-check tests: the national criteria's names (standards migration 0002) and one
household's answer read both ways."""

from __future__ import annotations

from fupin.identification import exitcheck
from fupin.registry.models import Household

INCOME = "一超：人均纯收入超过当年扶贫标准"
FOOD = "不愁吃、不愁穿"
SCHOOL = "义务教育有保障"
MEDICAL = "基本医疗保险全员参保"
SERIOUS = "大病保险全员参保"
DANGER = "住房安全：不住C级、D级危房"
HOUSE = "住房安全：有住房"
WATER_SAFE = "饮水安全"
WATER_EASY = "饮水不困难"


def bulk_row(household: Household, year: int) -> exitcheck.ExitRow:
    rows = list(exitcheck.exit_check_rows(Household.objects.filter(pk=household.pk), year,
                                          scope=exitcheck.REGISTER))
    assert len(rows) == 1
    return rows[0]
