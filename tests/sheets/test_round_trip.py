"""Round trip on the demo county: export → wipe the registry → import gives back every household,
member and yearly record the sheet carries; export → import on the full registry changes nothing."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from fupin.demo.loader import load_demo
from fupin.registry.choices import Status
from fupin.registry.models import Household, Member, YearlyRecord
from fupin.sheets.columns import COLUMNS, HOUSEHOLD, MEMBER, YEARLY
from fupin.sheets.export import export_households
from fupin.sheets.importer import apply_plan, plan_import
from fupin.sheets.reader import read_table

pytestmark = pytest.mark.django_db

HOUSEHOLD_FIELDS = sorted({c.field for c in COLUMNS if c.target == HOUSEHOLD} | {"area_id", "head_name",
                                                                                 "member_count"})
MEMBER_FIELDS = sorted({c.field for c in COLUMNS if c.target == MEMBER} | {"citizen_id"})
YEARLY_FIELDS = sorted({c.field for c in COLUMNS if c.target == YEARLY} | {"member_count", "net_income",
                                                                           "per_capita_income", "poverty_line"})


def registry_state(year: int) -> tuple[dict, dict, dict]:
    households = {h["number"]: h for h in Household.objects.filter(member_count__gt=0).values("number",
                                                                                            *HOUSEHOLD_FIELDS)}
    members = {m["citizen_id"]: m for m in Member.objects.filter(active=True).values("household__number",
                                                                                     *MEMBER_FIELDS)}
    yearly = {y["household__number"]: y for y in YearlyRecord.objects.filter(year=year).values(
        "household__number", *YEARLY_FIELDS)}
    return households, members, yearly


def wipe_registry() -> None:
    with connection.cursor() as cursor:
        for table in ("monitoring_measure", "monitoring_alert", "monitoring_monitoringobject",  # the demo's 2020–2026
                      "quality_finding", "assistance_pairing", "assessment_samplehousehold", "registry_statuschange",
                      "registry_yearlyrecord", "registry_member", "registry_household"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def test_demo_county_round_trip():
    load_demo(households=1500, seed=7, cases=False)  # the registry alone (no cases)
    buffer = io.BytesIO()
    exported = export_households(Household.objects.all(), buffer)
    before = registry_state(exported.year)
    assert exported.households == len(before[0]) and exported.rows == len(before[1])

    # export → import on the same registry changes nothing
    table = read_table(io.BytesIO(buffer.getvalue()), "demo.xlsx")
    plan = plan_import(table)
    assert plan.valid and plan.counts().get("unchanged") == exported.households
    assert apply_plan(plan).updated == 0
    assert registry_state(exported.year) == before

    # …and into an empty registry it gives back what the sheet carries, exactly — except the cancelled
    # households: a household cannot be born cancelled (registry.rules.INITIAL_STATUSES), so those are
    # refused, each at its 户状态 cell, and the rest are imported.
    cancelled = {n for n, h in before[0].items() if h["status"] == Status.CANCELLED}
    assert cancelled, "the demo cancels some households whose members stay (错评, 合户, 分户)"
    wipe_registry()
    plan = plan_import(read_table(io.BytesIO(buffer.getvalue()), "demo.xlsx"))
    errors = [p for p in plan.all_problems() if p.level == "error"]
    assert {p.number for p in errors} == cancelled
    assert all(p.header == "户状态" and "注销" in p.message for p in errors)
    result = apply_plan(plan)
    assert result.refused == len(cancelled)
    kept = {n: h for n, h in before[0].items() if n not in cancelled}
    assert result.created == exported.households - len(cancelled)
    after = registry_state(exported.year)
    assert after[0] == kept
    assert after[1] == {k: m for k, m in before[1].items() if m["household__number"] in kept}
    assert after[2] == {k: y for k, y in before[2].items() if k in kept}
