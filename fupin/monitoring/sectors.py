"""部门预警名单: the columns of each kind of sector list, the reader (CSV / .xlsx) and the row checks, and the
set-based matcher of rows to registry members (issue 14 item 2).

Columns: REFERENCE §13's common ones (``id_number, name, birth_date, sex, area_code, source_ref``) and
each kind's own, declared once in :data:`KIND_COLUMNS`; the reader, the checks, the upload page's help,
the report and the demo all read them from here. A header may be the column's name or its Chinese label.

Files: CSV in UTF-8 (a BOM is fine) or GB18030 (what Chinese Excel writes); anything else is refused with
what to do. .xlsx/.xls through python-calamine (its first sheet). Row numbers are the sheet's own (the
header is row 1), so that a department can find a reported row in the file it sent.

Matching: by ID number only (a 15-digit number is upgraded to 18 digits by fupin.lib.idnumber), one query
per batch of numbers against the active members of households in the register; a name that differs is a
warning in the report, never a refusal (the department's spelling of a name is not the registry's).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.lib import idnumber
from fupin.registry.choices import Status

from .models import ListKind

#: ID numbers per matching query (and per bulk insert).
BATCH = 5000


@dataclass(frozen=True)
class Column:
    name: str
    label: Any  # a lazy Chinese label
    type: str = "text"  # text, date, amount, choice, sex, area, id
    required: bool = False
    max_length: int = 100
    #: For "choice": accepted input (code or label) → stored code.
    choices: dict[str, str] = field(default_factory=dict)


def _choices(**codes: tuple[str, ...]) -> dict[str, str]:
    return {alias.upper(): code for code, aliases in codes.items() for alias in (code, *aliases)}


COMMON: tuple[Column, ...] = (
    Column("id_number", gettext_lazy("证件号码"), "id", required=True),
    Column("name", gettext_lazy("姓名"), required=True, max_length=50),
    Column("birth_date", gettext_lazy("出生日期"), "date"),
    Column("sex", gettext_lazy("性别"), "sex"),
    Column("area_code", gettext_lazy("区划代码"), "area"),
    Column("source_ref", gettext_lazy("来源编号"), max_length=100),
)

#: Each kind's own columns (after the common ones).
KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    ListKind.MEDICAL: (
        Column("out_of_pocket", gettext_lazy("个人自付费用（元）"), "amount", required=True),
        Column("bill_date", gettext_lazy("结算日期"), "date", required=True),
        Column("hospital", gettext_lazy("医疗机构"), max_length=100),
    ),
    ListKind.DISASTER: (
        Column("disaster_type", gettext_lazy("灾害类型"), required=True, max_length=30),
        Column("loss_amount", gettext_lazy("损失金额（元）"), "amount", required=True),
        Column("event_date", gettext_lazy("受灾日期"), "date", required=True),
    ),
    ListKind.UNEMPLOYMENT: (
        Column("since_date", gettext_lazy("失业日期"), "date", required=True),
    ),
    ListKind.DROPOUT: (
        Column("school", gettext_lazy("学校"), max_length=100),
        Column("grade", gettext_lazy("年级"), max_length=20),
        Column("since_date", gettext_lazy("辍学日期"), "date", required=True),
    ),
    ListKind.DANGEROUS_HOUSE: (
        Column("house_grade", gettext_lazy("危房等级"), "choice", required=True,
               choices=_choices(A=("A级",), B=("B级",), C=("C级",), D=("D级",))),
        Column("appraised_on", gettext_lazy("鉴定日期"), "date", required=True),
    ),
    ListKind.DIBAO: (
        Column("change", gettext_lazy("变动类型"), "choice", required=True,
               choices=_choices(start=("纳入", "新增", "start"), stop=("停保", "退出", "取消", "stop"))),
        Column("change_date", gettext_lazy("变动日期"), "date", required=True),
    ),
}

#: The date a row's event happened on, per kind (the rules read it; the report shows it).
EVENT_DATE = {ListKind.MEDICAL: "bill_date", ListKind.DISASTER: "event_date", ListKind.UNEMPLOYMENT: "since_date",
              ListKind.DROPOUT: "since_date", ListKind.DANGEROUS_HOUSE: "appraised_on",
              ListKind.DIBAO: "change_date"}


def columns(kind: str) -> tuple[Column, ...]:
    return COMMON + KIND_COLUMNS[ListKind(kind)]


def own_columns(kind: str) -> tuple[Column, ...]:
    return KIND_COLUMNS[ListKind(kind)]


class ListError(ValueError):
    """The whole file cannot be used; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading ---------------------------------------------------------------------------------------------

CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 (BOM or not), else GB18030; anything else is refused (a guess would garble every name)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListError(_("无法识别“%(name)s”的文字编码（既不是 UTF-8 也不是 GB18030）；请用 Excel 另存为"
                      "“CSV UTF-8（逗号分隔）”或 .xlsx 后再推送") % {"name": filename})


def _grid(data: bytes, filename: str) -> list[list[Any]]:
    suffix = Path(filename).suffix.lower()
    if suffix in CSV_SUFFIXES:
        try:
            text = _decode(data, filename)
        except UnicodeDecodeError as exc:  # a BOM and then bytes that are not UTF-8
            raise ListError(_("“%(name)s”标明为 UTF-8 但内容不是 UTF-8；请重新导出") % {"name": filename}) from exc
        try:
            return list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise ListError(_("CSV 文件格式有误：%(e)s") % {"e": exc}) from exc
    if suffix in EXCEL_SUFFIXES:
        import python_calamine

        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - calamine raises its own types for damaged files
            raise ListError(_("无法读取“%(name)s”：文件已损坏或不是 Excel 工作簿（%(e)s）") % {
                "name": filename, "e": exc}) from exc
    raise ListError(_("不支持“%(s)s”文件；请推送 .csv（UTF-8 或 GB18030）或 .xlsx") % {"s": suffix or filename})


def _header_key(text: Any) -> str:
    return re.sub(r"[\s*※]", "", str(text or "")).lower()


@dataclass
class RawRow:
    number: int  # the sheet's row number (header = 1)
    values: dict[str, Any]


def read_rows(data: bytes, filename: str, kind: str) -> tuple[list[RawRow], list[str]]:
    """Every non-blank data row of the file with its row number, and the headers that map to nothing.
    A missing required column, or a column given twice, refuses the whole file."""
    if not data.strip():
        raise ListError(_("“%(name)s”是空文件") % {"name": filename})
    grid = _grid(data, filename)
    if not grid:
        raise ListError(_("“%(name)s”是空文件") % {"name": filename})
    lookup: dict[str, Column] = {}
    for col in columns(kind):
        lookup[_header_key(col.name)] = col
        lookup[_header_key(col.label)] = col
        lookup[_header_key(re.sub(r"（.*?）$", "", str(col.label)))] = col
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    for index, header in enumerate(grid[0]):
        col = lookup.get(_header_key(header))
        if col is None:
            if str(header or "").strip():
                unknown.append(str(header).strip())
            continue
        if col in mapping.values():
            raise ListError(_("“%(c)s”列出现了两次") % {"c": col.label})
        mapping[index] = col
    missing = [str(c.label) for c in columns(kind) if c.required and c not in mapping.values()]
    if missing:
        raise ListError(_("%(k)s名单缺少必需的列：%(m)s（第 1 行应为表头：%(all)s）") % {
            "k": ListKind(kind).label, "m": "、".join(missing),
            "all": ", ".join(c.name for c in columns(kind))})
    rows = []
    for offset, cells in enumerate(grid[1:], start=2):
        values = {col.name: cells[i] if i < len(cells) else "" for i, col in mapping.items()}
        if all(_blank(v) for v in values.values()):
            continue
        rows.append(RawRow(offset, values))
    return rows, unknown


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- checking one row ------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    m = _DATE_RE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text))
    if not m:
        raise ValueError(_("“%(v)s”不是日期（应为 2024-03-15 这样的格式）") % {"v": text})
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(_("日期“%(v)s”不存在") % {"v": text}) from None


def parse_amount(value: Any) -> Decimal:
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是金额（应为数字，单位元）") % {"v": value}) from None
    if not amount.is_finite():
        raise ValueError(_("“%(v)s”不是金额（应为数字，单位元）") % {"v": value})
    if amount < 0:
        raise ValueError(_("金额不能为负数（%(v)s）") % {"v": text})
    if amount >= Decimal("1e10"):
        raise ValueError(_("金额 %(v)s 过大") % {"v": text})
    return amount.quantize(Decimal("0.01"))


_SEX = {"1": "1", "男": "1", "M": "1", "2": "2", "女": "2", "F": "2"}


@dataclass
class Row:
    number: int
    citizen_id: str = ""
    id_number: str = ""  # as given (cleaned), for the report (masked there)
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # the kind's own fields, parsed
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_ref: str = ""
    area_code: str = ""

    def data(self) -> dict[str, str]:
        """The kind's own fields as JSON-ready text (stored on the alert and in the report)."""
        return {k: (v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in self.values.items()
                if v not in (None, "")}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def check_row(kind: str, raw: RawRow, *, today: datetime.date) -> Row:
    """The row's values parsed and checked; every problem is a Chinese message naming the row and the
    field (the row is malformed when ``errors`` is not empty)."""
    row = Row(raw.number)
    info: list[idnumber.IdInfo] = []  # the ID number's facts, once parsed (birth date and sex are checked against them)
    for col in columns(kind):
        value = raw.values.get(col.name)
        if _blank(value):
            if col.required:
                row.errors.append(_cell_error(raw.number, col, _("不能为空")))
            continue
        try:
            _CELL[col.type](row, col, value, info, today)
        except idnumber.IdNumberError as exc:
            row.id_number = idnumber.clean(_text(value))
            row.errors.append(_cell_error(raw.number, col, exc.message))
        except ValueError as exc:
            row.errors.append(_cell_error(raw.number, col, str(exc)))
    return row


def _cell_error(number: int, col: Column, message: str) -> str:
    return _("第 %(r)d 行“%(f)s”：%(m)s") % {"r": number, "f": col.label, "m": message}


def _id_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    parsed = idnumber.parse(_text(value), today=today)
    info.append(parsed)
    row.citizen_id, row.id_number = parsed.citizen_id, idnumber.clean(_text(value))


def _date_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    day = parse_date(value)
    if day > today:
        raise ValueError(_("日期 %(d)s 晚于今天") % {"d": day.isoformat()})
    if day.year < 1900:
        raise ValueError(_("日期 %(d)s 早于 1900 年") % {"d": day.isoformat()})
    if col.name != "birth_date":
        row.values[col.name] = day
    elif info and day != info[0].birth_date:
        row.warnings.append(_("第 %(r)d 行出生日期 %(g)s 与证件号码中的 %(d)s 不一致") % {
            "r": row.number, "g": day.isoformat(), "d": info[0].birth_date.isoformat()})


def _amount_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    row.values[col.name] = parse_amount(value)


def _sex_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    sex = _SEX.get(_text(value).upper())
    if sex is None:
        raise ValueError(_("“%(v)s”不是性别（应为 男/女 或 1/2）") % {"v": _text(value)})
    if info and sex != info[0].sex:
        row.warnings.append(_("第 %(r)d 行性别与证件号码（第 17 位）不一致") % {"r": row.number})


def _area_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    code = idnumber.clean(_text(value))
    if not re.fullmatch(r"[0-9]{6,15}", code, re.ASCII):
        raise ValueError(_("“%(v)s”不是区划代码（6–15 位数字）") % {"v": _text(value)})
    row.area_code = code


def _choice_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    code = col.choices.get(_text(value).upper())
    if code is None:
        shown = sorted({k for k in col.choices if not k.isascii()} | set(col.choices.values()))
        raise ValueError(_("“%(v)s”不是有效值（可填：%(c)s）") % {"v": _text(value), "c": "、".join(shown)})
    row.values[col.name] = code


def _text_cell(row: Row, col: Column, value: Any, info: list, today: datetime.date) -> None:
    text = _text(value)
    if len(text) > col.max_length:
        raise ValueError(_("超过 %(n)d 个字") % {"n": col.max_length})
    if col.name == "name":
        row.name = text
    elif col.name == "source_ref":
        row.source_ref = text
    else:
        row.values[col.name] = text


_CELL = {"id": _id_cell, "date": _date_cell, "amount": _amount_cell, "sex": _sex_cell, "area": _area_cell,
         "choice": _choice_cell, "text": _text_cell}


# --- matching --------------------------------------------------------------------------------------------

@dataclass
class Person:
    """What the rules and the raising read of a matched member and its household."""

    member_id: int
    name: str
    birth_date: datetime.date
    labour: str
    household_id: int
    household_number: str
    area_path: str
    member_count: int
    area_id: int


def match(citizen_ids: Iterable[str]) -> dict[str, Person]:
    """citizen id → the active member of a household in the register (not 注销) holding it: one query."""
    from fupin.registry.models import Member

    ids = sorted(set(citizen_ids))
    if not ids:
        return {}
    rows = (Member.objects.filter(active=True, citizen_id__in=ids).exclude(household__status=Status.CANCELLED)
            .values_list("citizen_id", "pk", "name", "birth_date", "labour", "household_id", "household__number",
                         "household__area_path", "household__member_count", "household__area_id"))
    return {r[0]: Person(*r[1:]) for r in rows}


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def template_csv(kind: str) -> str:
    """A header row for the kind (the upload page offers it)."""
    return ",".join(c.name for c in columns(kind)) + "\r\n"
