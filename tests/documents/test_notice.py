"""The printed public notices (两公示一公告, exit 公示/公告): plain data → an A4 PDF with the title of its
kind, the issuing body, the list with ID numbers masked through the policy, the period, where objections
go; a long list runs over pages with the table header on each and no row split; bad data is refused in
Chinese naming the entry."""

from __future__ import annotations

import datetime
import json
import subprocess

import pytest
from django.core.exceptions import ValidationError

from fupin.accounts import policy
from fupin.documents import notices
from fupin.documents.notices import Area, Entry, Hotline, Period
from fupin.documents.render import UnprintableText

from .test_render import needs_poppler, pdf_text, squeezed

VILLAGE = Area(county="罗平县", township="甲乡", village="甲一村")
COUNTY = Area(county="罗平县", township="甲乡")
PERIOD = Period(datetime.date(2026, 12, 7), datetime.date(2026, 12, 13))
HOTLINE = Hotline(phone="0874-8212345", address="甲一村村民委员会办公室")
ISSUED = datetime.date(2026, 12, 6)
LONG = "因残：配偶二级肢体残疾，家庭主要劳力外出困难，收入低于当年扶贫标准，"


def id_number(i: int) -> str:
    """A distinct 18-digit number per entry: its last four digits are the entry's number."""
    return f"53032419{60 + i % 40:02d}{1 + i % 12:02d}{1 + i % 28:02d}{i:04d}"


def entries(n: int, *, village: str = "") -> list[Entry]:
    surnames, given = "王李张刘陈杨赵黄周吴", "文明建国秀英志强玉兰德华"
    return [Entry(name=surnames[i % 10] + given[i % 12] + given[(i * 7) % 12], members=1 + i % 6,
                  id_number=id_number(i), group=f"第{1 + i % 9}村民小组", village=village,
                  # every third reason wraps over two lines; its end is unique: 核{i}号
                  reason=(LONG if i % 3 == 0 else "缺劳力") + f"核{i}号")
            for i in range(1, n + 1)]


def pages(pdf: bytes) -> list[str]:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [squeezed(subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-", "-"], input=pdf,
                                    capture_output=True, check=True).stdout.decode())
            for p in range(1, count + 1)]


@needs_poppler
def test_the_first_village_notice_shows_title_body_names_period_hotline_and_masked_ids():
    listed = entries(12)
    pdf = notices.notice_pdf("first", VILLAGE, listed, PERIOD, HOTLINE, ISSUED)
    assert pdf.startswith(b"%PDF-")
    text = squeezed(pdf_text(pdf))
    for expected in ("罗平县甲乡甲一村", "2026年扶贫对象识别第一次公示", "村级初选对象", "甲一村村民委员会",
                     "序号户主姓名家庭人口证件号码所在组申请理由／致贫原因",
                     "公示期：2026年12月7日至2026年12月13日（共7天）", "异议受理电话：0874-8212345",
                     "异议受理地址：甲一村村民委员会办公室", "2026年12月6日", "（盖章）", "公示名单共12户",
                     "第1页，共1页"):
        assert squeezed(expected) in text, expected
    for e in listed:
        assert e.name in text and squeezed(e.reason) in text
        masked = e.id_number[:6] + "********" + e.id_number[-4:]
        assert masked in text
        # never the whole number, nor its birth date and order code
        assert e.id_number not in text and e.id_number[6:14] not in text


def test_ids_are_masked_by_the_policy_and_nothing_whole_is_in_the_data():
    listed = entries(5)
    data = notices.notice_data("second", VILLAGE, listed, PERIOD, HOTLINE, ISSUED)
    assert [e["id_number"] for e in data["entries"]] == [policy.mask_id(e.id_number) for e in listed]
    dumped = json.dumps(data, ensure_ascii=False)
    assert not any(e.id_number in dumped or e.id_number[6:14] in dumped for e in listed)


@pytest.mark.parametrize(("kind", "area", "title", "issuer", "columns"), [
    ("first", VILLAGE, "2026年扶贫对象识别第一次公示", "甲一村村民委员会", ("所在组", "申请理由／致贫原因")),
    ("second", VILLAGE, "2026年扶贫对象识别第二次公示", "甲乡人民政府", ("所在组", "申请理由／致贫原因")),
    ("county", COUNTY, "2026年扶贫对象识别公告", "罗平县扶贫开发领导小组", ("所在村组", "致贫原因")),
    ("exit_notice", VILLAGE, "2026年拟退出贫困户公示", "甲一村村民委员会", ("所在组", "退出依据")),
    ("exit_announcement", COUNTY, "2026年退出贫困户公告", "罗平县扶贫开发领导小组", ("所在村组", "退出依据")),
])
def test_each_kind_has_its_title_issuing_body_and_columns(kind, area, title, issuer, columns):
    data = notices.notice_data(kind, area, entries(2, village="甲二村"), PERIOD, HOTLINE, ISSUED)
    assert (data["title"], data["issuer"], data["place_header"], data["reason_header"]) == (title, issuer, *columns)
    word = "公告" if kind in ("county", "exit_announcement") else "公示"
    assert data["word"] == word and data["exit"] == kind.startswith("exit")
    # a county-wide list says which village each group is in
    assert data["entries"][0]["group"] == ("甲二村第2村民小组" if area is COUNTY else "第2村民小组")


@needs_poppler
def test_an_announcement_prints_its_own_words():
    text = squeezed(pdf_text(notices.notice_pdf("exit_announcement", COUNTY, entries(3, village="甲二村"), PERIOD,
                                                HOTLINE, ISSUED)))
    for expected in ("2026年退出贫困户公告", "罗平县扶贫开发领导小组", "所在村组", "退出依据", "甲二村第2村民小组",
                     "公告期：2026年12月7日至2026年12月13日"):
        assert expected in text, expected
    assert "公示期" not in text


@needs_poppler
def test_five_hundred_names_run_over_pages_with_the_header_on_each_and_no_row_split():
    listed = entries(500, village="甲二村")
    pdf = notices.notice_pdf("county", COUNTY, listed, PERIOD, HOTLINE, ISSUED)
    texts = pages(pdf)
    assert len(texts) >= 10
    for n, text in enumerate(texts, start=1):
        for header in ("序号", "户主姓名", "家庭人口", "证件号码", "所在村组", "致贫原因"):
            assert header in text, (n, header)
        assert f"第{n}页，共{len(texts)}页" in text
        if n > 1:
            assert "罗平县甲乡2026年扶贫对象识别公告（续）" in text
    for i, e in enumerate(listed, start=1):
        masked = policy.mask_id(e.id_number)
        on = [n for n, text in enumerate(texts) if masked in text]
        assert len(on) == 1, (i, on)  # every entry printed once
        # the whole row on that page: name and the reason's end (which wraps for every third entry)
        assert e.name in texts[on[0]] and f"核{i}号" in texts[on[0]], i
        assert e.id_number not in texts[on[0]]
    assert "公告期" in texts[-1] and "罗平县扶贫开发领导小组" in texts[-1]


def test_an_unprintable_character_is_a_chinese_error_naming_the_entry():
    listed = entries(4)
    listed[2] = Entry(name="李𬌗", members=3, id_number=id_number(3), group="第1村民小组", reason="因病✔")
    with pytest.raises(UnprintableText) as info:
        notices.notice_pdf("first", VILLAGE, listed, PERIOD, HOTLINE, ISSUED)
    messages = info.value.messages
    assert "名单第 3 户（李𬌗）的户主姓名“李𬌗”中的“𬌗”（U+2C317）不在打印字体中" in messages[0]
    assert "名单第 3 户（李𬌗）的申请理由／致贫原因“因病✔”中的“✔”" in messages[1]
    assert len(messages) == 2


def test_bad_data_is_refused_in_chinese_naming_each_problem():
    listed = entries(3)
    listed[1] = Entry(name=" ", members=0, id_number="", group="", reason="")
    short = Period(datetime.date(2026, 12, 7), datetime.date(2026, 12, 12))
    with pytest.raises(ValidationError) as info:
        notices.notice_pdf("first", Area(county="罗平县", township="甲乡"), listed, short,
                           Hotline(phone="", address="村委会"), ISSUED)
    assert info.value.messages == [
        "村级公示须填写村名。",
        "名单第 2 户（未填姓名）：户主姓名不能为空。",
        "名单第 2 户（未填姓名）：家庭人口应为正整数，现为“0”。",
        "公示期为 6 天，不足规定的 7 天。",
        "未填写异议受理电话。",
    ]
    with pytest.raises(ValidationError, match="没有“third”这种公示"):
        notices.notice_data("third", VILLAGE, listed, PERIOD, HOTLINE, ISSUED)
    with pytest.raises(ValidationError, match="公示名单为空"):
        notices.notice_data("first", VILLAGE, [], PERIOD, HOTLINE, ISSUED)
    backwards = Period(datetime.date(2026, 12, 7), datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError, match="公示结束日期2026年12月1日早于开始日期2026年12月7日"):
        notices.notice_data("first", VILLAGE, entries(1), backwards, HOTLINE, ISSUED)


def test_the_minimum_period_is_a_parameter():
    short = Period(datetime.date(2026, 12, 7), datetime.date(2026, 12, 11))
    assert notices.notice_data("first", VILLAGE, entries(1), short, HOTLINE, ISSUED, min_days=5)["period"] == {
        "start": "2026年12月7日", "end": "2026年12月11日", "days": "5"}
    with pytest.raises(ValidationError, match="不足规定的 10 天"):
        notices.notice_data("first", VILLAGE, entries(1), PERIOD, HOTLINE, ISSUED, min_days=10)


@needs_poppler
def test_a_tall_row_moves_to_the_next_page_whole():
    # Rows of six or seven lines: the space left at the foot of a page is nearly always too short for one.
    listed = [Entry(name=e.name, members=e.members, id_number=e.id_number, group=e.group,
                    reason=LONG * (3 + i % 2) + f"核{i}号") for i, e in enumerate(entries(40), start=1)]
    texts = pages(notices.notice_pdf("first", VILLAGE, listed, PERIOD, HOTLINE, ISSUED))
    assert len(texts) >= 3
    for i, e in enumerate(listed, start=1):
        on = [n for n, text in enumerate(texts) if policy.mask_id(e.id_number) in text]
        assert len(on) == 1 and f"核{i}号" in texts[on[0]], (i, on)
        assert texts[on[0]].count(f"核{i}号") == 1


def test_an_unprintable_place_name_is_named_as_typed_once():
    with pytest.raises(UnprintableText) as info:
        notices.notice_pdf("first", Area(county="罗平县", township="甲乡", village="𬌗村"), entries(2), PERIOD,
                           HOTLINE, ISSUED)
    assert len(info.value.messages) == 1
    assert info.value.messages[0].startswith("村名“𬌗村”中的“𬌗”（U+2C317）不在打印字体中")


def test_an_unprintable_character_in_an_id_number_is_reported_masked():
    listed = [Entry(name="王五", members=2, id_number="53032419600101123✔", group="第1村民小组", reason="缺劳力")]
    with pytest.raises(UnprintableText) as info:
        notices.notice_pdf("first", VILLAGE, listed, PERIOD, HOTLINE, ISSUED)
    assert info.value.messages == [info.value.messages[0]]
    assert info.value.messages[0].startswith("名单第 1 户（王五）的证件号码“530324********123✔”中的“✔”")
