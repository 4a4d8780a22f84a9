"""The import template: the contract's header, text-formatted identifier columns, drop-downs fed by a
hidden 代码表 whose named ranges hold exactly the choices' labels, and a guide to every column."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from openpyxl.utils import get_column_letter, range_boundaries

from fupin.sheets.columns import COLUMNS
from fupin.sheets.export import choice_labels
from fupin.sheets.template import (
    CODES_SHEET_NAME,
    GUIDE_SHEET_NAME,
    SHEET_NAME,
    build_template,
    list_name,
    template_rows,
)

LETTER = {c.header: get_column_letter(i + 1) for i, c in enumerate(COLUMNS)}


def columns(ws) -> dict[str, object]:
    """{letter: column dimension}: xlsxwriter writes neighbouring columns of the same width and
    format as one <col min max>, which openpyxl keeps under the first letter only."""
    out = {}
    for dim in ws.column_dimensions.values():
        for i in range(dim.min, dim.max + 1):
            out[get_column_letter(i)] = dim
    return out


@pytest.fixture(scope="module")
def workbook():
    buffer = io.BytesIO()
    build_template(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def test_it_opens_with_the_data_sheet_first_and_the_code_sheet_hidden(workbook):
    assert workbook.sheetnames == [SHEET_NAME, GUIDE_SHEET_NAME, CODES_SHEET_NAME]
    assert workbook[CODES_SHEET_NAME].sheet_state == "hidden"
    assert workbook.active.title == SHEET_NAME


def test_the_header_row_is_the_contract_frozen_and_sized(workbook):
    ws = workbook[SHEET_NAME]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    dims = columns(ws)
    for column in COLUMNS:
        assert dims[LETTER[column.header]].width == pytest.approx(column.width, abs=1)
    assert ws.max_row == 1  # no example rows: they would be imported


def test_identifier_columns_are_formatted_as_text(workbook):
    dims = columns(workbook[SHEET_NAME])
    for column in COLUMNS:
        fmt = dims[LETTER[column.header]].number_format
        if column.kind in ("id", "code", "digits") or column.header == "帮扶责任人电话":
            assert fmt == "@", column.header
        elif column.kind == "date":
            assert fmt == "yyyy-mm-dd"
        elif column.kind in ("money", "decimal"):
            assert fmt == "0.00"


def _validations(ws) -> dict[str, object]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            min_col, min_row, _max_col, max_row = range_boundaries(rng)
            assert (min_row, max_row) == (2, template_rows() + 1)
            out[get_column_letter(min_col)] = dv
    return out


def test_every_choice_and_bool_column_has_a_drop_down_from_a_named_range(workbook):
    validations = _validations(workbook[SHEET_NAME])
    for column in COLUMNS:
        if column.kind not in ("choice", "choices", "bool"):
            continue
        dv = validations.get(LETTER[column.header])
        assert dv is not None, column.header
        assert dv.type == "list"
        assert dv.formula1 == list_name(column)
        if column.kind == "choices":
            assert not dv.showErrorMessage  # several causes in one cell are allowed
        else:
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")  # absent: stop


def test_the_id_column_has_an_input_message_and_a_length_check(workbook):
    dv = _validations(workbook[SHEET_NAME])[LETTER["证件号码"]]
    assert dv.type == "textLength" and (dv.formula1, dv.formula2) == ("15", "22")
    assert dv.showInputMessage and "18 位" in dv.prompt and "文本" in dv.prompt


def test_the_named_ranges_hold_exactly_the_choices_labels(workbook):
    codes = workbook[CODES_SHEET_NAME]
    seen = set()
    for column in COLUMNS:
        name = list_name(column)
        if name is None or name in seen:
            continue
        seen.add(name)
        destinations = list(workbook.defined_names[name].destinations)
        assert len(destinations) == 1
        sheet, ref = destinations[0]
        assert sheet == CODES_SHEET_NAME
        values = [row[0].value for row in codes[ref.replace("$", "")]]
        expected = ["是", "否"] if column.kind == "bool" else list(choice_labels(column.choices).values())
        assert values == expected, name
    assert "L_ETHNICITY" in seen
    assert len(choice_labels(COLUMNS[[c.header for c in COLUMNS].index("民族")].choices)) == 56


def test_the_guide_explains_every_column_and_the_rules(workbook):
    guide = workbook[GUIDE_SHEET_NAME]
    rows = [[c for c in row] for row in guide.iter_rows(values_only=True)]
    text = " ".join(str(c) for row in rows for c in row if c)
    for words in ("一名家庭成员", "重复填写", "户编号和证件号码", "不会被删除", "文本格式"):
        assert words in text, words
    described = {row[1]: row for row in rows if row[1] in {c.header for c in COLUMNS}}
    assert set(described) == {c.header for c in COLUMNS}
    for column in COLUMNS:
        row = described[column.header]
        assert row[2] == ("必填" if column.required else row[2])
        if column.kind == "choice":
            assert all(label in row[3] for label in choice_labels(column.choices).values()), column.header
    assert described["证件号码"][4] and len(described["证件号码"][4]) == 18


def test_template_command_writes_the_file(tmp_path):
    out = tmp_path / "模板.xlsx"
    call_command("template", str(out), stdout=io.StringIO())
    assert openpyxl.load_workbook(out).sheetnames[0] == SHEET_NAME
    assert [p.name for p in tmp_path.iterdir()] == ["模板.xlsx"]
