"""The project library as Excel, in the usual county layout (县级脱贫攻坚项目库, REFERENCE §9's fields):
a title row, then one header row, one project a row. Export writes the scoped list (audited); import reads
the same layout back and creates the projects at 村级申报 — all or nothing: any bad row, and nothing is
written; every error names the row (Excel's row number) and the column.

Import rules: the header row is the first of the first 20 rows holding 项目名称; headers are compared
without spaces and with a trailing bracketed unit dropped (总投资（元） = 总投资); unknown headers are
ignored. Required: 项目名称, 项目类别 (a label of rules.Category or its code), 区划代码 (a village, township
or the county, inside the importer's subtree), 计划年度. Blank rows and 合计/小计 rows are skipped. A
项目编号 already in the library is refused (an import never overwrites). Money in yuan, to the fen;
dates as 2025-04-01, 2025.4.1, 2025年4月1日 or an Excel date. 受益贫困户数/人口数 are not read: they come
from the named beneficiaries.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_export, audit_import

from . import services_library as lib
from .forms_library import targets_parse, targets_text
from .models import Project
from .rules import Category, Nature

if TYPE_CHECKING:
    from fupin.accounts.models import User

#: The columns, in the county's order: (header, attribute or None for derived ones).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("序号", None), ("项目编号", "code"), ("项目名称", "name"), ("项目类别", "category"), ("建设性质", "nature"),
    ("乡镇", None), ("行政村", None), ("区划代码", "area"), ("建设地点", "site"), ("责任单位", "lead"),
    ("实施单位", "implementer"), ("建设任务（规模及内容）", "tasks"), ("计划年度", "year"), ("计划开工", "starts_on"),
    ("计划完工", "ends_on"), ("总投资（元）", "budget"), ("资金筹措方式", "financing"), ("受益户数", "households"),
    ("受益人数", "people"), ("受益贫困户数", None), ("受益贫困人口数", None), ("绩效目标", "targets"),
    ("群众参与", "participation"), ("带贫减贫机制", "mechanism"), ("项目阶段", None),
)
REQUIRED = ("项目名称", "项目类别", "区划代码", "计划年度")
MONEY = "#,##0.00"


def _norm(text: Any) -> str:
    s = re.sub(r"\s+", "", str(text or "")).replace("*", "")
    return re.sub(r"[（(][^）)]*[）)]$", "", s)


# --- export -------------------------------------------------------------------------------------------


def _row(p: Project, n: int) -> list[Any]:
    village = p.area if p.area.level == "village" else None
    township = village.parent if village else (p.area if p.area.level == "township" else None)
    return [n, p.code, p.name, p.get_category_display(), p.get_nature_display(), township.name if township else "",
            village.name if village else "", p.area.code, p.site, p.lead.name if p.lead else "", p.implementer,
            p.tasks, p.year, p.starts_on, p.ends_on, p.budget, p.financing, p.households, p.people,
            p.poor_households, p.poor_people, targets_text(p.targets).replace("\n", "；"), p.participation,
            p.mechanism, p.get_stage_display()]


def export_xlsx(*, actor: User, projects: Iterable[Project], title: str, filters: dict[str, Any]) -> bytes:
    """The scoped list as the county's 项目库 sheet; the export is audited (who, what filters, how many)."""
    import xlsxwriter

    rows = list(projects)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("项目库"))
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True,
                            "bg_color": "#EEF3F8"})
    head = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    money = book.add_format({"num_format": MONEY, "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd", "border": 1})
    cell = book.add_format({"border": 1})
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, title, head)
    for c, (header, _attr) in enumerate(COLUMNS):
        sheet.write(1, c, header, bold)
    for r, p in enumerate(rows, start=2):
        for c, value in enumerate(_row(p, r - 1)):
            if isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
            elif value is None:
                sheet.write_blank(r, c, None, cell)
            else:
                sheet.write(r, c, value, cell)
    sheet.set_row(1, 32)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 2, 24)
    sheet.set_column(3, len(COLUMNS) - 1, 12)
    sheet.freeze_panes(2, 3)
    book.close()
    audit_export(actor=actor, summary=_("导出项目库：%(n)s 个项目") % {"n": len(rows)}, entity="projects.project",
                 data={"filters": filters, "count": len(rows)})
    return out.getvalue()


# --- import -------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[Project] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _grid(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine's errors are not one class
        raise ValidationError({"file": _("无法读取该文件（请上传 .xlsx 格式的项目库）：%(e)s") % {"e": exc}}) from exc


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _date(v: Any) -> datetime.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, (int, float)):
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(v))
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?", _text(v))
    if not m:
        raise ValueError(_("“%(v)s”不是日期（如 2025-04-01）") % {"v": _text(v)})
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


def _money(v: Any) -> Decimal:
    if v in (None, ""):
        return Decimal("0.00")
    try:
        d = Decimal(_text(v).replace(",", "").replace("，", "").replace("元", "")) if not isinstance(v, float) \
            else Decimal(repr(v))
    except InvalidOperation as exc:
        raise ValueError(_("“%(v)s”不是金额") % {"v": _text(v)}) from exc
    if d < 0:
        raise ValueError(_("金额不能为负"))
    if d != d.quantize(Decimal("0.01")):
        raise ValueError(_("金额“%(v)s”超过两位小数（元，精确到分）") % {"v": _text(v)})
    return d.quantize(Decimal("0.01"))


def _int(v: Any) -> int:
    if v in (None, ""):
        return 0
    t = _text(v)
    if not t.isdigit():
        raise ValueError(_("“%(v)s”不是非负整数") % {"v": t})
    return int(t)


def _choice(v: Any, choices: type) -> str:
    t = _text(v)
    for value, label in choices.choices:
        if t in (value, str(label)) or (str(label).startswith(t) and len(t) >= 2):
            return value
    raise ValueError(_("“%(v)s”不是可选值（%(c)s）") % {"v": t, "c": "、".join(str(lb) for _v, lb in choices.choices)})


def _header(grid: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The header row's index and {column header: index}; ValidationError when the sheet has none."""
    header_at = next((i for i, row in enumerate(grid[:20]) if any(_norm(c) == "项目名称" for c in row)), None)
    if header_at is None:
        raise ValidationError({"file": _("前 20 行中没有找到表头（应有“项目名称”列）")})
    known = {_norm(h): h for h, _attr in COLUMNS}
    columns: dict[str, int] = {}
    for c, cell in enumerate(grid[header_at]):
        name = _norm(cell)
        if name in known:
            if known[name] in columns:
                raise ValidationError({"file": _("表头“%(h)s”出现了两次") % {"h": known[name]}})
            columns[known[name]] = c
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        raise ValidationError({"file": _("缺少必填列：%(c)s") % {"c": "、".join(missing)}})
    return header_at, columns


@dataclass
class _Context:
    actor: Any
    units: dict[str, Any]
    codes_seen: dict[str, int] = field(default_factory=dict)


def _area(raw: Any, ctx: _Context) -> Any:
    from fupin.areas.models import Area

    area = Area.objects.filter(code=_text(raw)).first()
    if area is None:
        raise ValueError(_("区划代码 %(c)s 不存在") % {"c": _text(raw)})
    scope = policy.scope_path(ctx.actor) if ctx.actor is not None else ""
    if scope is None or not area.path.startswith(scope):
        raise ValueError(_("区划 %(n)s 不在您的管辖范围内") % {"n": area.name})
    return area


def _lead(raw: Any, ctx: _Context) -> Any:
    if _text(raw) not in ctx.units:
        raise ValueError(_("没有名为“%(u)s”的帮扶单位（部门）") % {"u": _text(raw)})
    return ctx.units[_text(raw)]


def _code(raw: Any, ctx: _Context, row: int) -> str:
    code = _text(raw)
    if code in ctx.codes_seen:
        raise ValueError(_("项目编号 %(c)s 与第 %(r)s 行重复") % {"c": code, "r": ctx.codes_seen[code]})
    if Project.objects.filter(code=code).exists():
        raise ValueError(_("项目编号 %(c)s 已在项目库中") % {"c": code})
    ctx.codes_seen[code] = row
    return code


def _year(raw: Any) -> int:
    year = _int(raw)
    if not 2000 <= year <= 2100:
        raise ValueError(_("年度“%(v)s”不合理") % {"v": _text(raw)})
    return year


#: How each attribute's cell is read (``name`` → parser of the raw value).
PARSERS: dict[str, Any] = {
    "starts_on": _date, "ends_on": _date, "budget": _money, "households": _int, "people": _int, "year": _year,
    "category": lambda raw: _choice(raw, Category),
    "nature": lambda raw: _choice(raw, Nature) if _text(raw) else Nature.NEW,
    "targets": lambda raw: targets_parse(_text(raw).replace("；", "\n").replace(";", "\n")),
}


def _cell_value(name: str, header: str, raw: Any, ctx: _Context, row: int) -> Any:
    """The value of one cell (ValueError with the reason); None: nothing to write."""
    if header in REQUIRED and not _text(raw):
        raise ValueError(_("必填"))
    if name == "area":
        return _area(raw, ctx)
    if name in ("lead", "code"):
        if not _text(raw):
            return None
        return _lead(raw, ctx) if name == "lead" else _code(raw, ctx, row)
    parser = PARSERS.get(name)
    return parser(raw) if parser else _text(raw)


def _parse_row(cells: dict[str, Any], ctx: _Context, row: int, errors: list[str]) -> dict[str, Any]:
    attr = dict(COLUMNS)
    values: dict[str, Any] = {}

    def bad(header: str, message: str) -> None:
        errors.append(_("第 %(r)s 行「%(h)s」：%(m)s") % {"r": row, "h": header, "m": message})

    for header, raw in cells.items():
        name = attr[header]
        if name is None:
            continue
        try:
            value = _cell_value(name, header, raw, ctx, row)
        except ValueError as exc:
            bad(header, str(exc))
            continue
        if value is not None:
            values[name] = value
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        bad("计划完工", _("计划完工早于计划开工"))
    return values


def _read(grid: list[list[Any]], ctx: _Context, result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    """Every project row parsed; ValidationError listing every bad cell when any is bad."""
    header_at, columns = _header(grid)
    errors: list[str] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(grid[header_at + 1:], start=header_at + 2):
        cells = {h: (row[c] if c < len(row) else None) for h, c in columns.items()}
        texts = [_text(v) for v in cells.values()]
        if not any(texts):
            continue
        if any(t in ("合计", "小计", "总计") for t in texts) and not _text(cells.get("项目名称")):
            result.skipped.append(_("第 %(r)s 行：合计行") % {"r": i})
            continue
        parsed.append((i, _parse_row(cells, ctx, i, errors)))
    if errors:
        raise ValidationError({"file": errors})
    if not parsed:
        raise ValidationError({"file": _("表中没有项目")})
    return parsed


def import_xlsx(*, actor: User, data: bytes, filename: str = "") -> ImportResult:
    """Read the county's 项目库 sheet and create every project in it, or none (ValidationError listing every
    bad cell as “第 N 行「列」：…”)."""
    from fupin.assistance.models import HelpingUnit

    if actor is not None:
        policy.require(actor, "project_propose", _("您的角色不能导入项目库"))
    result = ImportResult()
    ctx = _Context(actor=actor, units={u.name: u for u in HelpingUnit.objects.select_related("area")})
    parsed = _read(_grid(data), ctx, result)
    errors: list[str] = []
    with transaction.atomic():
        for i, values in parsed:
            area = values.pop("area")
            try:
                project = lib.project_create(actor=actor, area=area, name=values.pop("name"),
                                             category=values.pop("category"), year=values.pop("year"),
                                             lead=values.pop("lead", None), code=values.pop("code", ""), **values)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                errors.append(_("第 %(r)s 行：%(m)s") % {"r": i, "m": "；".join(messages)})
                continue
            result.created.append(project)
        if errors:
            raise ValidationError({"file": errors})  # leaving the atomic block undoes every row written
        audit_import(actor=actor, entity="projects.project",
                     summary=_("导入项目库 %(f)s：%(n)s 个项目") % {"f": filename, "n": len(result.created)},
                     data={"file": filename, "created": len(result.created), "skipped": result.skipped})
    return result
