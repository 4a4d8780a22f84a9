"""registry.rules, rule by rule: the one answer the services, forms, API, importer and demo share."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.lib import idnumber
from fupin.registry import rules, services
from fupin.registry.choices import LineKind, Procedure, Relation, Status
from fupin.registry.models import PovertyLine

# --- code widths ------------------------------------------------------------------------------------


def test_codes_are_12_digit_statistical_codes_with_a_3_digit_group_suffix():
    assert rules.LEVEL_WIDTHS == (2, 4, 6, 9, 12, 15)
    assert rules.STATISTICAL_CODE_WIDTH == 12 and rules.GROUP_SUFFIX_WIDTH == 3
    assert [rules.code_width(level) for level in Level.values] == list(rules.LEVEL_WIDTHS)


def test_path_prefixes_list_the_area_and_its_ancestors_top_down():
    assert rules.path_prefixes("530324100201001") == ["53", "5303", "530324", "530324100", "530324100201",
                                                      "530324100201001"]
    assert rules.path_prefixes("530324") == ["53", "5303", "530324"]


@pytest.mark.parametrize(("paths", "common"), [
    (["530324100201", "530324100202"], "530324100"),
    (["530324100201001", "530324100201002"], "530324100201"),
    (["530324100201", "530324101201"], "530324"),
    (["530324100201"], "530324100201"),
    (["530324100201", "520324100201"], ""),
    ([], ""),
])
def test_the_common_path_is_the_deepest_area_holding_all(paths, common):
    assert rules.common_path(paths) == common


# --- the status machine -----------------------------------------------------------------------------


def test_every_status_has_a_row_and_any_status_but_cancelled_may_be_cancelled():
    table = rules.HOUSEHOLD_STATUS.as_dict()
    assert set(table) == set(Status.values)
    assert table[Status.CANCELLED] == frozenset()
    assert all(Status.CANCELLED in table[s] for s in Status.values if s != Status.CANCELLED)
    assert rules.next_statuses(Status.POOR) == {Status.EXITED, Status.CANCELLED}
    assert rules.next_statuses("bogus") == frozenset()


def test_reference_2_paths_are_steps_and_going_back_is_not():
    for a, b in [(Status.APPLYING, Status.POOR), (Status.POOR, Status.EXITED), (Status.EXITED, Status.EXITED_STABLE),
                 (Status.EXITED, Status.RETURNED), (Status.RETURNED, Status.EXITED)]:
        assert rules.transition_error(a, b) is None
    assert rules.transition_error(Status.EXITED, Status.POOR) == "不能从“已脱贫(享受政策)”变更为“贫困户(未脱贫)”"
    assert rules.transition_error(Status.POOR, Status.POOR) is not None
    assert "rich" in rules.transition_error(Status.POOR, "rich")


def test_an_import_may_take_any_step_but_cancelling():
    assert rules.transition_error(Status.POOR, Status.EXITED, procedure=Procedure.IMPORT) is None
    assert rules.transition_error(Status.POOR, Status.CANCELLED, procedure=Procedure.IMPORT) == \
        "注销须在系统中办理并注明原因，不能通过导入完成"
    assert rules.transition_error(Status.POOR, Status.CANCELLED, procedure=Procedure.ADJUSTMENT) is None
    # A step outside the table stays "outside the table", whoever asks.
    assert "不能从" in rules.transition_error(Status.CANCELLED, Status.POOR, procedure=Procedure.IMPORT)


def test_the_fields_that_move_with_a_status():
    day = datetime.date(2018, 11, 20)
    assert rules.step_values(Status.EXITED, date=day) == {"exit_year": 2018}
    assert rules.step_values(Status.EXITED, date=day, exit_year=2017) == {"exit_year": 2017}
    assert rules.step_values(Status.CANCELLED, date=day, cancel_reason="merged") == {"cancel_reason": "merged"}
    assert rules.step_values(Status.RETURNED, date=day) == {}


def test_a_cancelled_household_is_closed():
    assert [s for s in Status.values if rules.is_closed(s)] == [Status.CANCELLED]
    assert rules.closed_error("H1") == "户 H1 已注销，不能再修改"


# --- the status a new household starts in -----------------------------------------------------------

ALL_BUT_CANCELLED = set(Status.values) - {Status.CANCELLED}
EXPECTED_STARTS = {
    Procedure.REGISTRATION: {Status.APPLYING, Status.POOR},
    Procedure.IDENTIFICATION: {Status.APPLYING, Status.POOR},
    Procedure.MONITORING: {Status.MONITOR_RISK},
    Procedure.IMPORT: ALL_BUT_CANCELLED,
    Procedure.DEMO: ALL_BUT_CANCELLED,
    Procedure.EXIT: set(),
    Procedure.ADJUSTMENT: set(),
    Procedure.CORRECTION: set(),
}


def test_every_procedure_has_a_decided_set_of_starting_statuses():
    assert set(EXPECTED_STARTS) == set(Procedure.values)
    for procedure, statuses in EXPECTED_STARTS.items():
        assert rules.initial_statuses(procedure) == statuses, procedure
        for status in Status.values:
            assert (rules.initial_status_error(status, procedure) is None) == (status in statuses), (procedure, status)


def test_a_refused_initial_status_names_the_procedure_and_the_choices():
    assert rules.initial_status_error(Status.EXITED, Procedure.REGISTRATION) == \
        "新户（建档立卡登记）不能直接设为“已脱贫(享受政策)”，只能是：申请中、贫困户(未脱贫)"
    assert "注销" in rules.initial_status_error(Status.CANCELLED, Procedure.IMPORT)
    assert rules.initial_status_error(Status.POOR, Procedure.EXIT) == "“脱贫退出”不能登记新户"
    assert "未知的户状态“bogus”" in rules.initial_status_error("bogus", Procedure.REGISTRATION)


# --- procedures a person may name --------------------------------------------------------------------


@pytest.mark.parametrize("procedure", Procedure.values)
def test_only_correction_adjustment_and_monitoring_are_manual(procedure):
    error = rules.manual_procedure_error(procedure)
    manual = procedure in (Procedure.CORRECTION, Procedure.ADJUSTMENT, Procedure.MONITORING)
    assert (error is None) == manual
    if not manual:
        assert str(Procedure(procedure).label) in error and "信息更正、动态调整、防返贫监测" in error


def test_an_unknown_procedure_is_refused_by_name():
    assert "未知的程序“magic”" in rules.manual_procedure_error("magic")


# --- one head, one person ------------------------------------------------------------------------------


@pytest.mark.parametrize(("relations", "heads"), [
    ([Relation.HEAD], None), ([Relation.HEAD, Relation.SPOUSE, Relation.SON], None),
    ([Relation.SPOUSE], 0), ([], 0), ([Relation.HEAD, Relation.HEAD], 2),
])
def test_a_household_has_exactly_one_head(relations, heads):
    error = rules.head_count_error(relations)
    if heads is None:
        assert error is None
    else:
        assert error == f"每户必须有且只有一名户主（现有 {heads} 名）"


def test_a_person_is_their_18_digit_number_whatever_the_document():
    number = idnumber.make("530324", datetime.date(1985, 4, 4), 7, "1")
    old = number[:6] + number[8:17]  # the 15-digit number of the same person
    assert rules.citizen_id(number) == rules.citizen_id(old) == rules.citizen_id(number + "42") == number
    assert rules.citizen_id(number.lower()) == number
    assert rules.citizen_id(" 1234 ") == "1234"  # unreadable: compared as typed, its own error is elsewhere


def test_repeats_point_at_the_first_occurrence():
    assert rules.repeats(["a", "b", "a", "", "", "b", "a"]) == {2: 0, 5: 1, 6: 0}
    assert rules.repeated_person_error(4) == "同一户内证件号码重复（与第 4 行）"


def test_the_other_household_is_named_and_the_number_masked():
    number = idnumber.make("530324", datetime.date(1985, 4, 4), 7, "1")
    message = rules.person_elsewhere_error(number, "5303241002010001")
    assert "5303241002010001" in message and number not in message and policy.mask_id(number) in message
    assert "一个人只能属于一户" in message


# --- income ---------------------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)


@given(wage=money, business=money, prop=money, transfer=money, expense=money, people=st.integers(0, 20))
@settings(max_examples=100, deadline=None)
def test_net_income_is_incomes_minus_expense_and_per_head_to_the_fen(wage, business, prop, transfer, expense,
                                                                    people):
    net, per_head = rules.derive_income(wage=wage, business=business, property_=prop, transfer=transfer,
                                        expense=expense, member_count=people)
    assert net == wage + business + prop + transfer - expense
    assert per_head == ((net / people).quantize(Decimal("0.01")) if people else 0)


# --- poverty lines --------------------------------------------------------------------------------------

L = rules.Line
VILLAGE = "530324100201"
LINES = [
    L(2016, LineKind.NATIONAL, Decimal("2952")),
    L(2016, LineKind.PROVINCIAL, Decimal("3300"), "53"),
    L(2016, LineKind.CITY, Decimal("3500"), "530324"),
    L(2016, LineKind.CITY, Decimal("9000"), "530324101"),  # another township
    L(2016, LineKind.MONITORING, Decimal("6000"), "530324100201"),
    L(2017, LineKind.NATIONAL, Decimal("2952")),
]


@pytest.mark.parametrize(("year", "path", "kind", "amount"), [
    (2016, VILLAGE, None, "3500"),  # the county's line is the deepest on the village's path
    (2016, "530324101201", None, "9000"),
    (2016, "5303", None, "3300"),
    (2016, "", None, "2952"),
    (2016, "520324100201", None, "2952"),  # another province: national
    (2017, VILLAGE, None, "2952"),
    (2016, VILLAGE, LineKind.MONITORING, "6000"),  # asked for by kind only
    (2016, "530324100202", LineKind.MONITORING, None),
    (2018, VILLAGE, None, None),
])
def test_the_most_specific_line_wins(year, path, kind, amount):
    line = rules.resolve_poverty_line(LINES, year=year, area_path=path, kind=kind)
    assert (line.amount if line else None) == (Decimal(amount) if amount else None)
    if kind is None:
        assert rules.PovertyLines(LINES).amount(year, path) == (Decimal(amount) if amount else None)


def test_between_standards_of_one_area_the_more_local_wins():
    lines = [L(2016, LineKind.NATIONAL, Decimal("2952"), "53"), L(2016, LineKind.PROVINCIAL, Decimal("3300"), "53")]
    assert rules.resolve_poverty_line(lines, year=2016, area_path=VILLAGE).amount == Decimal("3300")
    assert rules.resolve_poverty_line(reversed(lines), year=2016, area_path=VILLAGE).amount == Decimal("3300")


@pytest.mark.django_db
def test_the_service_and_the_bulk_table_agree_with_the_rule(tree):
    PovertyLine.objects.filter(year=2016).delete()
    PovertyLine.objects.create(year=2016, amount=Decimal("2952"))
    PovertyLine.objects.create(year=2016, area=tree["province"], kind=LineKind.PROVINCIAL, amount=Decimal("3300"))
    PovertyLine.objects.create(year=2016, area=tree["township_a"], kind=LineKind.CITY, amount=Decimal("3600"))
    table = services.poverty_lines()
    for area in (tree["village_a1"], tree["village_b1"], tree["county"]):
        assert services.poverty_line_for(2016, area).amount == table.amount(2016, area.path)
    assert table.amount(2016, tree["village_a1"].path) == Decimal("3600")
    assert table.amount(2016, tree["village_b1"].path) == Decimal("3300")
