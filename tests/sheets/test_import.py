"""The importer: plan (validate + compare) and apply (bulk, atomic, audited), on real sheets."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.choices import Status
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord
from fupin.sheets import importer
from fupin.sheets.importer import ERROR, WARNING, ImportCancelled, ImportRefused, apply_plan, plan_import
from fupin.sheets.reader import read_table
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, standard_row, valid_id, xlsx_bytes

pytestmark = pytest.mark.django_db

A1 = factories.VILLAGE_A1
B1 = factories.VILLAGE_B1


def family(number: str, village: str = A1, n: int = 0, **household) -> list[list]:
    """A head (male, born 1985) and his wife (born 1987), in the standard layout; ``household`` columns
    are written on both rows."""
    base = {"户编号": number, "区划代码": village, "县": None, "乡镇": None, "行政村": None, "村民小组": None,
            **household}
    name = f"户主{n}"
    return [
        standard_row(**base | {"户主姓名": name, "姓名": name, "证件号码": valid_id(n), "性别": "男",
                               "出生日期": "1985-04-04", "与户主关系": "户主"}),
        standard_row(**base | {"户主姓名": name, "姓名": f"妻{n}", "性别": "女", "出生日期": "1987-05-06",
                               "证件号码": valid_id(n + 1, born=datetime.date(1987, 5, 6), sex="2"),
                               "与户主关系": "配偶", "务工状况": None, "务工时间": 0}),
    ]


def sheet(*families, title: str | None = "罗平县建档立卡贫困户信息表", name: str = "乡镇上报.xlsx"):
    rows = [[title]] if title else []
    rows.append(STANDARD_HEADERS)
    for f in families:
        rows.extend(f)
    import io
    return read_table(io.BytesIO(xlsx_bytes(rows, merges=[(0, 0, 0, 8)] if title else [])), name)


def counts():
    return (Household.objects.count(), Member.objects.count(), YearlyRecord.objects.count(),
            StatusChange.objects.count())


def test_new_households_are_created_with_members_history_and_audit(tree, county_user):
    table = sheet(family("5303241002010001", n=0), family("5303241002010002", n=10))
    plan = plan_import(table, actor=county_user)
    assert plan.valid, plan.all_problems()
    assert plan.counts()["create"] == 2
    result = apply_plan(plan, actor=county_user, ip="10.0.0.8")
    assert (result.created, result.members_created, result.yearly_created) == (2, 4, 2)
    h = Household.objects.get(number="5303241002010001")
    assert h.area.code == A1 and h.area_path == A1
    assert h.head_name == "户主0" and h.member_count == 2
    assert h.status == Status.EXITED and h.exit_year == 2017
    assert h.main_cause == "skills" and h.other_causes == ["funds"]
    assert h.phone == "13800138000" and h.bank_account == "6217000012345678901"
    wife = h.members.get(relation="spouse")
    assert wife.birth_date == datetime.date(1987, 5, 6) and wife.sex == "2"
    rec = h.yearly_records.get(year=2019)
    assert rec.transfer_income == pytest.approx(1200.5) and rec.per_capita_income == (12000 + 3000 + 1200.5 - 800) / 2
    change = h.status_changes.get()
    assert change.procedure == "import" and "乡镇上报.xlsx" in change.reason
    events = AuditEvent.objects.filter(entity="registry.household", entity_id=str(h.pk))
    assert events.get().data["source"] == "乡镇上报.xlsx"
    assert events.get().ip == "10.0.0.8" and events.get().actor == county_user
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORT).count() == 1


def test_reimporting_the_same_file_changes_nothing(tree, county_user):
    table = sheet(family("5303241002010001", n=0), family("5303241002010002", n=10))
    apply_plan(plan_import(table, actor=county_user), actor=county_user)
    before = counts()
    versions = list(Household.objects.values_list("version", flat=True))
    events = AuditEvent.objects.count()
    plan = plan_import(table, actor=county_user)
    assert plan.counts().get("unchanged") == 2 and not plan.counts().get("update")
    result = apply_plan(plan, actor=county_user)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert counts() == before
    assert list(Household.objects.values_list("version", flat=True)) == versions
    assert AuditEvent.objects.count() == events + 1  # only the import's own summary event


def test_an_updated_file_changes_only_what_changed_and_audits_it_with_the_file_name(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0), family("5303241002010002", n=10)),
                           actor=county_user), actor=county_user)
    changed = family("5303241002010001", n=0)
    for r in changed:
        r[STANDARD_HEADERS.index("联系电话")] = "13912345678"
    changed[1][STANDARD_HEADERS.index("文化程度")] = "高中"
    plan = plan_import(sheet(changed, family("5303241002010002", n=10), name="更正.xlsx"), actor=county_user)
    c = plan.counts()
    assert (c.get("update"), c.get("unchanged"), c.get("members_changed")) == (1, 1, 1)
    apply_plan(plan, actor=county_user)
    h = Household.objects.get(number="5303241002010001")
    assert h.phone == "13912345678" and h.version == 2
    assert h.members.get(relation="spouse").education == "senior"
    update = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.household")
    assert update.data["changes"] == {"phone": {"before": "13800138000", "after": "13912345678"}}
    assert update.data["source"] == "更正.xlsx"
    member_event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.member")
    assert member_event.data["changes"]["education"]["after"] == "senior"
    assert Household.objects.get(number="5303241002010002").version == 1


def test_members_missing_from_the_sheet_are_reported_not_deleted(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0)), actor=county_user), actor=county_user)
    only_head = family("5303241002010001", n=0)[:1]
    plan = plan_import(sheet(only_head), actor=county_user)
    assert plan.counts()["members_missing"] == 1
    warnings = [p for p in plan.all_problems() if p.level == WARNING and "不在表中" in p.message]
    assert warnings and "妻0" in warnings[0].message
    apply_plan(plan, actor=county_user)
    assert Member.objects.filter(active=True).count() == 2


def test_one_bad_row_refuses_its_household_and_names_row_and_column(tree, county_user):
    bad = family("5303241002010002", n=10)
    bad[1][STANDARD_HEADERS.index("证件号码")] = valid_id(11)[:-1] + ("0" if valid_id(11)[-1] != "0" else "1")
    table = sheet(family("5303241002010001", n=0), bad)
    plan = plan_import(table, actor=county_user)
    errors = [p for p in plan.all_problems() if p.level == ERROR]
    assert len(errors) == 1
    assert (errors[0].row, errors[0].header, errors[0].number) == (6, "证件号码", "5303241002010002")
    assert "校验" in errors[0].message
    with pytest.raises(ImportRefused):
        apply_plan(plan, actor=county_user, mode="all")
    assert counts() == (0, 0, 0, 0)
    result = apply_plan(plan, actor=county_user, mode="valid")
    assert (result.created, result.refused) == (1, 1)
    assert list(Household.objects.values_list("number", flat=True)) == ["5303241002010001"]


def test_rows_outside_the_users_area_are_refused(tree, township_a_user):
    table = sheet(family("5303241002010001", village=A1, n=0), family("5303241012010001", village=B1, n=10))
    plan = plan_import(table, actor=township_a_user)
    refused = [h for h in plan.households if not h.valid]
    assert [h.number for h in refused] == ["5303241012010001"]
    assert "不在您的管辖范围内" in refused[0].errors[0].message
    apply_plan(plan, actor=township_a_user)
    assert list(Household.objects.values_list("area__code", flat=True)) == [A1]


def test_an_existing_household_outside_scope_cannot_be_overwritten(tree, county_user, township_a_user):
    factories.household(tree["village_b1"], number="5303241012010001")
    plan = plan_import(sheet(family("5303241012010001", village=A1, n=0)), actor=township_a_user)
    assert not plan.valid
    # Refused without telling that it is registered outside the township (issue 11 #6).
    assert plan.households[0].errors[0].message == \
        "户编号 5303241012010001 已被其他户使用，不能导入或修改；如有疑问请联系县扶贫办核实"


def test_read_only_roles_cannot_import(tree):
    from fupin.accounts.models import Role

    leader = factories.user("leader_x", Role.LEADER, tree["county"])
    plan = plan_import(sheet(family("5303241002010001", n=0)), actor=leader)
    assert not plan.valid
    with pytest.raises(ImportRefused):
        apply_plan(plan, actor=leader)
    assert counts() == (0, 0, 0, 0)


def test_a_person_active_in_another_household_is_refused(tree, county_user):
    other = factories.household(tree["village_a2"], number="X1",
                                members=[factories.member_data(id_number=valid_id(0), sex="1",
                                                               birth=datetime.date(1985, 4, 4))])
    plan = plan_import(sheet(family("5303241002010001", n=0)), actor=county_user)
    message = plan.households[0].errors[0].message
    assert other.number in message and "只能属于一户" in message


def test_the_same_person_in_two_households_of_the_file_is_refused(tree, county_user):
    second = family("5303241002010002", n=10)
    second[1][STANDARD_HEADERS.index("证件号码")] = valid_id(1, born=datetime.date(1987, 5, 6), sex="2")
    second[1][STANDARD_HEADERS.index("出生日期")] = "1987-05-06"
    plan = plan_import(sheet(family("5303241002010001", n=0), second), actor=county_user)
    assert any("两户" in p.message and p.row == 6 for p in plan.all_problems())


def test_household_columns_may_be_filled_once_and_the_first_row_wins_when_they_differ(tree, county_user):
    rows = family("5303241002010001", n=0)
    for header in ("识别年度", "主要致贫原因", "联系电话"):
        rows[1][STANDARD_HEADERS.index(header)] = None
    plan = plan_import(sheet(rows), actor=county_user)
    assert plan.valid, plan.all_problems()
    rows[1][STANDARD_HEADERS.index("联系电话")] = "13000000000"
    plan = plan_import(sheet(rows), actor=county_user)
    assert plan.valid  # a new household: the first row's value wins, with a 提示 (issue 12, item 6)
    problem, = [p for p in plan.households[0].problems if p.header == "联系电话"]
    assert problem.level == WARNING and problem.row == 3 and "第 4 行" in problem.message
    assert plan.households[0].obj.phone == "13800138000"


def test_status_moves_along_the_status_machine(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0, 户状态="贫困户(未脱贫)", 脱贫年度=None)),
                           actor=county_user), actor=county_user)
    plan = plan_import(sheet(family("5303241002010001", n=0, 户状态="已脱贫", 脱贫年度=2018)), actor=county_user)
    assert plan.households[0].status_change == ("poor", "exited")
    apply_plan(plan, actor=county_user)
    h = Household.objects.get()
    assert (h.status, h.exit_year) == ("exited", 2018)
    assert list(h.status_changes.values_list("to_status", flat=True)) == ["poor", "exited"]
    back = plan_import(sheet(family("5303241002010001", n=0, 户状态="申请中")), actor=county_user)
    assert "不能从" in back.households[0].errors[0].message


def test_head_change_when_the_old_head_stays_in_the_sheet(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0)), actor=county_user), actor=county_user)
    rows = family("5303241002010001", n=0)
    rel = STANDARD_HEADERS.index("与户主关系")
    rows[0][rel], rows[1][rel] = "配偶", "户主"
    for r in rows:
        r[STANDARD_HEADERS.index("户主姓名")] = "妻0"
    plan = plan_import(sheet(rows), actor=county_user)
    assert plan.valid, plan.all_problems()
    apply_plan(plan, actor=county_user)
    h = Household.objects.get()
    assert h.head_name == "妻0"
    assert h.members.get(relation="head").name == "妻0"


def test_a_fault_mid_import_leaves_the_database_unchanged(tree, county_user, monkeypatch):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0)), actor=county_user), actor=county_user)
    before, events = counts(), AuditEvent.objects.count()
    changed = family("5303241002010001", n=0)
    for r in changed:
        r[STANDARD_HEADERS.index("联系电话")] = "13111111111"
    plan = plan_import(sheet(changed, family("5303241002010002", n=10)), actor=county_user)
    assert plan.counts()["update"] == 1

    real_insert = importer._insert

    def insert_then_fail(objs):
        if objs and isinstance(objs[0], importer.YearlyRecord):  # households and members are written by now
            raise RuntimeError("disk full")
        real_insert(objs)

    monkeypatch.setattr(importer, "_insert", insert_then_fail)
    with pytest.raises(RuntimeError):
        apply_plan(plan, actor=county_user)
    assert counts() == before and AuditEvent.objects.count() == events
    assert Household.objects.get().phone == "13800138000"


def test_cancel_mid_import_leaves_the_database_unchanged(tree, county_user):
    plan = plan_import(sheet(family("5303241002010001", n=0), family("5303241002010002", n=10)), actor=county_user)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1  # after the first batch was written

    with pytest.raises(ImportCancelled):
        apply_plan(plan, actor=county_user, cancel=cancel)
    assert counts() == (0, 0, 0, 0) and not AuditEvent.objects.filter(entity__startswith="registry").exists()


def test_income_without_a_year_and_a_new_household_without_area_are_errors(tree, county_user):
    rows = family("5303241002010001", n=0, 年度=None)
    for r in rows:
        r[STANDARD_HEADERS.index("区划代码")] = None
    plan = plan_import(sheet(rows), actor=county_user)
    headers = {p.header for p in plan.households[0].errors}
    assert {"年度", "区划代码"} <= headers


def test_area_by_names_and_names_must_agree_with_the_code(tree, county_user):
    rows = family("5303241002010001", n=0)
    for r in rows:
        r[STANDARD_HEADERS.index("区划代码")] = None
        r[STANDARD_HEADERS.index("乡镇")] = "甲乡"
        r[STANDARD_HEADERS.index("行政村")] = "甲一村"
    plan = plan_import(sheet(rows), actor=county_user)
    assert plan.valid, plan.all_problems()
    assert plan.households[0].area.code == A1
    for r in rows:
        r[STANDARD_HEADERS.index("区划代码")] = factories.VILLAGE_A2
    plan = plan_import(sheet(rows), actor=county_user)
    assert any(p.header == "行政村" and "不一致" in p.message for p in plan.households[0].errors)


def test_suspicious_records_are_hints_not_errors(tree, county_user):
    plan = plan_import(sheet(family("5303241002010001", n=0, 主要致贫原因="因病")), actor=county_user)
    assert plan.valid
    assert any(p.level == WARNING and "因病" in p.message for p in plan.all_problems())


def test_status_counts_per_procedure(tree, county_user):
    apply_plan(plan_import(sheet(family("5303241002010001", n=0), family("5303241002010002", n=10)),
                           actor=county_user), actor=county_user)
    assert dict(StatusChange.objects.values_list("procedure").annotate(n=Count("id"))) == {"import": 2}


def test_the_fast_audit_snapshot_equals_the_services_snapshot(tree, county_user):
    from fupin.audit.services import snapshot

    h = factories.household(tree["village_a1"], cultivated_land="2.50")
    rec = __import__("fupin.registry.services", fromlist=["x"]).yearly_record_save(
        actor=None, household=h, year=2019, data={"wage_income": "1234.50"})
    for obj in (Household.objects.get(pk=h.pk), h.members.first(), rec):
        assert importer._snapshot(obj) == snapshot(obj)


def test_an_unreadable_cell_is_reported_once(tree, county_user):
    rows = family("5303241002010001", n=0)
    rows[1][STANDARD_HEADERS.index("证件号码")] = 5.30324198704041e17  # Excel made it a number
    rows[0][STANDARD_HEADERS.index("识别年度")] = "二〇一四年"
    for r in rows:
        r[STANDARD_HEADERS.index("识别年度")] = "二〇一四年"
    plan = plan_import(sheet(rows), actor=county_user)
    errors = [(p.row, p.header) for p in plan.all_problems() if p.level == ERROR]
    assert errors.count((4, "证件号码")) == 1
    assert [h for r, h in errors if h == "识别年度"] == ["识别年度", "识别年度"]  # one per row, at the cell
