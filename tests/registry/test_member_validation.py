"""A member is refused, field by field and in Chinese, when the facts contradict the ID number or the code lists."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fupin.lib import idnumber
from fupin.registry import services
from fupin.registry.choices import RELATION_SEX, Relation, Sex
from fupin.registry.models import Household, Member
from tests import factories

from .helpers import refused

OTHER_SEX = {Sex.MALE: Sex.FEMALE, Sex.FEMALE: Sex.MALE}


@pytest.fixture
def household(tree, county_user):
    return factories.household(tree["village_a1"], actor=county_user)


def add(actor, household, **data):
    return services.member_add(actor=actor, household=household, data=data)


def test_it_refuses_an_id_number_with_a_bad_check_digit(county_user, household):
    data = factories.member_data(Relation.OTHER, "1")
    good = data["id_number"]
    data["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
    with refused("id_number", contains="校验"):
        add(county_user, household, **data)


def test_it_refuses_an_id_number_with_an_impossible_birth_date(county_user, household):
    first17 = "53032419900230123"
    number = first17 + idnumber.check_digit(first17)
    with refused("id_number", contains="1990-02-30"):
        add(
            county_user,
            household,
            name="甲",
            id_number=number,
            sex="1",
            birth_date=datetime.date(1990, 2, 28),
            relation=Relation.OTHER,
        )


def test_it_refuses_a_birth_date_that_does_not_match_the_id(county_user, household):
    data = factories.member_data(Relation.OTHER, "1", birth=datetime.date(1970, 3, 4))
    data["birth_date"] = datetime.date(1970, 3, 5)
    with refused("birth_date", contains="1970-03-04"):
        add(county_user, household, **data)


def test_it_refuses_a_birth_date_that_is_not_a_date(county_user, household):
    data = factories.member_data(Relation.OTHER, "1")
    data["birth_date"] = "1970-13-45"
    with refused("birth_date"):
        add(county_user, household, **data)


@pytest.mark.parametrize("sex", [Sex.MALE, Sex.FEMALE])
def test_it_refuses_a_sex_that_does_not_match_the_17th_digit(county_user, household, sex):
    data = factories.member_data(Relation.OTHER, sex)
    data["sex"] = OTHER_SEX[sex]
    with refused("sex", contains="第 17 位"):
        add(county_user, household, **data)


@pytest.mark.parametrize(("relation", "sex"), [(r, s) for r, s in RELATION_SEX.items()])
def test_a_relation_that_contradicts_the_sex_is_saved_for_a_cadre_to_verify(county_user, household, relation, sex):
    # REFERENCE §6.10: a 疑点, stored and reported as a finding (tests/quality), not refused.
    member = add(county_user, household, **factories.member_data(relation, OTHER_SEX[sex]))
    assert member.pk and member.relation == relation and member.sex == OTHER_SEX[sex]


def test_it_accepts_either_sex_for_relations_that_do_not_fix_it(county_user, household):
    free = [r for r in Relation.values if r not in RELATION_SEX and r != Relation.HEAD]
    assert set(free) == {Relation.SPOUSE, Relation.SIBLING, Relation.OTHER}
    for relation in free:
        for sex in Sex.values:
            member = add(county_user, household, **factories.member_data(relation, sex))
            assert member.pk and member.active


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sex", "3"),
        ("relation", "cousin"),
        ("ethnicity", "99"),
        ("education", "phd"),
        ("school_status", "kindergarten"),
        ("health", "unknown"),
        ("labour", "strong"),
        ("work_status", "abroad"),
        ("disability_category", "9"),
        ("disability_grade", "5"),
    ],
)
def test_it_refuses_an_unknown_code(county_user, household, field, value):
    data = factories.member_data(Relation.OTHER, "1")
    data[field] = value
    if field == "work_status":
        data["work_months"] = 3
    with refused(field):
        add(county_user, household, **data)


@pytest.mark.parametrize("field", ["dibao_amount", "tekun_amount"])
def test_it_refuses_a_negative_amount(county_user, household, field):
    flag = {"dibao_amount": "on_dibao", "tekun_amount": "on_tekun"}[field]
    data = factories.member_data(Relation.OTHER, "1", **{flag: True, field: Decimal("-1.00")})
    with refused(field):
        add(county_user, household, **data)


def test_it_refuses_an_allowance_without_the_benefit(county_user, household):
    data = factories.member_data(Relation.OTHER, "1", on_dibao=False, dibao_amount=Decimal("1200"))
    with refused("dibao_amount", contains="低保"):
        add(county_user, household, **data)


@pytest.mark.parametrize("months", [-1, 13])
def test_it_refuses_migrant_work_months_outside_0_to_12(county_user, household, months):
    data = factories.member_data(Relation.OTHER, "1", work_status="outside", work_months=months)
    with refused("work_months"):
        add(county_user, household, **data)


def test_a_work_place_type_without_months_is_saved_for_a_cadre_to_verify(county_user, household):
    # REFERENCE §6.8: a 疑点 (tests/quality), not refused.
    member = add(county_user, household, **factories.member_data(Relation.OTHER, "1", work_status="outside"))
    assert (member.work_status, member.work_months) == ("outside", 0)


def test_it_refuses_a_disability_certificate_of_somebody_else(county_user, household):
    data = factories.member_data(Relation.OTHER, "1", health="disabled")
    data["disability_cert_no"] = factories.person_id() + "41"
    with refused("disability_cert_no", contains="前 18 位"):
        add(county_user, household, **data)


def test_it_refuses_a_disability_certificate_that_is_a_plain_id(county_user, household):
    data = factories.member_data(Relation.OTHER, "1", health="disabled")
    data["disability_cert_no"] = data["id_number"]
    with refused("disability_cert_no", contains="20 位"):
        add(county_user, household, **data)


def test_it_accepts_the_holders_disability_certificate(county_user, household):
    data = factories.member_data(
        Relation.OTHER, "1", health="disabled", disability_category="4", disability_grade="2"
    )
    data["disability_cert_no"] = data["id_number"] + "42"
    member = add(county_user, household, **data)
    assert member.disability_cert_no == data["id_number"] + "42"


def test_a_15_digit_id_is_stored_as_its_18_digit_upgrade(county_user, household):
    birth = datetime.date(1955, 7, 9)
    new = idnumber.make("530324", birth, 21, "2")
    old = new[:6] + new[8:17]
    member = add(
        county_user,
        household,
        name="老证",
        id_number=old,
        sex="2",
        birth_date=birth,
        relation=Relation.MOTHER,
    )
    member.refresh_from_db()
    assert member.id_number == new


def test_a_disability_certificate_number_is_accepted_as_the_document_number(county_user, household):
    data = factories.member_data(Relation.OTHER, "2")
    data["id_number"] = f" {data['id_number']}71 "
    member = add(county_user, household, **data)
    member.refresh_from_db()
    assert member.id_number == data["id_number"].strip()
    assert member.id_kind == "disability"


def test_sex_and_birth_date_left_blank_are_taken_from_the_id(county_user, household):
    birth = datetime.date(1988, 11, 30)
    member = add(
        county_user,
        household,
        name="乙",
        id_number=idnumber.make("530324", birth, 40, "2"),
        relation=Relation.OTHER,
    )
    member.refresh_from_db()
    assert member.birth_date == birth
    assert member.sex == Sex.FEMALE


@pytest.mark.parametrize("blank", [None, ""])
def test_an_unreadable_id_with_blank_sex_and_birth_date_is_the_only_error(county_user, household, blank):
    with refused("id_number", contains="实为 3 位") as info:
        add(
            county_user,
            household,
            name="丙",
            id_number="123",
            sex="",
            birth_date=blank,
            relation=Relation.OTHER,
        )
    assert set(info.value.message_dict) == {"id_number"}


def test_a_household_with_an_invalid_member_is_not_saved_at_all(tree, county_user):
    bad = factories.member_data(Relation.SPOUSE, "2")
    bad["sex"] = "1"
    with refused("sex"):
        factories.household(
            tree["village_a1"], actor=county_user, members=[factories.member_data(Relation.HEAD, "1"), bad]
        )
    assert not Household.objects.exists()
    assert not Member.objects.exists()


def test_a_member_update_is_validated_the_same_way(county_user, household):
    member = household.members.get(relation=Relation.SPOUSE)
    with refused("sex", contains="第 17 位"):
        services.member_update(actor=county_user, member=member, data={"sex": OTHER_SEX[member.sex]})
    member.refresh_from_db()
    assert member.relation == Relation.SPOUSE
