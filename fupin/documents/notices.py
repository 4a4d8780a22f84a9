"""The printed public notices of REFERENCE §3 (两公示一公告) and of exit (§4): A4 sheets for the notice
board, as PDF through fupin.documents.render.

    from fupin.documents.notices import Area, Entry, Hotline, Period, notice_pdf
    pdf = notice_pdf("first", Area(county="罗平县", township="甲乡", village="甲一村"), entries,
                     Period(start, end), Hotline(phone="0874-8212345", address="甲一村村委会"), issued_on)

Plain data in, bytes out: the identification and exit cases will hand their households over later.
A notice hangs on a wall, so it shows only what REFERENCE §3 lets a notice show: the head's name, the
household size, the group, the reason, and the ID number **masked** through the policy
(``policy.mask_id``, for everyone: nobody's notice carries a whole number). ``notice_data`` is what
is printed; the public notice board can show the same dict, so the web and the paper mask alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.documents.render import check_printable, render_pdf

TEMPLATE = "notice"

#: A notice runs at least this many days, the first and the last included (REFERENCE §3: 7 days,
#: configurable: callers pass the configured minimum as ``min_days``).
DEFAULT_MIN_DAYS = 7


@dataclass(frozen=True)
class Kind:
    """One kind of notice: its title, who issues it, what the reason column says."""

    word: str  # "公示" or "公告": the period is a 公示期 or a 公告期
    title: str  # after "<year>年": "扶贫对象识别第一次公示"
    subtitle: str  # "（村级初选对象）"
    issuer: str  # "village" | "township" | "county"
    reason_header: str  # "致贫原因" or "退出依据"
    lead: str  # the paragraph above the table; %(year)s, %(place)s
    exit: bool = False
    #: The list is of villages (贫困村退出), not households: no size, no ID number; ``group`` is the township.
    villages: bool = False


KINDS: dict[str, Kind] = {
    "first": Kind(
        word="公示", title="扶贫对象识别第一次公示", subtitle="村级初选对象", issuer="village", reason_header="申请理由／致贫原因",
        lead="根据精准扶贫建档立卡工作要求，经农户申请、村民小组评议、村民代表大会民主评定，"
             "现将%(place)s%(year)s年拟识别贫困户初选对象名单予以公示。"),
    "second": Kind(
        word="公示", title="扶贫对象识别第二次公示", subtitle="乡镇审核", issuer="township", reason_header="申请理由／致贫原因",
        lead="经村级初选、第一次公示、入户核查和乡镇人民政府审核，现将%(place)s%(year)s年"
             "拟识别贫困户名单予以第二次公示。"),
    "county": Kind(
        word="公告", title="扶贫对象识别公告", subtitle="县级公告", issuer="county", reason_header="致贫原因",
        lead="经村级评定、两次公示和乡镇审核，县扶贫开发领导小组确认，现将%(place)s%(year)s年"
             "识别的贫困户名单予以公告。"),
    "exit_notice": Kind(
        word="公示", title="拟退出贫困户公示", subtitle="村级民主评议", issuer="village", reason_header="退出依据", exit=True,
        lead="经帮扶责任人和村“两委”核实、村民代表大会民主评议、贫困户本人认可，"
             "现将%(place)s%(year)s年拟退出贫困户名单予以公示。"),
    "exit_announcement": Kind(
        word="公告", title="退出贫困户公告", subtitle="县级公告", issuer="county", reason_header="退出依据", exit=True,
        lead="经村级评议公示、乡镇审核，县扶贫开发领导小组确认，现将%(place)s%(year)s年"
             "退出贫困户名单予以公告。"),
    # 贫困村退出 (REFERENCE §4): the township's notice, the county's announcement; the list is of villages.
    "village_exit_notice": Kind(
        word="公示", title="拟退出贫困村公示", subtitle="乡镇审核", issuer="township", reason_header="退出依据",
        exit=True, villages=True,
        lead="经村级申请、乡镇人民政府核查，下列行政村贫困发生率已降至规定标准以下，达到贫困村退出条件，"
             "现将%(place)s%(year)s年拟退出贫困村名单予以公示。"),
    "village_exit_announcement": Kind(
        word="公告", title="退出贫困村公告", subtitle="县级公告", issuer="county", reason_header="退出依据",
        exit=True, villages=True,
        lead="经乡镇申请并公示、县级核查，县扶贫开发领导小组批准，现将%(place)s%(year)s年"
             "退出贫困村名单予以公告。"),
    # 防返贫监测 (REFERENCE §7): the village's notice after the democratic appraisal, the county's announcement.
    "monitor_entry_notice": Kind(
        word="公示", title="拟纳入防返贫监测对象公示", subtitle="村级民主评议", issuer="village", reason_header="风险类型",
        lead="经农户申请（或干部排查、部门预警）、入户核实、数据比对和村级民主评议，"
             "现将%(place)s%(year)s年拟纳入防止返贫监测对象名单予以公示。"),
    "monitor_entry_announcement": Kind(
        word="公告", title="防返贫监测对象纳入公告", subtitle="县级公告", issuer="county", reason_header="风险类型",
        lead="经村级评议公示、乡镇审核、县级审定，现将%(place)s%(year)s年纳入防止返贫监测对象名单予以公告。"),
    "monitor_clear_notice": Kind(
        word="公示", title="拟风险消除监测对象公示", subtitle="村级民主评议", issuer="village", reason_header="消除依据",
        exit=True,
        lead="经入户核实、数据比对和村级民主评议，下列监测对象已达到风险消除条件，"
             "现将%(place)s%(year)s年拟风险消除监测对象名单予以公示。"),
    "monitor_clear_announcement": Kind(
        word="公告", title="监测对象风险消除公告", subtitle="县级公告", issuer="county", reason_header="消除依据",
        exit=True,
        lead="经村级评议公示、乡镇审核、县级审定，现将%(place)s%(year)s年风险消除监测对象名单予以公告。"),
}


@dataclass(frozen=True)
class Area:
    """Where the notice hangs: the county, township and (for village-level kinds) village names."""

    county: str
    township: str = ""
    village: str = ""


@dataclass(frozen=True)
class Entry:
    """One household on the list: the head's name, the household size, the head's ID number (whole:
    it is masked here; a number masked before stays as it is, ``policy.mask_id`` being idempotent),
    the villagers' group, the reason (致贫原因 or 退出依据). ``village``: for a notice of a township or
    county, the household's village (printed with the group). On a village-exit notice an entry is a
    village: ``name`` the village, ``group`` its township, no size and no ID number."""

    name: str
    members: int | None
    id_number: str
    group: str
    reason: str
    village: str = ""


@dataclass(frozen=True)
class Period:
    """The notice period, both days included."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Hotline:
    """Where objections go: a telephone (an office's, printed whole) and an address."""

    phone: str
    address: str


def _date(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _issuer(kind: Kind, area: Area) -> str:
    if kind.issuer == "village":
        return _("%(village)s村民委员会") % {"village": area.village}
    if kind.issuer == "township":
        return _("%(township)s人民政府") % {"township": area.township}
    return _("%(county)s扶贫开发领导小组") % {"county": area.county}


def issuer_of(kind: str, area: Area) -> str:
    """Who issues a notice of ``kind`` hung in ``area``: "甲一村村民委员会", "甲乡人民政府", …"""
    return _issuer(KINDS[kind], area)


def _check(kind_name: str, area: Area, entries: Sequence[Entry], period: Period, hotline: Hotline,
           min_days: int) -> Kind:
    """The kind, or a ValidationError listing every problem in Chinese (the entry by its number and name)."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ValidationError(_("没有“%(kind)s”这种公示。") % {"kind": kind_name}, code="kind")
    errors = []
    if not area.county.strip():
        errors.append(_("未填写县名。"))
    if kind.issuer in ("village", "township") and not area.township.strip():
        errors.append(_("未填写乡镇名。"))
    if kind.issuer == "village" and not area.village.strip():
        errors.append(_("村级公示须填写村名。"))
    if not entries:
        errors.append(_("公示名单为空。"))
    for n, e in enumerate(entries, start=1):
        who = _("名单第 %(n)s 户（%(name)s）") % {"n": n, "name": e.name.strip() or _("未填姓名")}
        if not e.name.strip():
            errors.append(who + _("：户主姓名不能为空。"))
        if kind.villages:
            continue
        if isinstance(e.members, bool) or not isinstance(e.members, int) or e.members < 1:
            errors.append(who + _("：家庭人口应为正整数，现为“%(v)s”。") % {"v": e.members})
    if period.end < period.start:
        errors.append(_("公示结束日期%(end)s早于开始日期%(start)s。") % {
            "end": _date(period.end), "start": _date(period.start)})
    elif period.days < min_days:
        errors.append(_("公示期为 %(days)s 天，不足规定的 %(min)s 天。") % {"days": period.days, "min": min_days})
    if not hotline.phone.strip():
        errors.append(_("未填写异议受理电话。"))
    if not hotline.address.strip():
        errors.append(_("未填写异议受理地址。"))
    if errors:
        raise ValidationError(errors, code="invalid")
    return kind


def notice_data(kind: str, area: Area, entries: Sequence[Entry], period: Period, hotline: Hotline,
                issued_on: datetime.date, *, year: int | None = None,
                min_days: int = DEFAULT_MIN_DAYS) -> dict[str, Any]:
    """What a notice shows, as strings (the template formats nothing): ID numbers masked.

    Raises ValidationError (Chinese, naming the entry) on an unknown kind, a missing name, a period
    shorter than ``min_days`` days, a missing hotline."""
    k = _check(kind, area, entries, period, hotline, min_days)
    place = area.county + area.township + area.village
    year = year or issued_on.year
    many_villages = not area.village
    if k.villages:
        count_line = _("%(word)s名单共 %(n)s 个行政村，具体如下：") % {"word": k.word, "n": len(entries)}
    else:
        count_line = _("%(word)s名单共 %(n)s 户 %(p)s 人（证件号码已作脱敏处理），具体如下：") % {
            "word": k.word, "n": len(entries), "p": sum(e.members or 0 for e in entries)}
    return {
        "kind": kind,
        "exit": k.exit,
        "villages": k.villages,
        "count_line": count_line,
        "place": place,
        "title": _("%(year)s年%(title)s") % {"year": year, "title": k.title},
        "subtitle": k.subtitle,
        "word": k.word,
        "lead": k.lead % {"year": year, "place": place},
        "issuer": _issuer(k, area),
        "place_header": _("所属乡镇") if k.villages else _("所在村组") if many_villages else _("所在组"),
        "reason_header": k.reason_header,
        "entries": [{
            "n": str(n), "name": e.name.strip(), "members": "" if e.members is None else str(e.members),
            "id_number": policy.mask_id(e.id_number),
            "group": e.group if k.villages else (e.village + e.group) if many_villages else e.group,
            "reason": e.reason.strip() or "—",
        } for n, e in enumerate(entries, start=1)],
        "households": str(len(entries)),
        "people": str(sum(e.members or 0 for e in entries)),
        "period": {"start": _date(period.start), "end": _date(period.end), "days": str(period.days)},
        "hotline": {"phone": hotline.phone.strip(), "address": hotline.address.strip()},
        "issued_on": _date(issued_on),
    }


def _entry_labels(names: Sequence[str], fields: dict[str, str]) -> dict[str, str]:
    """``entries.<i>.<field>`` → "名单第 3 户（李四）的户主姓名": each entry by its number and name."""
    out = {}
    for i, name in enumerate(names):
        who = _("名单第 %(n)s 户（%(name)s）的") % {"n": i + 1, "name": name}
        out.update({f"entries.{i}.{key}": who + label for key, label in fields.items()})
    return out


def check_inputs(kind: str, area: Area, entries: Sequence[Entry], hotline: Hotline) -> None:
    """UnprintableText unless every character typed in is in the print font: each error names what was
    typed (村名, 名单第 3 户（李𬌗）的户主姓名 …), not the sentence of the notice it ends up in."""
    k = KINDS[kind]
    typed = {"area": {"county": area.county, "township": area.township, "village": area.village},
             "hotline": {"phone": hotline.phone, "address": hotline.address},
             # the ID number is left to the render's check, which sees it masked: an error message
             # must not carry a whole number either
             "entries": [{"name": e.name, "village": e.village, "group": e.group, "reason": e.reason}
                         for e in entries]}
    fields = ({"name": _("村名"), "group": _("所属乡镇"), "reason": k.reason_header} if k.villages else
              {"name": _("户主姓名"), "village": _("所在村"), "group": _("所在组"), "reason": k.reason_header})
    check_printable(typed, labels={
        "area.county": _("县名"), "area.township": _("乡镇名"), "area.village": _("村名"),
        "hotline.phone": _("异议受理电话"), "hotline.address": _("异议受理地址"),
        **_entry_labels([e.name for e in entries], fields)})


def labels(data: dict[str, Any]) -> dict[str, str]:
    """The printed fields by the names people know (the render's own check, after ``check_inputs``)."""
    fields = {"name": _("村名") if data["villages"] else _("户主姓名"), "id_number": _("证件号码"),
              "group": data["place_header"], "reason": data["reason_header"]}
    return {"place": _("地名"), "lead": _("公示正文"), "issuer": _("发布单位"), "hotline.phone": _("异议受理电话"),
            "hotline.address": _("异议受理地址"),
            **_entry_labels([e["name"] for e in data["entries"]], fields)}


def notice_pdf(kind: str, area: Area, entries: Sequence[Entry], period: Period, hotline: Hotline,
               issued_on: datetime.date, *, year: int | None = None, min_days: int = DEFAULT_MIN_DAYS,
               when: datetime.datetime | None = None) -> bytes:
    """The notice as an A4 PDF (see ``notice_data``). Raises ValidationError on bad data and
    UnprintableText (a ValidationError) when a character is not in the font, naming the entry."""
    data = notice_data(kind, area, entries, period, hotline, issued_on, year=year, min_days=min_days)
    check_inputs(kind, area, entries, hotline)
    return render_pdf(TEMPLATE, data, labels=labels(data), when=when)
