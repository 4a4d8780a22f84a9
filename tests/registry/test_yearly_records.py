"""Yearly records: derived net and per-capita income, one row per year, the most specific poverty line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import LineKind
from fupin.registry.models import PovertyLine, YearlyRecord
from tests import factories

from .helpers import refused

INCOMES = ["wage_income", "business_income", "property_income", "transfer_income", "business_expense"]


@pytest.fixture(autouse=True)
def no_lines(db):
    """Start from no poverty lines at all (a data migration seeds the national ones), so each test
    states the lines it relies on."""
    PovertyLine.objects.all().delete()


@pytest.fixture
def household(tree, county_user):
    return factories.household(tree["village_a1"], actor=county_user)


def save(actor, household, year, **data):
    return services.yearly_record_save(actor=actor, household=household, year=year, data=data)


def test_net_and_per_capita_income_are_derived(county_user, household):
    rec = save(
        county_user,
        household,
        2016,
        wage_income=Decimal("6000"),
        business_income=Decimal("3000"),
        property_income=Decimal("100"),
        transfer_income=Decimal("1900.50"),
        business_expense=Decimal("1000"),
    )
    rec.refresh_from_db()
    assert rec.member_count == 2  # the household's size when not given
    assert rec.net_income == Decimal("10000.50")
    assert rec.per_capita_income == Decimal("5000.25")


def test_the_default_head_count_is_the_households_current_one(county_user, household):
    services.member_add(actor=county_user, household=household, data=factories.member_data("son", "1"))
    rec = save(county_user, household, 2016, wage_income=Decimal("9000"))  # the caller's copy says 2 people
    assert rec.member_count == 3
    assert rec.per_capita_income == Decimal("3000.00")


def test_per_capita_income_uses_the_years_own_member_count(county_user, household):
    rec = save(county_user, household, 2016, member_count=3, wage_income=Decimal("10000"))
    assert rec.per_capita_income == Decimal("3333.33")


def test_a_business_loss_gives_a_negative_net_income(county_user, household):
    rec = save(county_user, household, 2016, business_income=Decimal("100"), business_expense=Decimal("700"))
    assert rec.net_income == Decimal("-600")
    assert rec.per_capita_income == Decimal("-300.00")


def test_amounts_typed_as_text_are_accepted(county_user, household):
    rec = save(county_user, household, 2016, wage_income="1200.40", business_expense="200.20")
    rec.refresh_from_db()
    assert rec.net_income == Decimal("1000.20")


@pytest.mark.parametrize("field", ["net_income", "per_capita_income", "poverty_line", "household", "year"])
def test_derived_values_cannot_be_typed_in(county_user, household, field):
    with refused(field):
        services.yearly_record_save(
            actor=county_user, household=household, year=2016, data={field: Decimal("2017")}
        )
    assert not YearlyRecord.objects.exists()


@pytest.mark.parametrize("field", INCOMES)
def test_a_negative_income_or_expense_is_refused(county_user, household, field):
    with refused(field, contains="负"):
        save(county_user, household, 2016, **{field: Decimal("-1")})


def test_a_member_count_of_zero_is_refused(county_user, household):
    with refused("member_count"):
        save(county_user, household, 2016, member_count=0)


def test_saving_a_year_leaves_other_years_untouched(county_user, household):
    save(county_user, household, 2015, wage_income=Decimal("1000"))
    save(county_user, household, 2016, wage_income=Decimal("2000"))
    save(county_user, household, 2015, wage_income=Decimal("1500"), note="更正")

    by_year = {r.year: r for r in YearlyRecord.objects.filter(household=household)}
    assert set(by_year) == {2015, 2016}
    assert by_year[2015].wage_income == Decimal("1500") and by_year[2015].net_income == Decimal("1500")
    assert by_year[2016].wage_income == Decimal("2000") and by_year[2016].net_income == Decimal("2000")
    update = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.yearlyrecord")
    assert update.entity_id == str(by_year[2015].pk)
    changes = update.data["changes"]
    assert (
        Decimal(changes["wage_income"]["before"]) == 1000 and Decimal(changes["wage_income"]["after"]) == 1500
    )
    assert Decimal(changes["net_income"]["after"]) == 1500
    assert changes["note"] == {"before": "", "after": "更正"}


def test_the_national_line_is_used_when_there_is_no_local_one(county_user, household):
    PovertyLine.objects.create(year=2016, amount=Decimal("3146"))
    rec = save(county_user, household, 2016, wage_income=Decimal("7000"))
    assert rec.poverty_line == Decimal("3146")
    assert rec.above_line is True


def test_an_area_line_beats_the_national_line_and_the_deepest_area_wins(tree, county_user, household):
    PovertyLine.objects.create(year=2016, amount=Decimal("3146"))
    PovertyLine.objects.create(
        year=2016, area=tree["province"], kind=LineKind.PROVINCIAL, amount=Decimal("3300")
    )
    assert save(county_user, household, 2016).poverty_line == Decimal("3300")
    PovertyLine.objects.create(year=2016, area=tree["county"], kind=LineKind.CITY, amount=Decimal("3500"))
    assert save(county_user, household, 2016).poverty_line == Decimal("3500")


def test_a_line_for_another_area_does_not_apply(tree, county_user, household):
    PovertyLine.objects.create(year=2016, amount=Decimal("3146"))
    PovertyLine.objects.create(year=2016, area=tree["township_b"], kind=LineKind.CITY, amount=Decimal("9000"))
    assert save(county_user, household, 2016).poverty_line == Decimal("3146")


def test_a_line_of_another_year_does_not_apply(county_user, household):
    PovertyLine.objects.create(year=2015, amount=Decimal("2855"))
    rec = save(county_user, household, 2016)
    assert rec.poverty_line is None
    assert rec.above_line is None


def test_the_monitoring_line_is_not_taken_for_the_poverty_line(tree, county_user, household):
    PovertyLine.objects.create(year=2021, amount=Decimal("4000"))
    PovertyLine.objects.create(
        year=2021, area=tree["province"], kind=LineKind.MONITORING, amount=Decimal("6000")
    )
    PovertyLine.objects.create(year=2021, kind=LineKind.MONITORING, amount=Decimal("6500"))
    assert save(county_user, household, 2021).poverty_line == Decimal("4000")
    assert services.poverty_line_for(2021, household.area, kind=LineKind.MONITORING).amount == Decimal("6000")


def test_a_poverty_line_must_be_positive(county_user):
    with refused("amount"):
        services.poverty_line_set(actor=county_user, year=2016, amount=Decimal("-1"))
    assert not PovertyLine.objects.exists()


def test_setting_a_poverty_line_is_audited(county_user):
    services.poverty_line_set(actor=county_user, year=2016, amount=Decimal("3146"))
    services.poverty_line_set(actor=county_user, year=2016, amount=Decimal("3200"))
    services.poverty_line_set(actor=county_user, year=2016, amount="3200.00")  # the same value again
    line = PovertyLine.objects.get()
    assert line.amount == Decimal("3200")
    kinds = list(
        AuditEvent.objects.filter(entity="registry.povertyline").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [AuditKind.CREATE, AuditKind.UPDATE]


money = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)


@given(
    wage=money,
    business=money,
    prop=money,
    transfer=money,
    expense=money,
    people=st.integers(min_value=1, max_value=20),
)
@settings(max_examples=200, deadline=None)
def test_derivation_is_incomes_minus_expense_over_people(wage, business, prop, transfer, expense, people):
    rec = YearlyRecord(
        year=2016,
        member_count=people,
        wage_income=wage,
        business_income=business,
        property_income=prop,
        transfer_income=transfer,
        business_expense=expense,
    )
    rec.derive()
    assert rec.net_income == wage + business + prop + transfer - expense
    assert abs(rec.per_capita_income * people - rec.net_income) <= Decimal("0.005") * people
    assert rec.per_capita_income == rec.per_capita_income.quantize(Decimal("0.01"))
