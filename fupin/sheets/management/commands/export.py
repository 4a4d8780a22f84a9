"""``fupin export OUT.xlsx``: the households of an area as the standard flat sheet, or (``--summary``)
the summary tables by area. Scoped like every read: ``--user`` exports what that user sees; without
it the command runs as the system, over everything (narrowed by ``--area``). Every export is written
to the audit trail."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from tqdm import tqdm

from fupin.accounts import policy
from fupin.accounts.models import Role, User
from fupin.areas.models import Area
from fupin.areas.selectors import area_get, area_root
from fupin.audit.services import audit_export
from fupin.registry import counts, rules
from fupin.registry.selectors import HouseholdFilters, household_list
from fupin.sheets.export import export_households, year_note
from fupin.sheets.summary import export_summary, summary_tables


def system_user() -> User:
    """The actor of a command run without --user: sees everything, is never saved (the audit trail
    names it "system")."""
    return User(username="system", is_superuser=True, role=Role.ADMIN, display_name=_("系统"))


def resolve_user(username: str | None) -> User:
    if not username:
        return system_user()
    user = User.objects.select_related("area").filter(username=username).first()
    if user is None:
        raise CommandError(_("用户 %(user)s 不存在") % {"user": username})
    if not user.is_active:
        raise CommandError(_("用户 %(user)s 已停用") % {"user": username})
    return user


def resolve_area(user: User, code: str | None) -> Area | None:
    """The --area inside the user's scope; an area outside it is refused exactly like one that does
    not exist (the same message: its existence is not revealed)."""
    if not code:
        return None
    try:
        return area_get(user=user, code=code.strip())
    except Http404:
        if user.pk is None:
            raise CommandError(_("区划代码 %(code)s 不存在") % {"code": code}) from None
        raise CommandError(_("区划 %(code)s 不存在或不在用户 %(user)s 的管辖范围内")
                           % {"code": code, "user": user.username}) from None


def actor_text(user: User) -> str:
    if user.pk is None:
        return _("系统（命令行导出）")
    return _("%(name)s（账号 %(user)s，%(role)s）") % {
        "name": user.display_name or user.username, "user": user.username, "role": user.get_role_display()}


class Command(BaseCommand):
    help = _("导出贫困户信息（标准表：每名在户成员一行）或按区划的汇总表（--summary），并记入审计日志。")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("out", help=_("输出文件（.xlsx）"))
        parser.add_argument("--area", metavar="CODE", help=_("只导出该区划（代码）及其下级"))
        parser.add_argument("--year", type=int, metavar="YYYY",
                            help=_("年度收入各列（汇总表的收入表）的年度；默认上一个完整年度（今年减一），不按数据推断"))
        parser.add_argument("--user", metavar="USERNAME",
                            help=_("以该用户的身份和管辖范围导出（默认：系统，全部数据）"))
        parser.add_argument("--summary", action="store_true", help=_("导出按区划的汇总表，而不是每名成员一行的明细"))
        parser.add_argument("--mask", action="store_true",
                            help=_("遮蔽证件号码、电话和银行账号（无权查看完整号码的用户总是遮蔽）"))
        parser.add_argument("--no-progress", action="store_true", help=_("不显示进度条"))

    def handle(self, *args: Any, out: str, area: str | None, year: int | None, user: str | None, summary: bool,
               mask: bool, no_progress: bool, **options: Any) -> None:
        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("输出文件应以 .xlsx 结尾：%(path)s") % {"path": out})
        if not path.parent.is_dir():
            raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
        if year is not None and (error := rules.report_year_error(year)):
            raise CommandError(error)
        if summary and year is None:
            year = rules.default_report_year()
        actor = resolve_user(user)
        scope_area = resolve_area(actor, area)
        root = scope_area or area_root(user=actor)
        if summary and root is None:
            raise CommandError(_("用户 %(user)s 没有管辖区划，无法按区划汇总") % {"user": actor.username})

        # Written beside the target and renamed at the end: an interrupted export leaves no half file.
        # mkstemp creates it readable by its owner only, which suits a file of personal data.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.part", dir=path.parent)
        os.close(fd)
        try:
            if summary:
                data = self._summary(actor, root, year, Path(tmp_name))
            else:
                data = self._households(actor, scope_area, year, Path(tmp_name), mask=mask,
                                        no_progress=no_progress)
            os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

        data.update({"file": path.name, "path": str(path.resolve()), "filters": {"area": scope_area.code if scope_area else None,
                                                    "year": year, "user": user or None, "summary": summary}})
        with transaction.atomic():
            audit_export(actor=actor, entity="registry.household",
                         area_path=(scope_area or actor.area or Area(path="")).path,
                         summary=data.pop("summary_text")[:200], data=data)

    def _households(self, actor: User, area: Area | None, year: int | None, tmp: Path, *, mask: bool,
                    no_progress: bool) -> dict:
        households = household_list(user=actor, filters=HouseholdFilters(area=area))
        access = policy.export_access(actor, mask=mask)
        hide_health = access("health") is policy.Access.HIDDEN
        where = area or actor.area
        filter_text = (_("区划：%(area)s（%(code)s）") % {"area": where.full_name() or where.name, "code": where.code}
                       if where is not None else _("全部"))
        filter_text = f"{filter_text}；{counts.NOTES['households']}"  # HouseholdFilters() lists 在册户
        bar = tqdm(total=0, unit=_("行"), disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} [{elapsed}<{remaining}]")
        bar.set_description(_("导出"))

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            result = export_households(households, tmp, year=year, progress=progress, access=access,
                                       exported_by=actor_text(actor),
                                       filter_text=filter_text)
        finally:
            bar.close()
        w = self.stdout.write
        w(self.style.SUCCESS(_("已导出 %(rows)s 行（%(households)s 户）") % {
            "rows": f"{result.rows:,}", "households": f"{result.households:,}"}))
        w(_("  年度收入：%(text)s") % {"text": year_note(result.year, defaulted=result.year_defaulted,
                                                      with_year=result.with_year, households=result.households)})
        if result.skipped_households:
            w(_("  %(n)s 户没有在户成员，未写入") % {"n": result.skipped_households})
        masked = result.masked
        w(_("  号码：已遮蔽（本文件不能用于重新导入）") if masked else _("  号码：完整（请妥善保管文件）"))
        if hide_health:
            w(_("  健康状况和残疾证号按权限未导出"))
        w(_("  用时 %(s).1f 秒") % {"s": result.seconds})
        return {"kind": "households", "rows": result.rows, "households": result.households, "year": result.year,
                "year_defaulted": result.year_defaulted, "masked": masked, "health_hidden": hide_health,
                "summary_text": _("导出贫困户信息 %(rows)s 行（%(households)s 户）：%(where)s") % {
                    "rows": result.rows, "households": result.households, "where": filter_text}}

    def _summary(self, actor: User, root: Area, year: int | None, tmp: Path) -> dict:
        tables = summary_tables(actor, root, year)
        export_summary(tables, tmp)
        households = tables[0].total[0] if tables else 0
        self.stdout.write(self.style.SUCCESS(_("已导出 %(root)s 的汇总表 %(n)s 张（%(rows)s 个区划，%(households)s 户）") % {
            "root": root.name, "n": len(tables), "rows": len(tables[0].rows) if tables else 0,
            "households": f"{households:,}"}))
        for t in tables:
            self.stdout.write(f"  {t.title}")
        return {"kind": "summary", "root": root.code, "tables": [t.title for t in tables],
                "rows": sum(len(t.rows) + 1 for t in tables), "households": households,
                "summary_text": _("导出汇总表：%(root)s（%(code)s）") % {"root": root.name, "code": root.code}}
