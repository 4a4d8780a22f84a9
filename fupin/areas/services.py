"""Every write to the area tree."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.audit.services import audit_create, audit_update

from .models import PARENT_LEVEL, PATH_LENGTH, Area, AreaDesignation, DesignationKind, Level

if TYPE_CHECKING:
    from fupin.accounts.models import User

# [0-9], not \d: \d also matches full-width and other Unicode digits, which would then be stored
# as part of a "code" that never compares equal to the ASCII one.
CODE_RE = re.compile(r"^[0-9]{12}([0-9]{3})?$")


def normalize_code(code: str) -> str:
    """Full-width digits and stray spaces are common in sheets (REFERENCE §12): ５３０３２４ → 530324."""
    return unicodedata.normalize("NFKC", code or "").strip()


def level_for_code(code: str) -> Level:
    """Infer the level from a statistical code by its trailing zeros (GB/T 2260 + 统计用区划代码)."""
    if not CODE_RE.match(code):
        raise ValidationError({"code": _("区划代码必须是 12 位数字（村民小组为 15 位）：%(code)s") % {"code": code}})
    if len(code) == 15:
        return Level.GROUP
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def parent_path(code: str, level: Level) -> str | None:
    parent_level = PARENT_LEVEL.get(level)
    if parent_level is None:
        return None
    return code[: PATH_LENGTH[parent_level]]


@transaction.atomic
def area_create(*, actor: User | None, code: str, name: str, level: str | None = None, synthetic: bool = False) -> Area:
    code = normalize_code(code)
    name = name.strip()
    inferred = level_for_code(code)
    if level and Level(level) != inferred:
        raise ValidationError(
            {"level": _("区划代码 %(code)s 对应的级别是%(inferred)s，与填写的%(level)s不符")
             % {"code": code, "inferred": inferred.label, "level": Level(level).label}}
        )
    if not name:
        raise ValidationError({"name": _("名称不能为空")})
    ppath = parent_path(code, inferred)
    parent = None
    if ppath is not None:
        parent = Area.objects.filter(path=ppath).first()
        if parent is None:
            raise ValidationError({"code": _("上级区划（代码前缀 %(path)s）不存在，请先导入上级") % {"path": ppath}})
    area = Area(code=code, name=name, level=inferred, parent=parent, path=Area.path_for(code, inferred),
                synthetic=synthetic)
    area.full_clean()
    area.save()
    audit_create(actor=actor, obj=area, area_path=area.path)
    return area


@transaction.atomic
def area_rename(*, actor: User | None, area: Area, name: str) -> Area:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空")})
    before = {"name": area.name}
    area.name = name
    area.full_clean()
    area.save(update_fields=["name"])
    audit_update(actor=actor, obj=area, before=before, after={"name": name}, area_path=area.path)
    return area


def designation_level(kind: str) -> Level:
    """贫困乡镇 is given to townships; 贫困村 and 深度贫困村 to villages."""
    return {DesignationKind.POOR_TOWNSHIP: Level.TOWNSHIP}.get(DesignationKind(kind), Level.VILLAGE)


@transaction.atomic
def area_designate(*, actor: User | None, area: Area, year: int, kind: str) -> AreaDesignation:
    kind = DesignationKind(kind)
    wanted = designation_level(kind)
    if area.level != wanted:
        raise ValidationError({"kind": _("%(kind)s只能认定给%(level)s") % {"kind": kind.label, "level": wanted.label}})
    designation, created = AreaDesignation.objects.get_or_create(area=area, year=year, kind=kind)
    if created:
        audit_create(actor=actor, obj=designation, area_path=area.path)
    return designation


# --- CSV import -------------------------------------------------------------------------------

HEADER_ALIASES = {
    "code": {"code", "区划代码", "代码", "统计用区划代码"},
    "name": {"name", "名称", "区划名称"},
    "level": {"level", "级别"},
    "designations": {"designations", "贫困认定", "认定"},
}
# The level column is only a cross-check of the code, so the words real sheets use are accepted too
# (乡/镇/街道 for 乡镇级, 村/社区 for 村级, 区/县级市 for 县级 ...).
LEVEL_BY_LABEL = (
    {str(level.label): level for level in Level}
    | {level.value: level for level in Level}
    | dict.fromkeys(("自治区", "直辖市"), Level.PROVINCE)
    | dict.fromkeys(("地级市", "州", "自治州", "地区", "盟"), Level.CITY)
    | dict.fromkeys(("区", "县级市", "自治县", "旗", "自治旗", "特区", "林区"), Level.COUNTY)
    | dict.fromkeys(("乡", "镇", "街道", "民族乡", "苏木"), Level.TOWNSHIP)
    | dict.fromkeys(("村", "社区", "嘎查", "村委会", "居委会"), Level.VILLAGE)
    | dict.fromkeys(("组", "小组", "自然村"), Level.GROUP)
)
KIND_BY_LABEL = {str(kind.label): kind for kind in DesignationKind} | {kind.value: kind for kind in DesignationKind}
YEARS_RE = re.compile(r"^([0-9]{4})(?:\s*[-–—－~～至到]\s*([0-9]{4}))?$")
#: Same bounds as the area_designation_year check constraint.
DESIGNATION_YEARS = (1980, 2100)
NAME_MAX = Area._meta.get_field("name").max_length


@dataclass
class AreaImportResult:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    designations: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_designations(text: str) -> list[tuple[DesignationKind, int]]:
    """'贫困村:2014-2019; 深度贫困村:2017' → [(kind, year), ...]."""
    out = []
    for part in re.split(r"[;；,，]", text):
        part = part.strip()
        if not part:
            continue
        kind_text, sep, years = re.split(r"([:：])", part, maxsplit=1) if re.search(r"[:：]", part) else (part, "", "")
        kind = KIND_BY_LABEL.get(kind_text.strip())
        match = YEARS_RE.match(years.strip())
        if kind is None or not match:
            raise ValueError(_("认定“%(part)s”应写成“贫困村:2014-2019”的形式") % {"part": part})
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start or end - start > 50 or start < DESIGNATION_YEARS[0] or end > DESIGNATION_YEARS[1]:
            raise ValueError(_("认定“%(part)s”的年份范围不合理") % {"part": part})
        out.extend((kind, year) for year in range(start, end + 1))
    return out


#: One accepted CSV row: line number, code, name, level (from the code), designations.
_Row = tuple[int, str, str, Level, list[tuple[DesignationKind, int]]]


def _header_columns(header: list[str]) -> dict[str, int]:
    """Column index of each known field, recognised by any of its header aliases."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        for key, aliases in HEADER_ALIASES.items():
            if title.strip().lower() in aliases:
                columns[key] = index
    return columns


def _read_row(row: list[str], line_no: int, columns: dict[str, int], seen: dict[str, int]) -> _Row:
    """One CSV row checked on its own (the parent check needs every row and comes later); raises
    ValueError with the message for the line. ``seen``: code → line of the rows read so far."""

    def cell(key: str) -> str:
        i = columns.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    code, name = normalize_code(cell("code")), cell("name")
    try:
        level = level_for_code(code)
    except ValidationError as exc:
        raise ValueError(exc.message_dict["code"][0]) from exc
    if cell("level") and LEVEL_BY_LABEL.get(cell("level")) != level:
        raise ValueError(_("级别“%(given)s”与区划代码 %(code)s（%(level)s）不符")
                         % {"given": cell("level"), "code": code, "level": level.label})
    if not name:
        raise ValueError(_("名称不能为空"))
    if len(name) > NAME_MAX:
        raise ValueError(_("名称超过 %(max)d 个字") % {"max": NAME_MAX})
    if code in seen:
        raise ValueError(_("区划代码 %(code)s 与第 %(other)d 行重复") % {"code": code, "other": seen[code]})
    seen[code] = line_no
    designations = _parse_designations(cell("designations"))
    # Checked here, not left to area_designate, so that the error names the line and nothing is
    # half-written.
    wrong = next((kind for kind, _year in designations if designation_level(kind) != level), None)
    if wrong is not None:
        raise ValueError(_("%(kind)s只能认定给%(wanted)s，区划代码 %(code)s 是%(level)s")
                         % {"kind": wrong.label, "wanted": designation_level(wrong).label, "code": code,
                            "level": level.label})
    return line_no, code, name, level, designations


def _orphans(rows: list[_Row]) -> list[tuple[int, str]]:
    """(line, message) for each row whose parent is neither in the file nor in the system; ``rows``
    in path order (parents first), so that a parent given in the file is known before its children."""
    known_paths = set(Area.objects.values_list("path", flat=True))
    errors = []
    for line_no, code, _name, level, _d in rows:
        ppath = parent_path(code, level)
        if ppath is not None and ppath not in known_paths:
            errors.append((line_no, _("区划 %(code)s 的上级（代码前缀 %(path)s）既不在文件中也不在系统中")
                           % {"code": code, "path": ppath}))
        known_paths.add(Area.path_for(code, level))
    return errors


@transaction.atomic
def _write_rows(*, actor: User | None, rows: list[_Row], synthetic: bool, result: AreaImportResult) -> None:
    """Create, rename and designate, parents first (``rows`` in path order), counting in ``result``."""
    existing = {a.code: a for a in Area.objects.filter(code__in=[r[1] for r in rows])}
    for _line, code, name, level, designations in rows:
        area = existing.get(code)
        if area is None:
            area = area_create(actor=actor, code=code, name=name, level=level, synthetic=synthetic)
            result.created += 1
        elif area.name != name:
            area_rename(actor=actor, area=area, name=name)
            result.renamed += 1
        else:
            result.unchanged += 1
        for kind, year in designations:
            if not AreaDesignation.objects.filter(area=area, year=year, kind=kind).exists():
                area_designate(actor=actor, area=area, year=year, kind=kind)
                result.designations += 1


def areas_import_csv(*, actor: User | None, text: str, synthetic: bool = False) -> AreaImportResult:
    """Load an area tree from CSV (UTF-8, header row: 区划代码,名称[,级别][,贫困认定]).

    Rows may come in any order; parents are created before children. All or nothing: if any row is
    wrong, nothing is written and every error is reported with its line number.
    """
    result = AreaImportResult()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(_("文件是空的"))
        return result
    columns = _header_columns(header)
    missing = [name for name in ("code", "name") if name not in columns]
    if missing:
        result.errors.append(_("第 1 行表头缺少列：%(cols)s（需要“区划代码”和“名称”）") % {"cols": "、".join(missing)})
        return result

    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for row in reader:
        # The physical line the row ends on, so that a quoted cell spanning lines does not shift
        # every later line number.
        line_no = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        try:
            rows.append(_read_row(row, line_no, columns, seen))
        except ValueError as exc:
            errors.append((line_no, str(exc)))
    rows.sort(key=lambda r: Area.path_for(r[1], r[3]))  # parents first: checked and written in this order
    errors += _orphans(rows)
    # Parent errors are found in path order; report everything in file order.
    result.errors = [_("第 %(line)d 行：") % {"line": line} + message
                     for line, message in sorted(errors, key=lambda e: e[0])]
    if result.errors:
        return result
    _write_rows(actor=actor, rows=rows, synthetic=synthetic, result=result)
    return result
