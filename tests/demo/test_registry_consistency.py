"""The loaded demo county obeys the registry's rules (REFERENCE §1, §2, §6) everywhere, not only in
the samples a reviewer happens to open."""

from collections import Counter, defaultdict
from decimal import Decimal

from fupin.areas.models import Area, AreaDesignation
from fupin.demo.generator import CAMPAIGN_LAST_YEAR, LAST_YEAR
from fupin.lib import idnumber
from fupin.lib.pinyin import sort_key
from fupin.registry import rules
from fupin.registry.choices import RELATION_SEX, Procedure, Relation, Status
from fupin.registry.models import Household, Member, PovertyLine, StatusChange, YearlyRecord
from fupin.registry.services import poverty_line_for


def test_every_id_number_is_valid_and_agrees_with_birth_date_and_sex(small_demo):
    numbers = []
    for m in Member.objects.all():
        info = idnumber.parse(m.id_number)
        assert info.number == m.id_number
        assert m.id_number.startswith("530324")
        assert info.birth_date == m.birth_date
        assert info.sex == m.sex
        if m.disability_cert_no:
            cert = idnumber.parse(m.disability_cert_no)
            assert cert.kind == "disability" and len(m.disability_cert_no) == 20
            assert cert.citizen_id == m.id_number
            assert (cert.disability_category, cert.disability_grade) == (m.disability_category, m.disability_grade)
        numbers.append(m.id_number)
    assert len(numbers) == len(set(numbers))


def test_relations_fit_sexes_and_ages(small_demo):
    for h in Household.objects.prefetch_related("members"):
        members = list(h.members.all())
        head = next(m for m in members if m.relation == Relation.HEAD)
        for m in members:
            expected = RELATION_SEX.get(m.relation)
            assert expected is None or m.sex == expected, (h.number, m.relation, m.sex)
            if m.relation == Relation.SPOUSE:
                assert m.sex != head.sex
            if m.relation in (Relation.SON, Relation.DAUGHTER):
                assert head.birth_date.year + 15 <= m.birth_date.year
            if m.relation in (Relation.FATHER, Relation.MOTHER):
                assert m.birth_date.year + 15 <= head.birth_date.year


def test_exactly_one_active_head_and_summary_fields_match_the_members(small_demo):
    for h in Household.objects.prefetch_related("members"):
        active = [m for m in h.members.all() if m.active]
        heads = [m for m in active if m.relation == Relation.HEAD]
        assert h.member_count == len(active)
        if active:
            assert len(heads) == 1
            assert h.head_name == heads[0].name
            assert h.head_name_pinyin == sort_key(h.head_name) != ""
        else:  # the whole household died or moved away: cancelled, as the services would leave it
            assert h.status == Status.CANCELLED and h.cancel_reason in ("all_dead", "moved_away")
            assert h.head_name == ""
            assert all(m.removal_reason and m.removed_on for m in h.members.all())
        assert h.area_path == h.area.path
        assert h.number.startswith(h.area.code[:12])


def test_per_capita_income_follows_the_formula_and_the_line_of_the_year(small_demo):
    lines = {line.year: line.amount for line in PovertyLine.objects.filter(kind="national", area__isnull=True)}
    # No national line after 2020: the records carry the 2020 line (as the demo county's own line does).
    lines.update({year: lines[CAMPAIGN_LAST_YEAR] for year in range(CAMPAIGN_LAST_YEAR + 1, LAST_YEAR + 1)})
    households = {h.pk: h for h in Household.objects.all()}
    for rec in YearlyRecord.objects.all():
        net = rec.wage_income + rec.business_income + rec.property_income + rec.transfer_income \
            - rec.business_expense
        assert rec.net_income == net
        assert rec.per_capita_income == (net / rec.member_count).quantize(Decimal("0.01"))
        stored = (rec.net_income, rec.per_capita_income)
        rec.derive()
        assert (rec.net_income, rec.per_capita_income) == stored
        assert rec.poverty_line == lines[rec.year]
        assert rec.member_count == Member.objects.filter(household_id=rec.household_id).count()
        if rec.business_income:
            assert rec.business_expense > 0
    some = next(iter(households.values()))
    assert poverty_line_for(2016, some.area).amount == lines[2016]


def test_other_causes_never_repeat_the_main_cause_and_fit_the_members(small_demo):
    for h in Household.objects.prefetch_related("members"):
        assert h.main_cause not in h.other_causes
        assert len(set(h.other_causes)) == len(h.other_causes)
        members = list(h.members.all())
        causes = [h.main_cause, *h.other_causes]
        if "illness" in causes:
            assert any(m.health in ("chronic", "serious") for m in members)
        if "disability" in causes:
            assert any(m.health == "disabled" for m in members)
        if "schooling" in causes:
            assert any(m.school_status not in ("none", "preschool") for m in members)


def _poor_years(changes) -> set[int]:
    """Years in which the household was poor at the year's end, replayed from its history."""
    poor, status, by_year = set(), "", {}
    for c in changes:
        by_year[c.date.year] = c.to_status
    for year in range(2014, 2021):
        status = by_year.get(year, status)
        if status in ("poor", "returned"):
            poor.add(year)
    return poor


def test_the_status_history_leads_to_the_final_status_and_agrees_with_incomes(small_demo):
    history = defaultdict(list)
    for c in StatusChange.objects.order_by("household_id", "date", "id"):
        history[c.household_id].append(c)
    records = defaultdict(dict)
    for rec in YearlyRecord.objects.all():
        records[rec.household_id][rec.year] = rec
    for h in Household.objects.all():
        changes = history[h.pk]
        monitored_only = changes[0].procedure == Procedure.MONITORING  # enrolled by monitoring, never poor
        assert changes[0].from_status == ""
        assert changes[0].to_status == (Status.MONITOR_RISK if monitored_only else Status.POOR)
        assert changes[0].date.year == h.identified_year
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert rules.transition_error(before.to_status, after.to_status, procedure=after.procedure) is None
            assert after.date >= before.date
        assert changes[-1].to_status == h.status
        assert all(c.actor_name == "demo" and c.reason and c.procedure for c in changes)
        exits = [c for c in changes if c.to_status == Status.EXITED]
        if monitored_only:
            assert not exits and h.exit_year is None and h.exit_year_planned is None
        else:
            assert exits and h.exit_year == exits[-1].date.year and h.exit_year_planned == exits[0].date.year
        assert (h.status == Status.CANCELLED) == bool(h.cancel_reason)
        poor = _poor_years(changes)
        for year, rec in records[h.pk].items():
            if year in poor:
                assert rec.per_capita_income < rec.poverty_line, (h.number, year)
            else:
                assert rec.per_capita_income > rec.poverty_line, (h.number, year)
        for c in exits:  # "两不愁三保障" met in the year of every exit
            rec = records[h.pk][c.date.year]
            assert rec.food_clothing_secure and rec.education_secure and rec.medical_secure
            assert rec.housing_secure and rec.water_secure


def test_final_statuses_are_mostly_exited_with_a_few_monitored_and_cancelled(small_demo):
    statuses = Counter(Household.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert statuses[Status.EXITED] + statuses[Status.EXITED_STABLE] > 0.9 * total
    assert statuses[Status.POOR] == statuses[Status.RETURNED] == 0
    assert statuses[Status.MONITOR_RISK] + statuses[Status.MONITOR_CLEARED] >= 1
    assert statuses[Status.CANCELLED] >= 1
    assert StatusChange.objects.filter(to_status=Status.RETURNED).exists()


def test_everything_generated_is_marked_synthetic(small_demo):
    assert not Area.objects.filter(synthetic=False).exists()
    assert not Household.objects.filter(synthetic=False).exists()
    county = Area.objects.get(code="530324000000")
    assert county.name == "罗平县" and county.parent.name == "曲靖市" and county.parent.parent.name == "云南省"


def test_poor_townships_and_villages_are_designated(small_demo):
    poor_townships = set(AreaDesignation.objects.filter(kind="poor_township").values_list("area__name", flat=True))
    assert poor_townships == {"老厂乡", "鲁布革布依族苗族乡", "旧屋基彝族乡"}
    assert AreaDesignation.objects.filter(kind="poor_village", year=2014).count() == 24
    deep = AreaDesignation.objects.filter(kind="deep_poor_village").values_list("area_id", flat=True)
    assert set(deep) <= set(AreaDesignation.objects.filter(kind="poor_village").values_list("area_id", flat=True))
    assert all(len(a.code) == 15 for a in Area.objects.filter(level="group"))
    assert all(len(a.code) == 12 and a.code.startswith("530324") for a in Area.objects.filter(level="village"))


def test_samples_pass_full_clean(small_demo):
    for h in Household.objects.order_by("number")[::7]:
        h.full_clean()
    for m in Member.objects.order_by("id")[::5]:
        m.full_clean()
    for rec in YearlyRecord.objects.order_by("id")[::11]:
        rec.full_clean()


def test_the_registry_services_keep_working_after_the_load(small_demo):
    """Explicit primary keys must not leave the sequences behind (PostgreSQL)."""
    from fupin.registry import services
    from tests import factories

    village = Area.objects.filter(level="village").order_by("code").first()
    h = services.household_create(actor=None, area=village, number="TEST-0001", members=[factories.member_data()],
                                  main_cause="illness", identified_year=2020)
    assert h.pk > max(Household.objects.exclude(pk=h.pk).values_list("pk", flat=True))
    area = Area.objects.create(code=village.code + "999", name="新组", level="group", parent=village,
                               path=village.code + "999")
    assert area.pk


def test_areas_that_already_exist_are_reused_not_duplicated(tree):
    """An area import before the demo (the factories' 罗平县 tree) keeps its rows and names."""
    from fupin.demo.loader import load_demo

    before = {a.code: a.pk for a in Area.objects.all()}
    load_demo(households=120, seed=5)
    for code, pk in before.items():
        assert Area.objects.get(code=code).pk == pk
    assert Area.objects.get(code=tree["township_b"].code).name == tree["township_b"].name
    assert Area.objects.filter(parent=tree["township_b"]).exists()
    assert Area.objects.values("code").distinct().count() == Area.objects.count()


def test_the_demo_county_is_clean_under_the_data_quality_rules(small_demo):
    """REFERENCE §6: the demo is a clean baseline (ages taken at the end of 2020, where the data stops)."""
    from fupin.demo.generator import AS_OF, SCHOOL_DAY

    latest = {rec.household_id: rec for rec in YearlyRecord.objects.order_by("household_id", "year")}
    for h in Household.objects.prefetch_related("members"):
        members = [m for m in h.members.all()]
        working = [m for m in members if m.work_status]
        for m in members:
            age, school_age = m.age_on(AS_OF), m.age_on(SCHOOL_DAY)
            assert m.ethnicity and m.labour and m.health
            assert m.education or m.school_status == "preschool"
            if m.health == "disabled":
                assert m.disability_category and m.disability_grade
            if m.work_status:
                assert 1 <= m.work_months <= 12 and m.work_place and m.labour in ("normal", "skilled")
            else:
                assert m.work_months == 0 and not m.work_place
            assert not (m.on_dibao and m.on_tekun)
            assert not (school_age <= 14 and m.school_status in ("senior", "vocational", "higher_vocational",
                                                                 "undergraduate"))
            assert not (school_age >= 20 and m.school_status == "primary")
            assert not (7 <= school_age <= 14 and m.school_status == "none"), "no dropouts"
            assert m.medical_insurance and m.serious_illness_insurance
            if h.attribute == "tekun":
                assert not (16 <= age <= 65 and m.labour in ("normal", "skilled"))
        if h.attribute == "dibao":
            assert any(m.on_dibao and m.dibao_amount > 0 for m in members)
        if h.attribute == "general":
            assert not any(m.on_dibao or m.on_tekun for m in members)
        rec = latest[h.pk]
        assert (rec.wage_income > 0) == bool(working)
        assert h.irrigated_land <= h.cultivated_land <= 50 * max(len(members), 1)
        assert h.house_area > 0 and h.house_structure and h.house_built_year
        if h.status in (Status.EXITED, Status.EXITED_STABLE, Status.MONITOR_CLEARED):
            assert h.danger_grade in ("A", "B") and h.water_safe
        if h.relocated:
            assert h.relocation_year and h.relocation_site


def test_years_and_dates_obey_the_rules(small_demo):
    """Issue 12.1: the demo's years and status-change dates pass the registry's rules — none in the
    future, none before the household was identified, the status history in date order, an exited
    household with its 实际脱贫年度."""
    changes = defaultdict(list)
    for c in StatusChange.objects.order_by("household_id", "id"):
        changes[c.household_id].append(c)
    records = defaultdict(list)
    for r in YearlyRecord.objects.all():
        records[r.household_id].append(r.year)
    for h in Household.objects.all():
        assert rules.household_year_errors(status=h.status, identified_year=h.identified_year,
                                           exit_year=h.exit_year, house_built_year=h.house_built_year,
                                           relocation_year=h.relocation_year) == {}, h.number
        for year in records[h.pk]:
            assert rules.income_year_error(year, identified_year=h.identified_year) is None, (h.number, year)
        previous = None
        for c in changes[h.pk]:
            error = rules.status_date_error(c.date, identified_year=h.identified_year, previous=previous)
            assert error is None, (h.number, error)
            previous = c.date
