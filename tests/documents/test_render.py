"""fupin.documents.render: templates + data → PDF with the vendored font; every character checked
against the font first. Read back with pdftotext (poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from fontTools.ttLib import TTFont

from fupin.documents import render
from fupin.documents.management.commands.build_font import charset

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="pdftotext missing: apt-get install poppler-utils")


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def squeezed(text: str) -> str:
    """Without white space: a table cell may wrap a long value over two lines."""
    return "".join(text.split())


def test_the_font_is_the_simplified_chinese_face_and_an_otf_of_a_few_megabytes():
    font = TTFont(str(render.FONT_FILE))
    assert font["name"].getDebugName(1) == render.FONT_FAMILY == "Noto Sans CJK SC"
    assert "CFF " in font  # OpenType with CFF outlines, not WOFF2
    assert render.FONT_FILE.read_bytes()[:4] == b"OTTO"
    assert 2_000_000 < render.FONT_FILE.stat().st_size < 8_000_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (render.FONT_DIR / "OFL.txt").read_text()


def test_the_font_covers_every_gbk_character_and_the_rare_name_characters():
    chars = render.printable()
    for ch in "镕喆堃玥垚￥×·—…“”、。《》（），：；％①㎡℃0123456789ABCxyz":
        assert ord(ch) in chars, ch
    missing = [cp for cp in charset() if cp not in chars]
    # ≒ (U+2252) is in GBK but not in Noto Sans CJK; U+2017 … U+205E: punctuation the font never had.
    assert [cp for cp in missing if cp < 0x2000 or cp > 0x206F] == [0x2252]


def test_every_string_of_the_data_is_checked_and_the_error_names_field_value_and_character():
    data = {"household": {"number": "5303241002010011", "head_name": "赵一"},
            "members": [{"name": "钱二"}, {"name": "李𬌗"}], "note": "✔ 已核实", "count": 3, "flag": True}
    labels = {"members.*.name": "家庭成员姓名"}
    with pytest.raises(render.UnprintableText) as info:
        render.check_printable(data, labels=labels)
    problems = info.value.problems
    assert [(p.path, p.char) for p in problems] == [("members.1.name", "𬌗"), ("note", "✔")]
    first = info.value.messages[0]
    assert "家庭成员姓名（第 2 项）“李𬌗”中的“𬌗”（U+2C317）不在打印字体中" in first
    assert "note“✔ 已核实”中的“✔”（U+2714）" in info.value.messages[1]


def test_printable_data_passes_and_line_breaks_are_layout():
    render.check_printable({"a": "朱镕基 喆 堃 玥 垚\n第二行\t￥1,234.56 × 3", "b": [1, 2.5, None, False]})


def test_a_template_name_is_a_plain_file_name():
    for bad in ("../settings", "household_record.typ", "Household", "", "_fupin/x"):
        with pytest.raises(ValueError):
            render.render_pdf(bad, {})


@needs_poppler
def test_a_template_renders_its_data_to_pdf_text():
    data = {"household": {"number": "5303241002010011", "head_name": "朱镕基", "status": "贫困户",
                          "area": "罗平县 / 甲乡 / 甲一村", "address": "喆堃路 1 号", "member_count": "2",
                          "phone": "138****5678", "attribute": "一般贫困户", "standard": "国家标准",
                          "main_cause": "因病", "other_causes": "", "identified_year": "2014",
                          "exit_year_planned": "2019", "exit_year": "", "cancel_reason": ""},
            "show_health": True,
            "members": [{"name": "朱镕基", "relation": "户主", "id_number": "530324********123X", "sex": "男",
                         "age": "60", "ethnicity": "汉族", "education": "小学", "school": "非在校生",
                         "health": "健康", "labour": "普通劳动力", "work": "—"}],
            "removed": [], "income": [], "changes": [], "pairings": [],
            "printed": {"by": "县级管理员", "at": "2026-12-06 10:00", "note": "证件号码已脱敏"}}
    pdf = render.render_pdf("household_record", data)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in ("建档立卡贫困户档案", "5303241002010011", "朱镕基", "喆堃路", "530324********123X",
                     "罗平县 / 甲乡 / 甲一村", "第 1 页，共 1 页"):
        assert expected in text, expected


def test_data_is_printed_as_text_never_run_as_typst_markup(tmp_path):
    data = {"household": {k: "" for k in ("status", "area", "address", "phone", "attribute", "standard",
                                          "main_cause", "other_causes", "identified_year", "exit_year_planned",
                                          "exit_year", "cancel_reason")}
            | {"number": "1", "head_name": '#panic("x") *粗* $x$ = 标题', "member_count": "0"},
            "show_health": False, "members": [], "removed": [], "income": [], "changes": [], "pairings": [],
            "printed": {"by": "x", "at": "y", "note": "z"}}
    pdf = render.render_pdf("household_record", data)
    if shutil.which("pdftotext"):
        assert '#panic("x") *粗* $x$ = 标题' in pdf_text(pdf)


def test_typst_errors_and_warnings_are_document_errors(monkeypatch, tmp_path):
    (tmp_path / "broken.typ").write_text('#import "_nothing.typ": *\n')
    (tmp_path / "warns.typ").write_text('#set text(font: "No Such Font")\n文字\n')
    monkeypatch.setattr(render, "TEMPLATE_DIR", tmp_path)
    monkeypatch.setattr(render._local, "compiler", None, raising=False)
    with pytest.raises(render.DocumentError):
        render.render_pdf("broken", {})
    monkeypatch.setattr(render._local, "compiler", None, raising=False)
    with pytest.raises(render.DocumentError, match="unknown font family"):
        render.render_pdf("warns", {})
    monkeypatch.setattr(render._local, "compiler", None, raising=False)


def test_the_fixed_text_of_every_template_is_in_the_font():
    chars = render.printable()
    for path in render.TEMPLATE_DIR.glob("*.typ"):
        source = path.read_text()
        missing = {ch for ch in source if ord(ch) not in chars and ch not in render.LAYOUT_CHARS}
        assert not missing, (path.name, missing)
