"""``fupin areas import FILE.csv [--dry-run]`` and ``fupin areas tree [CODE]``.

The import is a thin shell around :func:`fupin.areas.services.areas_import_csv` (the same function
any other caller uses); this module only reads the file, picks the encoding and prints.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.areas.models import LEVEL_ORDER, Area, AreaDesignation, DesignationKind, Level
from fupin.areas.services import areas_import_csv, normalize_code

IMPORT_HELP = """\
从 CSV 文件导入（或更新）行政区划树：省 > 市 > 县 > 乡镇(街道) > 行政村(社区) > 村民小组。

文件格式
  第 1 行是表头，列的顺序不限：
    区划代码   必填。12 位统计用区划代码；村民小组在所属村的 12 位代码后加 3 位本地编号（共 15 位）。
               级别由代码自动判断：后 10 位为 0 是省，后 8 位为 0 是市，后 6 位为 0 是县，
               后 3 位为 0 是乡镇，其余 12 位代码是行政村。全角数字和多余空格会自动纠正。
    名称       必填，不超过 100 个字。
    级别       可选，仅用于核对代码：省/市/县/乡镇/行政村/村民小组
               （也可写 区、县级市、乡、镇、街道、村、社区、组、自然村 等）。
    贫困认定   可选。写法“类别:起始年-结束年”，多项用分号隔开，例如
               “贫困村:2014-2019；深度贫困村:2017-2019”。类别为 贫困村、深度贫困村（只能用于行政村）
               或 贫困乡镇（只能用于乡镇）；只有一年时写“贫困村:2016”。
  （表头也可用英文：code, name, level, designations。）
  行的顺序不限，上级会先于下级写入；上级既可在同一文件中，也可已在系统中。
  文件编码为 UTF-8（带不带 BOM 均可）或 GB18030/GBK（Excel“另存为 CSV”的默认编码）。

导入规则
  代码已存在而名称不同的区划会被更名；代码、名称都相同的保持不变；重复导入同一文件不会产生
  任何变化。贫困认定只增不删。任何一行有错时，所有错误（注明行号）都会列出，且不写入任何数据，
  命令以状态 1 退出。--dry-run 只检查并报告将发生的变化，不写入。

示例文件（代码中乡镇及以下为格式示范，不是官方统计代码）：
  fupin/areas/data/example_county.csv
    区划代码,名称,级别,贫困认定
    530000000000,云南省,省,
    530300000000,曲靖市,市,
    530324000000,罗平县,县,
    530324200000,老厂乡,乡镇,贫困乡镇:2014-2019
    530324200201,竹基村,行政村,贫困村:2014-2019
    530324200201001,第一组,村民小组,
"""

TREE_HELP = """\
按层级缩进列出区划树，每行为：代码 名称（级别） 贫困认定。
不给代码时列出全部区划；给出代码时只列出该区划及其下级。可用来核对导入结果。
"""

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel on Chinese Windows saves CSV as GBK, a subset of GB18030."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(_("无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件"))


def year_ranges(years: list[int]) -> list[str]:
    """[2014, 2015, 2016, 2018] → ['2014-2016', '2018'], the notation the import reads."""
    parts: list[str] = []
    years = sorted(set(years))
    start = prev = years[0]
    for year in [*years[1:], None]:
        if year is not None and year == prev + 1:
            prev = year
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if year is not None:
            start = prev = year
    return parts


class Command(BaseCommand):
    help = _("行政区划：导入 CSV（import）或列出区划树（tree）。用 “fupin areas import --help” 查看文件格式。")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,tree}",
                                    title=_("子命令"))
        imp = sub.add_parser("import", help=_("从 CSV 文件导入行政区划"), description=IMPORT_HELP,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        imp.add_argument("file", help=_("CSV 文件路径"))
        imp.add_argument("--dry-run", action="store_true",
                         help=_("只检查文件并报告将发生的变化，不写入数据库"))
        tree = sub.add_parser("tree", help=_("按层级列出区划树"), description=TREE_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
        tree.add_argument("code", nargs="?", help=_("从这个区划开始列出（默认全部）"))
        tree.add_argument("--depth", type=int, default=None,
                          help=_("最多列出几级下级（0 = 只列出该区划本身）"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_file(options["file"], dry_run=options["dry_run"])
        else:
            self.print_tree(options.get("code"), depth=options.get("depth"))

    # --- import ---------------------------------------------------------------------------------

    def import_file(self, filename: str, *, dry_run: bool) -> None:
        path = Path(filename)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("无法读取文件 %(file)s：%(err)s") % {"file": filename, "err": exc.strerror}) from exc
        text = decode_csv(data)

        with transaction.atomic():
            result = areas_import_csv(actor=None, text=text)
            if dry_run:
                transaction.set_rollback(True)

        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            # CommandError: exit status 1 from the command line, an exception under call_command.
            raise CommandError(_("导入失败：%(file)s 共有 %(n)d 处错误，未写入任何数据")
                               % {"file": filename, "n": len(result.errors)})

        counts = _("新增 %(created)d 个区划，更名 %(renamed)d 个，未变 %(unchanged)d 个，新增贫困认定 %(designations)d 条") % {
            "created": result.created, "renamed": result.renamed, "unchanged": result.unchanged,
            "designations": result.designations}
        if dry_run:
            self.stdout.write(_("试运行（未写入任何数据）：%(counts)s") % {"counts": counts})
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成：%(counts)s") % {"counts": counts}))

    # --- tree -----------------------------------------------------------------------------------

    def print_tree(self, code: str | None, *, depth: int | None) -> None:
        areas = Area.objects.order_by("path")
        designations = AreaDesignation.objects.all()
        if code:
            root = Area.objects.filter(code=normalize_code(code)).first()
            if root is None:
                raise CommandError(_("区划代码 %(code)s 不存在") % {"code": code})
            # Fixed-width code prefixes: ordering by path lists every area right after its parent.
            areas = areas.filter(path__startswith=root.path)
            designations = designations.filter(area__path__startswith=root.path)
            base = root.depth
        else:
            first = areas.first()
            if first is None:
                self.stdout.write(_("系统中还没有任何区划，请先用 “fupin areas import 文件.csv” 导入"))
                return
            base = min(LEVEL_ORDER.index(level) for level in areas.values_list("level", flat=True).distinct())
        if depth is not None:
            allowed = LEVEL_ORDER[base: base + depth + 1]
            areas = areas.filter(level__in=allowed)

        years: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for area_id, kind, year in designations.values_list("area_id", "kind", "year"):
            years[area_id][kind].append(year)

        count = 0
        for area in areas.iterator():
            indent = "  " * (area.depth - base)
            line = f"{indent}{area.code} {area.name}（{Level(area.level).label}）"
            flags = years.get(area.id)
            if flags:
                # Written as the import's 贫困认定 column, so a line can be pasted back into a file.
                line += " " + "；".join(
                    f"{DesignationKind(kind).label}:{span}"
                    for kind in DesignationKind.values if kind in flags
                    for span in year_ranges(flags[kind])
                )
            self.stdout.write(line)
            count += 1
        self.stdout.write(_("共 %(n)d 个区划") % {"n": count})
