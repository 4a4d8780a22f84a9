"""The registry's rules, each in one place (REFERENCE §1–§4): plain functions over plain values.

Nothing here writes to the database. The services, the web forms, the API, the importer's plan and
the demo generator all ask these functions, so that a household refused by one is refused by all,
with the same words:

* **code widths** — statistical codes and the group suffix (:func:`path_prefixes`, :func:`common_path`);
* **the status machine** — :data:`HOUSEHOLD_STATUS` (the transition table of the workflow engine,
  ``fupin.workflow``), :func:`transition_error`, :func:`step_values`;
* **the status a new household may start in**, by the procedure that brings it in
  (:data:`INITIAL_STATUSES`, :func:`initial_status_error`):

  - 建档立卡登记 (the web form and the API) and 贫困识别: 申请中 or 贫困户(未脱贫). A household is
    registered when it applies or when it is identified; any later status is reached through the
    procedures (脱贫退出, 动态调整 …), each recorded in its history.
  - 防返贫监测: 监测对象(风险未消除) — a 边缘易致贫户 or 突发严重困难户 enrolled straight into
    monitoring (REFERENCE §7) without ever having been registered poor.
  - 数据导入 and 演示数据生成: any status except 注销. They bring in a register kept elsewhere, where a
    household may already have exited or be monitored; but a household cannot be born cancelled —
    注销 needs a reason and is done in the system, on a household that exists.
  - every other procedure (脱贫退出, 动态调整, 信息更正) changes an existing household and starts none;
* **which procedures a person may name for a manual status change** (the web form and the API):
  :data:`MANUAL_PROCEDURES` — 信息更正, 动态调整, 防返贫监测. 贫困识别 and 脱贫退出 are recorded by
  their own procedures' services (notices, votes, announcements), 数据导入 by the importer,
  演示数据生成 by the demo, 建档立卡登记 by the registration itself;
* **one head per household** (:func:`head_count_error`);
* **one person in one active household** — a person is their 18-digit citizen number, whichever
  document was entered (:func:`citizen_id`, :func:`person_elsewhere_error`, :func:`repeats`);
* **contact numbers and 户编号** — a phone is a mainland mobile or a fixed line with its area code
  (:func:`phone_error`, a validator of the models' phone fields, so the form, the API and the importer
  ask it); a 户编号 that starts with a village's code starts with the household's own
  (:func:`number_prefix_error`); a 户编号 already used links to that household for those who may see it
  (:func:`number_duplicate_error`);
* **income derivation** — 家庭纯收入 and 人均纯收入 (:func:`derive_income`);
* **the poverty line of a year** — the most specific area wins (:func:`resolve_poverty_line`,
  :class:`PovertyLines`). A yearly record takes the line in force whenever it is written, by the
  services and by the importer alike;
* **years and dates within the household's life, never in the future** — 识别年度, 实际脱贫年度 (which
  an exited household must keep), 建房年份, 搬迁年度 (:func:`household_year_errors`, asked by
  ``Household.clean`` and so by every writer); an income year (:func:`income_year_error`, asked by the
  services and the importer); a status change's date, in order with the history
  (:func:`status_date_error`, a guard of the household status process). "Today" is
  ``timezone.localdate()`` unless given;
* **compulsory-school age (义务教育阶段适龄)** — 6 to 15 years old on 31 August of the school year
  (:data:`COMPULSORY_SCHOOL_AGES`, :func:`school_year`, :func:`compulsory_school_births`,
  :func:`compulsory_school_age`): asked by the standards' 义务教育 field, the data-quality check of
  exited households and the 控辍保学 warning of the department lists;
* **the year a report shows** — chosen, never inferred from the data: by default the last complete
  year (:func:`default_report_year`, :func:`report_years`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fupin import workflow
from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Level
from fupin.lib import idnumber

from .choices import LineKind, Procedure, Relation, Status

# --- code widths ----------------------------------------------------------------------------------

#: Digits of an area's code prefix at each level, top down: (2, 4, 6, 9, 12, 15). The widths
#: themselves are the areas app's (fupin.areas.models.PATH_LENGTH); these are the registry's names.
LEVEL_WIDTHS: tuple[int, ...] = tuple(PATH_LENGTH.values())
#: The 12-digit statistical code stops at the village (行政村).
STATISTICAL_CODE_WIDTH = PATH_LENGTH[Level.VILLAGE]
#: A 村民小组 adds a local suffix of this many digits to its village's code.
GROUP_SUFFIX_WIDTH = PATH_LENGTH[Level.GROUP] - PATH_LENGTH[Level.VILLAGE]


def code_width(level: str) -> int:
    """Digits of the code prefix (the area's path) at ``level``: 9 for a 乡镇, 12 for a 行政村 …"""
    return PATH_LENGTH[Level(level)]


def path_prefixes(path: str) -> list[str]:
    """The area's own path and its ancestors' paths, top down ("53", "5303", … , path)."""
    return [path[:n] for n in LEVEL_WIDTHS if n <= len(path)]


def common_path(paths: Iterable[str]) -> str:
    """The deepest area path that holds all ``paths`` ("" when they share no province)."""
    paths = list(paths)
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    return max((first[:n] for n in LEVEL_WIDTHS if n <= shared), key=len, default="")


# --- statuses ---------------------------------------------------------------------------------------


def status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else str(code)


def procedure_label(code: str) -> str:
    return str(Procedure(code).label) if code in Procedure.values else str(code)


def _step(source: str, target: str, **kwargs: Any) -> workflow.Transition:
    return workflow.Transition(source, target, **kwargs)


#: Every procedure except 数据导入: 注销 needs a reason and is done in the system (a sheet's 注销原因
#: column is shown, not acted on).
_NOT_BY_IMPORT = frozenset(Procedure.values) - {Procedure.IMPORT}

#: The household's status machine (REFERENCE §2; monitoring statuses from §7): the one table the
#: services, forms, API, importer and demo follow. Any status may be cancelled (注销) with a reason;
#: a cancelled household is final.
HOUSEHOLD_STATUS = workflow.Table(
    states=Status.values,
    transitions=[
        _step(Status.APPLYING, Status.POOR),
        _step(Status.POOR, Status.EXITED),
        _step(Status.EXITED, Status.EXITED_STABLE),
        _step(Status.EXITED, Status.RETURNED),
        _step(Status.EXITED, Status.MONITOR_RISK),
        _step(Status.EXITED_STABLE, Status.RETURNED),
        _step(Status.EXITED_STABLE, Status.MONITOR_RISK),
        _step(Status.RETURNED, Status.EXITED),
        _step(Status.MONITOR_RISK, Status.MONITOR_CLEARED),
        _step(Status.MONITOR_RISK, Status.RETURNED),
        _step(Status.MONITOR_CLEARED, Status.MONITOR_RISK),
        *[_step(s, Status.CANCELLED, procedures=_NOT_BY_IMPORT) for s in Status.values if s != Status.CANCELLED],
    ],
)


def next_statuses(status: str) -> frozenset[str]:
    """The statuses a household in ``status`` may move to (empty for 注销, and for an unknown code)."""
    return HOUSEHOLD_STATUS.targets(status)


def is_closed(status: str) -> bool:
    """注销: the household's record stays as it was, for the history; nothing may change it."""
    return status == Status.CANCELLED


def closed_error(number: str) -> str:
    return _("户 %(n)s 已注销，不能再修改") % {"n": number}


def transition_error(source: str, target: str, *, procedure: str | None = None) -> str | None:
    """Why a household may not move from ``source`` to ``target`` (recorded by ``procedure``), or None."""
    message = HOUSEHOLD_STATUS.refusal(source, target, procedure=procedure, label=status_label,
                                       procedure_label=procedure_label)
    if message and target == Status.CANCELLED and procedure == Procedure.IMPORT \
            and HOUSEHOLD_STATUS.find(source, target) is not None:
        return _("注销须在系统中办理并注明原因，不能通过导入完成")
    return message


def step_values(target: str, *, date: datetime.date, cancel_reason: str = "",
                exit_year: int | None = None) -> dict[str, Any]:
    """The fields that move with the status: 注销 keeps its reason; 脱贫 records the exit year (the
    one given, else the year of the change)."""
    if target == Status.CANCELLED:
        return {"cancel_reason": cancel_reason}
    if target == Status.EXITED:
        return {"exit_year": exit_year or date.year}
    return {}


_ANY_BUT_CANCELLED = frozenset(Status.values) - {Status.CANCELLED}

#: The statuses a new household may start in, by the procedure that brings it in (see the module's
#: docstring for why). A procedure missing here starts no household.
INITIAL_STATUSES: Mapping[str, frozenset[str]] = {
    Procedure.REGISTRATION: frozenset({Status.APPLYING, Status.POOR}),
    Procedure.IDENTIFICATION: frozenset({Status.APPLYING, Status.POOR}),
    Procedure.MONITORING: frozenset({Status.MONITOR_RISK}),
    Procedure.IMPORT: _ANY_BUT_CANCELLED,
    Procedure.DEMO: _ANY_BUT_CANCELLED,
}


def initial_statuses(procedure: str) -> frozenset[str]:
    return INITIAL_STATUSES.get(procedure, frozenset())


def initial_status_error(status: Any, procedure: str) -> str | None:
    """Why a new household brought in by ``procedure`` may not start in ``status``, or None."""
    allowed = initial_statuses(procedure)
    if not allowed:
        return _("“%(p)s”不能登记新户") % {"p": procedure_label(procedure)}
    if status in allowed:
        return None
    names = "、".join(status_label(s) for s in Status.values if s in allowed)
    if status not in Status.values:
        return _("未知的户状态“%(s)s”；新户可选：%(allowed)s") % {"s": status, "allowed": names}
    return _("新户（%(p)s）不能直接设为“%(s)s”，只能是：%(allowed)s") % {
        "p": procedure_label(procedure), "s": status_label(status), "allowed": names}


#: Procedures a person may name when changing a household's status by hand (web form, API).
MANUAL_PROCEDURES: tuple[str, ...] = (Procedure.CORRECTION, Procedure.ADJUSTMENT, Procedure.MONITORING)


def manual_procedure_error(procedure: Any) -> str | None:
    """Why ``procedure`` may not be named for a manual status change, or None."""
    if procedure in MANUAL_PROCEDURES:
        return None
    allowed = "、".join(procedure_label(p) for p in MANUAL_PROCEDURES)
    if procedure in Procedure.values:
        return _("“%(p)s”的状态变更只能由该程序记录，不能手工登记；手工变更状态可选：%(allowed)s") % {
            "p": procedure_label(procedure), "allowed": allowed}
    return _("未知的程序“%(p)s”；手工变更状态可选：%(allowed)s") % {"p": procedure, "allowed": allowed}


# --- one head, one household per person -----------------------------------------------------------------


def head_count_error(relations: Iterable[str]) -> str | None:
    """Every household has exactly one 户主 among its active members."""
    heads = sum(1 for r in relations if r == Relation.HEAD)
    if heads == 1:
        return None
    return _("每户必须有且只有一名户主（现有 %(n)d 名）") % {"n": heads}


def citizen_id(id_number: str) -> str:
    """The person behind a document number: the 18-digit citizen number, also for a 残疾人证 number
    (those 18 digits + 2 or 4) and an old 15-digit number. A number that does not parse is compared
    by its first 18 cleaned characters (its own error is reported at the field)."""
    try:
        return idnumber.parse(id_number or "").citizen_id
    except idnumber.IdNumberError:
        return idnumber.clean(id_number or "")[:18]


def repeats(keys: Iterable[str]) -> dict[int, int]:
    """{index: index of its first occurrence} for every key that repeats an earlier one (blank keys
    are never repeats): the same person twice in one household."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for i, key in enumerate(keys):
        if not key:
            continue
        if key in first:
            out[i] = first[key]
        else:
            first[key] = i
    return out


def number_taken_error(number: str, *, seen: bool) -> str:
    """An import names a 户编号 registered outside where it may write. ``seen``: the user may see that
    household (outside only the area the import was narrowed to); otherwise the message says the number
    is taken and whom to ask, not where."""
    if seen:
        return _("户编号 %(n)s 已登记在您的管辖范围（或本次导入的区划）以外，不能导入或修改") % {"n": number}
    return _("户编号 %(n)s 已被其他户使用，不能导入或修改；如有疑问请联系县扶贫办核实") % {"n": number}


def repeated_person_error(first_row: int | None = None) -> str:
    if first_row is None:
        return _("同一户内证件号码重复")
    return _("同一户内证件号码重复（与第 %(r)d 行）") % {"r": first_row}


def person_elsewhere_error(id_number: str, household_number: str | None) -> str:
    """A person is an active member of at most one household (REFERENCE §1). ``household_number`` None
    when the user may not see that household (policy.household_ids_seen): the message then says that
    the person is registered and whom to ask, not where (the number encodes the village)."""
    if household_number is None:
        return _("此人（证件号码 %(id)s）已登记为另一户的在户成员，一个人只能属于一户；"
                 "如已迁入本户，请联系县扶贫办核实，由其在原户办理减员") % {"id": policy.mask_id(id_number)}
    return _("此人（证件号码 %(id)s）已是户 %(n)s 的在户成员，一个人只能属于一户；如已迁入本户，请先在原户办理减员") % {
        "id": policy.mask_id(id_number), "n": household_number}


# --- contact numbers and 户编号 ------------------------------------------------------------------------------

#: Characters people put between a phone number's digits: spaces, hyphens, brackets around an area code.
_PHONE_SEPARATORS = str.maketrans("", "", " -()（）—－")
_MOBILE = re.compile(r"1[3-9]\d{9}")
#: A fixed line with its area code: 0, a 2- or 3-digit area code (010, 0874), then 7 or 8 digits.
_FIXED_LINE = re.compile(r"0[1-9]\d{1,2}\d{7,8}")


def phone_error(value: str | None) -> str | None:
    """Why ``value`` is not a mainland phone number, or None (blank is allowed: "not given").

    Accepted: a mobile number, 11 digits 1[3-9]…, optionally after +86; a fixed line with its area
    code (0874-1234567, 010 12345678), 10–12 digits. Spaces, hyphens and brackets are allowed between the
    digits. "1391234" (a local number without its area code, or a mobile number cut short) and "abc" are
    refused: a number nobody can call is no contact."""
    text = (value or "").strip()
    if not text:
        return None
    digits = text.translate(_PHONE_SEPARATORS)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if digits.isascii() and (_MOBILE.fullmatch(digits) or _FIXED_LINE.fullmatch(digits)):
        return None
    return _("联系电话“%(v)s”不是有效的号码：手机号为 1 开头的 11 位数字，固定电话须带区号（如 0874-1234567）") % {
        "v": text}


def number_prefix_error(number: str, *, area_path: str, prefix_is_village: bool) -> str | None:
    """A 户编号 that begins with a village's 12-digit statistical code names that village (the usual
    numbering: the village's code and a 4-digit serial). It must then be the household's own village:
    a number that starts with another village's code would file the household under the wrong village
    in every sheet and report. ``prefix_is_village``: the number's first 12 digits are a village's code
    (the caller looks it up); other numbering schemes are left alone."""
    number = (number or "").strip()
    prefix = number[:STATISTICAL_CODE_WIDTH]
    if not (prefix_is_village and number.isdigit() and len(number) > STATISTICAL_CODE_WIDTH):
        return None
    own = area_path[:STATISTICAL_CODE_WIDTH]
    if prefix == own:
        return None
    return _("户编号 %(n)s 以另一个行政村的区划代码 %(p)s 开头，而本户在区划 %(own)s；"
             "户编号应以本村的区划代码 %(own)s 开头") % {"n": number, "p": prefix, "own": own}


class _Linked(str):
    """A message that is plain text wherever it is text (the API's JSON, logs), with the page's address at
    its end, and a link in an HTML page (Django templates call ``__html__``)."""

    text: str
    url: str
    link_text: str

    def __new__(cls, text: str, *, url: str, link_text: str) -> _Linked:
        obj = super().__new__(cls, f"{text}{url}")
        obj.text, obj.url, obj.link_text = text, url, link_text
        return obj

    def __str__(self) -> str:  # ValidationError and the form's error list call str(): stay linked
        return self

    def __html__(self) -> str:
        return format_html('{}<a href="{}">{}</a>', self.text, self.url, self.link_text)


def number_duplicate_error(number: str, *, url: str | None, head_name: str = "") -> str:
    """A 户编号 that another household has. ``url``: that household's page when the user may see it
    (policy.household_ids_seen); None: the message says the number is taken and whom to ask, not where
    (no existence oracle across areas: the number encodes the village)."""
    if url is None:
        return number_taken_error(number, seen=False)
    text = _("户编号 %(n)s 已被户主为%(h)s的户使用，不能重复登记；请核对户编号，或打开该户修改：") % {
        "n": number, "h": head_name or _("（未登记户主）")}
    return _Linked(text, url=url, link_text=_("查看户 %(n)s") % {"n": number})


# --- income ---------------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def derive_income(*, wage: Decimal, business: Decimal, property_: Decimal, transfer: Decimal,
                  expense: Decimal, member_count: int) -> tuple[Decimal, Decimal]:
    """(家庭纯收入, 人均纯收入): 家庭纯收入 = 各项收入 − 生产经营性支出; 人均纯收入 = 家庭纯收入 / 当年计算人口,
    to the fen (REFERENCE §1). No people counted: 0 per head."""
    net = wage + business + property_ + transfer - expense
    per_capita = (net / member_count).quantize(CENT) if member_count else Decimal(0)
    return net, per_capita


# --- poverty lines --------------------------------------------------------------------------------------


class LineLike(Protocol):
    """What resolve_poverty_line reads of a line: a PovertyLine (annotated with its area's path) or a Line."""

    year: int
    kind: str
    amount: Decimal


AnyLine = TypeVar("AnyLine", bound=LineLike)


@dataclass(frozen=True)
class Line:
    """A poverty line as plain data: ``area_path`` is "" for a national (area-less) line."""

    year: int
    kind: str
    amount: Decimal
    area_path: str = ""


#: Among lines of the same area, the more local standard wins (市定 before 省定 before 国家).
_KIND_ORDER = {LineKind.CITY: 0, LineKind.PROVINCIAL: 1, LineKind.NATIONAL: 2}


def resolve_poverty_line(lines: Iterable[AnyLine], *, year: int, area_path: str | None,
                         kind: str | None = None,
                         path_of: Callable[[AnyLine], str] = lambda line: line.area_path or "",
                         ) -> AnyLine | None:
    """The line for ``year`` at an area: the deepest area on the area's path that has one, else the
    national line (REFERENCE §3: "use the most specific one"). Without ``kind`` the monitoring line
    (防返贫监测线, about 1.5× the poverty line) is left out: it is a different yardstick."""
    best, best_key = None, None
    for line in lines:
        if line.year != year:
            continue
        if kind is not None:
            if line.kind != kind:
                continue
        elif line.kind == LineKind.MONITORING:
            continue
        path = path_of(line)
        if path and not (area_path or "").startswith(path):
            continue
        key = (-len(path), _KIND_ORDER.get(line.kind, 3), line.kind)
        if best_key is None or key < best_key:
            best, best_key = line, key
    return best


class PovertyLines:
    """All lines at once, for writers of many records (the importer, the demo): the same answer as
    :func:`resolve_poverty_line`, indexed by year and cached by (year, area path)."""

    def __init__(self, lines: Iterable[Line]) -> None:
        self.by_year: dict[int, list[Line]] = {}
        for line in lines:
            self.by_year.setdefault(line.year, []).append(line)
        self._cache: dict[tuple[int, str], Decimal | None] = {}

    @classmethod
    def national(cls, amounts: Mapping[int, Decimal]) -> PovertyLines:
        return cls(Line(year=y, kind=LineKind.NATIONAL, amount=Decimal(a)) for y, a in amounts.items())

    def amount(self, year: int, area_path: str) -> Decimal | None:
        key = (year, area_path)
        if key not in self._cache:
            line = resolve_poverty_line(self.by_year.get(year, ()), year=year, area_path=area_path)
            self._cache[key] = line.amount if line is not None else None
        return self._cache[key]


# --- years and dates ------------------------------------------------------------------------------------

#: The statuses of a household that has exited (脱贫): its 实际脱贫年度 may not be blank.
EXITED_STATUSES: frozenset[str] = frozenset({Status.EXITED, Status.EXITED_STABLE})

#: The household's year fields that may not lie in the future: field → its label.
_PAST_YEAR_FIELDS: Mapping[str, str] = {
    "identified_year": "识别年度", "exit_year": "实际脱贫年度", "house_built_year": "建房年份",
    "relocation_year": "搬迁年度",
}


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def future_year_error(label: str, year: Any, *, today: datetime.date | None = None) -> str | None:
    """A year after this year (a typing slip such as 2099 or 2031), or None. Not a year: None (the
    field's own check reports it)."""
    now = _today(today).year
    if isinstance(year, int) and year > now:
        return _("%(field)s %(y)d 年晚于今年（%(now)d 年），不能填写未来的年度") % {
            "field": label, "y": year, "now": now}
    return None


def household_year_errors(*, status: str, identified_year: Any, exit_year: Any, house_built_year: Any = None,
                          relocation_year: Any = None, today: datetime.date | None = None) -> dict[str, str]:
    """The household's years: none in the future, and an exited household (已脱贫, 脱贫不再享受政策)
    keeps its 实际脱贫年度. {field: message}; empty when all is well. (脱贫年度 before 识别年度 is the
    model's own check, held by a database constraint too.)"""
    values = {"identified_year": identified_year, "exit_year": exit_year, "house_built_year": house_built_year,
              "relocation_year": relocation_year}
    errors = {}
    for name, label in _PAST_YEAR_FIELDS.items():
        error = future_year_error(label, values[name], today=today)
        if error:
            errors[name] = error
    if status in EXITED_STATUSES and exit_year in (None, ""):
        errors["exit_year"] = _("户状态为“%(s)s”，实际脱贫年度不能为空") % {"s": status_label(status)}
    return errors


def income_year_error(year: Any, *, identified_year: Any = None, today: datetime.date | None = None) -> str | None:
    """A yearly record's 年度: not in the future, not before the household was identified. None when well."""
    error = future_year_error("收入年度", year, today=today)
    if error:
        return error
    if isinstance(year, int) and isinstance(identified_year, int) and year < identified_year:
        return _("收入年度 %(y)d 年早于该户的识别年度（%(i)d 年）") % {"y": year, "i": identified_year}
    return None


def status_date_error(day: datetime.date, *, identified_year: Any = None, previous: datetime.date | None = None,
                      today: datetime.date | None = None) -> str | None:
    """A status change's date: not in the future, not before the year the household was identified, not
    before the household's previous status change (the history reads in the order it happened)."""
    now = _today(today)
    if day > now:
        return _("状态变更日期 %(d)s 晚于今天（%(now)s），不能登记未来的变更") % {
            "d": day.isoformat(), "now": now.isoformat()}
    if isinstance(identified_year, int) and day.year < identified_year:
        return _("状态变更日期 %(d)s 早于该户的识别年度（%(i)d 年）") % {"d": day.isoformat(), "i": identified_year}
    if previous is not None and day < previous:
        return _("状态变更日期 %(d)s 早于该户上一次状态变更（%(p)s）；状态历史须按时间先后登记") % {
            "d": day.isoformat(), "p": previous.isoformat()}
    return None


def identified_year_error(identified_year: Any, *, first_income_year: int | None,
                          first_change: datetime.date | None) -> str | None:
    """A 识别年度 changed on an existing household may not come after what its records already hold:
    its earliest yearly record, its earliest status change (the household's life starts there)."""
    if not isinstance(identified_year, int):
        return None
    if first_income_year is not None and first_income_year < identified_year:
        return _("识别年度 %(i)d 年晚于该户已有的 %(y)d 年度收入记录") % {"i": identified_year, "y": first_income_year}
    if first_change is not None and first_change.year < identified_year:
        return _("识别年度 %(i)d 年晚于该户最早的状态变更（%(d)s）") % {"i": identified_year, "d": first_change.isoformat()}
    return None


# --- the year of a report -------------------------------------------------------------------------------

#: The first year a report may be asked for (建档立卡 began with the 2014 identification; earlier
#: lines exist for the 2013 incomes it used).
#: 义务教育阶段适龄 (compulsory-school age), in whole years on the school year's cut-off day. The
#: 义务教育法 (art. 11) enrols a child at six for nine years; schools take the six-year-olds of 31 August
#: (the admission cut-off), and the 控辍保学 registers count the children of 6 to 15 (周岁) so that late
#: starters and repeaters in 初中 stay counted. One range for the standards, the quality checks and the
#: department's dropout list.
COMPULSORY_SCHOOL_AGES = (6, 15)
#: The admission cut-off: ages are taken on this day (month, day) of the year a school year starts.
SCHOOL_YEAR_CUTOFF = (8, 31)


def school_year(day: datetime.date) -> int:
    """The school year ``day`` falls in, named by the year it starts: 1 September to 31 August."""
    return day.year if (day.month, day.day) > SCHOOL_YEAR_CUTOFF else day.year - 1


def compulsory_school_births(year: int) -> tuple[datetime.date, datetime.date]:
    """The birth dates of compulsory-school age in the school year starting in ``year``, as
    ``(after, until)``: born after 31 August of year−16 and on or before 31 August of year−6."""
    month, day = SCHOOL_YEAR_CUTOFF
    low, high = COMPULSORY_SCHOOL_AGES
    return datetime.date(year - high - 1, month, day), datetime.date(year - low, month, day)


def cutoff_age(birth_date: datetime.date, year: int) -> int:
    """Whole years of age on the cut-off day (31 August) of ``year``."""
    return year - birth_date.year - ((birth_date.month, birth_date.day) > SCHOOL_YEAR_CUTOFF)


def compulsory_school_age(birth_date: datetime.date | None, *, on: datetime.date) -> bool:
    """Whether a person born on ``birth_date`` is of compulsory-school age on the day ``on`` (in the
    school year that day falls in)."""
    if not isinstance(birth_date, datetime.date):
        return False
    after, until = compulsory_school_births(school_year(on))
    return after < birth_date <= until


FIRST_REPORT_YEAR = 2013


def default_report_year(today: datetime.date | None = None) -> int:
    """The year an export or a summary shows when none is chosen: the last complete year (the year
    before today's), never the latest year found in the data — one stray record of a later year must
    not move every household's figures."""
    return _today(today).year - 1


def report_years(today: datetime.date | None = None) -> list[int]:
    """The years a report may be asked for, latest first: this year down to FIRST_REPORT_YEAR."""
    return list(range(_today(today).year, FIRST_REPORT_YEAR - 1, -1))


def report_year_error(year: Any, today: datetime.date | None = None) -> str | None:
    """Why ``year`` cannot be a report's year (not a year, or outside report_years()), or None."""
    years = report_years(today)
    if isinstance(year, int) and not isinstance(year, bool) and years[-1] <= year <= years[0]:
        return None
    return _("年度应在 %(a)d 到 %(b)d 之间，收到的是“%(y)s”") % {"a": years[-1], "b": years[0], "y": year}


# --- 户编号: the village's code and a sequence -------------------------------------------------------------

#: A 户编号 is the 12-digit statistical code of the household's 行政村 followed by its sequence within
#: the village, 4 digits from 0001 (5303241002010001): the numbering of the import template, the demo
#: and county registers. A household in a 村民小组 takes its village's code (groups are not in the code).
HOUSEHOLD_SEQ_WIDTH = 4


def household_number(village_code: str, seq: int) -> str:
    return f"{village_code}{seq:0{HOUSEHOLD_SEQ_WIDTH}d}"


def household_number_seq(number: str, village_code: str) -> int | None:
    """The sequence of ``number`` in the village, or None when the number does not follow the format."""
    tail = number[len(village_code):] if number.startswith(village_code) else ""
    if len(tail) != HOUSEHOLD_SEQ_WIDTH or not tail.isdigit():
        return None
    return int(tail)


def next_household_number(village_code: str, numbers: Iterable[str],
                          taken: Callable[[str], bool] = lambda n: False) -> str | None:
    """The 户编号 to propose for a new household in the village: one after the highest sequence among
    ``numbers`` (the village's households), skipping any ``taken`` elsewhere; None when the village's
    sequence is used up (9999)."""
    seqs = [s for s in (household_number_seq(n, village_code) for n in numbers) if s is not None]
    seq = max(seqs, default=0) + 1
    while seq < 10 ** HOUSEHOLD_SEQ_WIDTH:
        candidate = household_number(village_code, seq)
        if not taken(candidate):
            return candidate
        seq += 1
    return None


# --- 住房面积 ------------------------------------------------------------------------------------------------

#: 住房面积 0 means "no house" (REFERENCE §1): a form that registers or corrects a household must not
#: offer 0 by default, or every household left blank would be recorded as having no house.
def house_area_required() -> str:
    return _("请填写住房面积（平方米）；无房请填 0")


# --- batch correction (issue 12 #16) ------------------------------------------------------------------

#: The household fields a batch correction on the list may set, one value for every ticked household.
#: Only coded fields that are the same kind of fact for many households and carry no personal number and
#: no money: 主要致贫原因 (the usual mass correction after a review), 入户路类型, 主要燃料类型. Never 联系电话,
#: 银行账号, 户编号, the area, the status or the household's attribute (低保/特困 changes support amounts).
BATCH_FIELDS: tuple[str, ...] = ("main_cause", "road_type", "fuel")
#: At most this many households per batch (a page of the list).
BATCH_LIMIT = 200


def batch_field_error(field: str) -> str | None:
    if field not in BATCH_FIELDS:
        return _("“%(f)s”不能批量更正") % {"f": field}
    return None
