"""The demo county's 2021–2026: monitoring episodes of each kind (REFERENCE §7), their measures, the
households' status history that goes with them, the monitoring lines and the targets — at the default
scale (罗平县, 12,285 registered households), loaded once for the module."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from fupin.areas.models import Area
from fupin.demo.generator import AS_OF, LAST_YEAR, MONITORING_LINES, generate_county, luoping_spec
from fupin.demo.loader import load_demo
from fupin.monitoring.models import Measure, MonitoringObject, ObjectKind, ObjectState, Target
from fupin.registry import rules
from fupin.registry.choices import LineKind, Procedure, Status
from fupin.registry.models import Household, PovertyLine, StatusChange, YearlyRecord
from fupin.registry.services import poverty_lines

pytestmark = pytest.mark.django_db
SEED = 2015
HALF_A_YEAR = datetime.timedelta(days=183)


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), \
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            transaction.atomic():
        yield load_demo(seed=SEED, cases=False, findings=False)
        transaction.set_rollback(True)


def _episodes() -> dict[int, list[MonitoringObject]]:
    out = defaultdict(list)
    for obj in MonitoringObject.objects.order_by("household_id", "found_on", "id"):
        out[obj.household_id].append(obj)
    return out


def test_every_monitored_households_status_history_matches_its_episodes(county):
    """One 监测对象(风险未消除) row on the day of enrolment and one (风险已消除) on the day the risk was
    eliminated, per enrolled episode and in its order; nothing for an episode not enrolled; the household's
    status is where its history ends."""
    monitoring_rows = defaultdict(list)
    for c in StatusChange.objects.filter(procedure=Procedure.MONITORING).order_by("household_id", "date", "id"):
        monitoring_rows[c.household_id].append((c.to_status, c.date))
    episodes = _episodes()
    assert set(monitoring_rows) <= set(episodes)
    status = dict(Household.objects.values_list("id", "status"))
    for household_id, objs in episodes.items():
        expected = []
        for obj in objs:
            if obj.state == ObjectState.NOT_ENROLLED:
                assert obj.enrolled_on is None and obj.cleared_on is None
                continue
            expected.append((Status.MONITOR_RISK, obj.enrolled_on))
            if obj.state == ObjectState.CLEARED:
                expected.append((Status.MONITOR_CLEARED, obj.cleared_on))
        assert monitoring_rows[household_id] == expected, household_id
        if expected and status[household_id] != Status.CANCELLED:
            assert status[household_id] == expected[-1][0]
    at_risk = MonitoringObject.objects.filter(state=ObjectState.AT_RISK).values("household_id")
    assert set(Household.objects.filter(status=Status.MONITOR_RISK).values_list("id", flat=True)) == \
        set(Household.objects.filter(pk__in=at_risk).values_list("id", flat=True))


def test_a_household_has_one_open_episode_and_episodes_do_not_overlap(county):
    for objs in _episodes().values():
        assert sum(o.state in (ObjectState.PENDING, ObjectState.AT_RISK) for o in objs) <= 1
        for before, after in zip(objs, objs[1:], strict=False):
            assert before.state in (ObjectState.CLEARED, ObjectState.NOT_ENROLLED)
            assert after.found_on > (before.cleared_on or before.found_on)


def test_no_risk_is_eliminated_before_half_a_year_or_without_a_measure(county):
    """REFERENCE §7: monitored at least half a year, with at least one measure applied before."""
    first_measure = {}
    for object_id, day in Measure.objects.order_by("date").values_list("object_id", "date"):
        first_measure.setdefault(object_id, day)
    cleared = MonitoringObject.objects.filter(state=ObjectState.CLEARED)
    assert cleared.count() > 500
    for obj in cleared:
        assert obj.cleared_on - obj.enrolled_on >= HALF_A_YEAR, obj.pk
        assert first_measure[obj.pk] < obj.cleared_on, obj.pk
        assert obj.found_on <= obj.enrolled_on <= obj.cleared_on <= AS_OF


def test_every_enrolled_object_has_a_measure_and_measures_come_from_several_sectors(county):
    enrolled = MonitoringObject.objects.filter(state__in=[ObjectState.AT_RISK, ObjectState.CLEARED])
    assert not enrolled.filter(measures__isnull=True).exists()
    assert not MonitoringObject.objects.filter(state=ObjectState.NOT_ENROLLED, measures__isnull=False).exists()
    sectors = Counter(Measure.objects.values_list("sector", flat=True))
    assert len(sectors) >= 8
    assert Measure.objects.filter(amount__isnull=False).exists() and not Measure.objects.filter(synthetic=False).exists()
    for obj in enrolled.filter(instant=True)[:200]:  # 即时帮扶: flagged the day found, help the same week
        assert obj.instant_on == obj.found_on
        assert obj.measures.order_by("date").first().date - obj.found_on <= datetime.timedelta(days=3)
    assert not Measure.objects.filter(date__gt=AS_OF).exists()


def test_cleared_households_income_is_above_the_line_the_year_the_risk_was_eliminated(county):
    records = {(r.household_id, r.year): r for r in YearlyRecord.objects.filter(
        household__monitoring__state=ObjectState.CLEARED)}
    lines = poverty_lines()
    for obj in MonitoringObject.objects.filter(state=ObjectState.CLEARED):
        line = rules.resolve_poverty_line(lines.by_year[obj.cleared_on.year], year=obj.cleared_on.year,
                                          area_path=obj.area_path, kind=LineKind.MONITORING)
        record = records[(obj.household_id, obj.cleared_on.year)]
        assert record.per_capita_income > line.amount, obj.pk
        assert record.housing_secure and record.water_secure and record.education_secure and record.medical_secure


def test_objects_are_found_under_the_line_of_their_year(county):
    """income_12m against the monitoring line of the household's province and year (the sudden hardship
    counts its rigid expense); the line on the object is the registry's line (PovertyLine kind monitoring)."""
    lines = poverty_lines()
    for obj in MonitoringObject.objects.exclude(state=ObjectState.NOT_ENROLLED):
        line = rules.resolve_poverty_line(lines.by_year[obj.line_year], year=obj.line_year, area_path=obj.area_path,
                                          kind=LineKind.MONITORING)
        assert obj.line == line.amount and obj.line_year == obj.found_on.year
        assert obj.income_12m is not None and obj.income_12m < obj.line, obj.pk
    for obj in MonitoringObject.objects.filter(state=ObjectState.NOT_ENROLLED):
        assert obj.income_12m > obj.line


def test_each_kind_comes_from_where_it_should(county):
    """脱贫不稳定户 from exited registered households; 边缘易致贫户 only from households never registered
    poor, which enter the registry through monitoring (rules.INITIAL_STATUSES); 突发严重困难户 from both."""
    registered = set(StatusChange.objects.filter(procedure=Procedure.IDENTIFICATION).values_list("household_id",
                                                                                                  flat=True))
    entered = set(StatusChange.objects.filter(procedure=Procedure.MONITORING, from_status="")
                  .values_list("household_id", flat=True))
    assert entered and not entered & registered
    kinds = defaultdict(set)
    for household_id, kind in MonitoringObject.objects.values_list("household_id", "kind"):
        kinds[kind].add(household_id in registered)
    assert kinds[ObjectKind.UNSTABLE] == {True}
    assert kinds[ObjectKind.EDGE] == {False}
    assert kinds[ObjectKind.SUDDEN] == {True, False}
    for household in Household.objects.filter(pk__in=entered):
        assert rules.initial_status_error(Status.MONITOR_RISK, Procedure.MONITORING) is None
        assert household.exit_year is None and household.identified_year >= 2021
    # 建档立卡 stays seed 000's population.
    assert county.registered_households == len(registered) == 12285 and county.registered_people == 41685


def test_every_kind_channel_and_state_shows_and_some_are_still_at_risk_today(county):
    objs = MonitoringObject.objects.all()
    assert set(objs.values_list("kind", flat=True)) == set(ObjectKind.values)
    assert set(objs.values_list("channel", flat=True)) == {"in_person", "hotline", "mobile", "visit", "warning"}
    assert {ObjectState.AT_RISK, ObjectState.CLEARED, ObjectState.NOT_ENROLLED} <= set(objs.values_list("state",
                                                                                                   flat=True))
    years = Counter(objs.values_list("found_on__year", flat=True))
    assert set(years) == set(range(2020, LAST_YEAR + 1))
    assert objs.filter(state=ObjectState.AT_RISK, found_on__year=LAST_YEAR).exists()
    assert objs.filter(instant=True).exists() and not objs.filter(synthetic=False).exists()
    assert all(o.area_path == o.household.area_path for o in objs.select_related("household")[:300])
    # Risk types come from the households' causes or shocks, main one first.
    risks = Counter(r[0] for r in objs.values_list("risk_types", flat=True))
    assert risks.most_common(1)[0][0] == "illness" and len(risks) >= 8


def test_registered_households_moved_on_after_2020(county):
    """脱贫不再享受政策 as the transition period ran out, cancellations, and yearly records to 2026."""
    later = StatusChange.objects.filter(date__year__gt=2020)
    assert later.filter(to_status=Status.EXITED_STABLE, procedure=Procedure.ADJUSTMENT).count() > 100
    assert later.filter(to_status=Status.CANCELLED).exists()
    assert not later.filter(to_status__in=[Status.POOR, Status.RETURNED]).exists()
    assert not StatusChange.objects.filter(date__gt=AS_OF).exists()
    assert YearlyRecord.objects.filter(year=LAST_YEAR).count() > 12000
    assert not YearlyRecord.objects.filter(year__gt=LAST_YEAR).exists()


def test_monitoring_lines_are_data_marked_as_demo(county):
    national = PovertyLine.objects.get(year=2021, kind=LineKind.MONITORING, area__isnull=True)
    assert national.amount == 6000
    province = Area.objects.get(code="530000000000")
    yunnan = {line.year: line for line in PovertyLine.objects.filter(kind=LineKind.MONITORING, area=province)}
    assert {y: int(line.amount) for y, line in yunnan.items()} == {y: a for y, a in MONITORING_LINES.items() if y != 2021}
    assert yunnan[2025].amount == Decimal(8700)
    assert all("演示数据" in line.note for line in yunnan.values())
    assert all(line.amount >= Decimal("1.5") * 4000 for line in yunnan.values())


def test_targets_carry_seed_000s_quotas_to_the_county_and_its_townships(county):
    lp = Area.objects.get(code="530324000000")
    quotas = {t.year: int(t.value) for t in Target.objects.filter(area=lp, kind="exit_people")}
    assert quotas == {2015: 7685, 2016: 17000, 2017: 17000}
    by_township = Counter()
    for t in Target.objects.filter(area__parent=lp, kind="exit_people"):
        by_township[t.year] += int(t.value)
    assert dict(by_township) == quotas
    households = {t.year: int(t.value) for t in Target.objects.filter(area=lp, kind="exit_households")}
    assert sum(households.values()) == 12285
    assert Target.objects.filter(area=lp, kind="return_cap", year=LAST_YEAR, value=0).exists()
    assert all(t.synthetic and "演示数据" in t.note for t in Target.objects.all())


def _money(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _fingerprint(objects, measures, number_of) -> list[tuple]:
    out = [(number_of[o["household_id"]], o["kind"], tuple(o["risk_types"]), o["channel"], o["found_on"], o["state"],
            o["enrolled_on"], o["cleared_on"], o["instant"], _money(o["income_12m"]), _money(o["line"]))
           for o in objects]
    kinds = {o["id"]: (number_of[o["household_id"]], o["found_on"]) for o in objects}
    out += [(*kinds[m["object_id"]], m["sector"], m["category"], m["date"], _money(m["amount"])) for m in measures]
    return sorted(out, key=repr)


def test_the_history_is_deterministic_for_a_seed(county):
    """The rows in the database are the ones the generator makes for the seed, every time."""
    lines = poverty_lines()
    first = generate_county(luoping_spec(), seed=SEED, lines=lines)
    second = generate_county(luoping_spec(), seed=SEED, lines=lines)
    numbers = {h["id"]: h["number"] for h in first.households}
    generated = _fingerprint(first.objects, first.measures, numbers)
    assert generated == _fingerprint(second.objects, second.measures, {h["id"]: h["number"] for h in second.households})
    stored_numbers = dict(Household.objects.values_list("id", "number"))
    stored = _fingerprint(list(MonitoringObject.objects.values()), list(Measure.objects.values()), stored_numbers)
    assert stored == generated
    small = luoping_spec(households=600)
    assert generate_county(small, seed=SEED + 1, lines=lines).objects != \
        generate_county(small, seed=SEED, lines=lines).objects
