"""Issue 11, finding 1: an edit that lands between an import's check and its write is never lost.

The import used to write every changed household with the union of the batch's changed columns from
its stale read: a house area changed through the API meanwhile went back, unaudited, and the version
did not move past the API's. Now each record gets only its own changed columns, under the version the
check read; a household saved by someone else since the check stops the import (nothing written)."""

from __future__ import annotations

import io

import pytest

from fupin.audit.models import AuditEvent
from fupin.registry import services
from fupin.registry.models import Household
from fupin.sheets.importer import ImportRefused, apply_plan, plan_import
from fupin.sheets.reader import read_table
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes

pytestmark = pytest.mark.django_db


def sheet(households: list[Household], **cells: str):
    rows = [STANDARD_HEADERS]
    for h in households:
        for m in h.members.filter(active=True).order_by("-relation"):
            values = {"户编号": h.number, "区划代码": h.area.code, "姓名": m.name, "证件号码": m.id_number,
                      "与户主关系": m.get_relation_display(), **cells.get(h.number, {})}
            rows.append([values.get(header) for header in STANDARD_HEADERS])
    return read_table(io.BytesIO(xlsx_bytes(rows)), "乡镇上报.xlsx")


@pytest.fixture
def two(tree, county_user):
    from tests import factories

    return [factories.household(tree["village_a1"], actor=county_user, number="5303241002010101", bank_name="信用社"),
            factories.household(tree["village_a1"], actor=county_user, number="5303241002010102")]


def test_an_edit_between_check_and_write_stops_the_import_and_is_kept(two, county_user):
    a, b = two
    plan = plan_import(sheet(two, **{a.number: {"开户银行": "农业银行"}, b.number: {"住房面积": "88"}}),
                       actor=county_user)
    assert plan.valid
    # Meanwhile someone corrects A's house area (as the API's PATCH does, through the service).
    services.household_update(actor=county_user, household=a, data={"house_area": "120"})
    version = Household.objects.get(pk=a.pk).version
    audits = AuditEvent.objects.count()

    with pytest.raises(ImportRefused, match=f"{a.number}.*已被他人修改"):
        apply_plan(plan, actor=county_user)

    a.refresh_from_db()
    b.refresh_from_db()
    assert (str(a.house_area), a.bank_name, a.version) == ("120.00", "信用社", version)
    assert str(b.house_area) != "88.00"  # all or nothing: B is not written either
    assert AuditEvent.objects.count() == audits


def test_an_import_writes_only_the_columns_it_changes_for_each_household(two, county_user):
    """Two households changing different columns: each keeps everything the sheet did not change."""
    a, b = two
    plan = plan_import(sheet(two, **{a.number: {"开户银行": "农业银行"}, b.number: {"住房面积": "88"}}),
                       actor=county_user)
    # A column of B's that the sheet leaves alone changes after the check (a bulk correction that does
    # not move versions): writing B must not put back the check's read of it.
    Household.objects.filter(pk=b.pk).update(bank_name="邮储银行")
    apply_plan(plan, actor=county_user)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.bank_name == "农业银行" and b.bank_name == "邮储银行" and str(b.house_area) == "88.00"
    assert a.version > 1 and b.version > 1


def test_the_same_file_applied_twice_changes_nothing_the_second_time(two, county_user):
    """Issue 11, finding 4: two checks of one file, applied one after the other (two CLI runs at once):
    the second finds the records it read changed and writes nothing."""
    a, b = two
    table = sheet(two, **{a.number: {"开户银行": "农业银行"}})
    first, second = plan_import(table, actor=county_user), plan_import(table, actor=county_user)
    apply_plan(first, actor=county_user)
    version = Household.objects.get(pk=a.pk).version
    audits = AuditEvent.objects.count()
    with pytest.raises(ImportRefused):
        apply_plan(second, actor=county_user)
    assert Household.objects.get(pk=a.pk).version == version and AuditEvent.objects.count() == audits
