"""``fupin archive --area CODE --year YYYY [--user NAME] [--out FILE.zip]``: build the year-end archive (年度档案)
of an area at once, in this process, and store it under FUPIN_DATA_DIR/archives like the page does (it is
listed there); ``--out`` also copies the ZIP to FILE.zip (audited as a download).
``fupin archive --verify FILE.zip``: check a ZIP against its manifest; exit status 1 when it does not match.

Scoped like every read: ``--user`` builds what that user may see, with that user's masking; without it
the command runs as the system (everything, numbers whole)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from fupin.monitoring import archive as archives
from fupin.monitoring.models_archive import Archive, ArchiveState
from fupin.sheets.management.commands.export import resolve_area, resolve_user

PART_LABELS = {key: label for key, label, _share in archives.PARTS}


class Command(BaseCommand):
    help = _("生成区划的年度档案（ZIP：统计报表、贫困户名单、年度决定、公示公告和带校验值的清单），或核验一个档案 ZIP。")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--area", metavar="CODE", help=_("区划代码"))
        parser.add_argument("--year", type=int, metavar="YYYY", help=_("年度"))
        parser.add_argument("--user", metavar="USERNAME", help=_("以该用户的身份、管辖范围和遮蔽规则生成（默认：系统）"))
        parser.add_argument("--out", metavar="FILE.zip", help=_("另存一份到该文件（记入审计日志）"))
        parser.add_argument("--verify", metavar="FILE.zip", help=_("核验档案 ZIP 与其清单是否一致"))
        parser.add_argument("--no-progress", action="store_true", help=_("不显示进度条"))

    def handle(self, *args: Any, area: str | None, year: int | None, user: str | None, out: str | None,
               verify: str | None, no_progress: bool, **options: Any) -> None:
        if verify:
            if area or year or out:
                raise CommandError(_("--verify 不能与 --area、--year、--out 同时使用"))
            self._verify(Path(verify))
            return
        if not area or not year:
            raise CommandError(_("请给出 --area 区划代码和 --year 年度（或 --verify 文件.zip）"))
        out_path = Path(out) if out else None
        if out_path is not None:
            if out_path.suffix.lower() != ".zip":
                raise CommandError(_("输出文件应以 .zip 结尾：%(p)s") % {"p": out})
            if not out_path.parent.is_dir():
                raise CommandError(_("目录不存在：%(d)s") % {"d": out_path.parent})
        actor = resolve_user(user)
        try:
            archives.require_capability(actor if actor.pk else None)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        target = resolve_area(actor, area)
        try:
            archive = archives.archive_start(actor=actor, area=target, year=year, background=False)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from exc
        bar = tqdm(total=1000, disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")

        def report(stage: str, done: int, total: int) -> None:
            bar.set_description(stage, refresh=False)
            bar.update(done - bar.n)

        timings: dict[str, float] = {}
        try:
            manifest = archives.build(archive, user=actor if actor.pk else None, report=report, timings=timings)
        except BaseException as exc:
            Archive.objects.filter(pk=archive.pk).update(
                state=ArchiveState.FAILED, message=_("命令行生成中断：%(e)s") % {"e": type(exc).__name__})
            raise
        finally:
            bar.close()
        archive.refresh_from_db()
        w = self.stdout.write
        w(self.style.SUCCESS(_("已生成 %(y)d 年%(a)s年度档案：%(p)s") % {
            "y": archive.year, "a": target.name, "p": archive.path}))
        w(_("  %(n)d 个文件，%(s)s 字节，SHA-256 %(h)s") % {
            "n": len(manifest["files"]), "s": f"{archive.size:,}", "h": archive.sha256})
        for key, value in manifest["counts"].items():
            w(f"  {archives.COUNT_LABELS.get(key, key)}：{value:,}")
        w(_("  用时：") + "，".join(f"{PART_LABELS.get(k, _('合计'))} {v:.1f} 秒" for k, v in timings.items()))
        if out_path is not None:
            shutil.copyfile(archive.path, out_path)
            archives.audit_download(actor=actor, archive=archive, out=str(out_path.resolve()))
            w(_("  已另存为 %(p)s") % {"p": out_path})

    def _verify(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("文件不存在：%(p)s") % {"p": path})
        result = archives.verify(path)
        m = result.manifest or {}
        known = Archive.objects.filter(sha256=result.sha256).select_related("area").first()
        w = self.stdout.write
        if m:
            w(_("区划 %(a)s（%(c)s），%(y)s 年，生成于 %(t)s，生成人 %(u)s") % {
                "a": m.get("area", {}).get("name", "?"), "c": m.get("area", {}).get("code", "?"), "y": m.get("year", "?"),
                "t": m.get("created_at", "?"), "u": m.get("created_by", {}).get("username", "?")})
        if known is not None:
            w(_("与本系统记录的档案一致（%(a)s %(y)d 年，编号 %(id)d）") % {
                "a": known.area.name, "y": known.year, "id": known.pk})
        if result.ok:
            w(self.style.SUCCESS(_("核验通过：%(n)d 个文件的大小和 SHA-256 均与清单一致") % {"n": result.files}))
            return
        for problem in result.problems:
            w(self.style.ERROR(problem))
        raise CommandError(_("核验未通过：%(n)d 个问题") % {"n": len(result.problems)}, returncode=1)
