"""年度档案 (issue 14 item 5): the year-end archive of one area, a ZIP with a manifest of checksums.

    archive = archive_start(actor=user, area=area, year=2026)      # a background job (fupin.jobs, "archive")
    build(archive, user=user)                                       # or at once (the command line)
    verify(path)                                                    # re-checks a ZIP against its manifest

What the ZIP holds, in this order (the same order every time; Chinese names stored as UTF-8, flag bit 11):

* ``01-统计报表.xlsx`` — the standard statistical tables, ``fupin.monitoring.tables.workbook``;
* ``02-贫困户名单.xlsx`` — the area's households (在册户) in the standard layout, written by the sheets
  exporter with the year's income columns and the masking the building user's role gets in any export
  (``policy.export_access``) — the same file 导出 Excel gives that user;
* ``03-年度决定.xlsx`` — the year's decisions: the identification and exit cases of the year and every
  step of each (CaseEvent), the standards' Decisions of the year, the dynamic adjustment's confirmed
  proposals of the year, and the year's notices (withdrawn ones with their reason);
* ``04-公示公告/NNN-….pdf`` — each notice of the year that was not withdrawn, printed by the same function
  as 打印公示 (``views_notices.notice_document``: the entries as published, ID numbers masked);
* ``manifest.json`` and ``清单.txt`` — every file above with its size and SHA-256, the area, the year,
  who built it and when, the software version and the counts; 清单.txt is manifest.json for people.

Everything is read through the building user's scope: a township's archive holds its subtree only.
Notices hung above the area (the county's announcement, for a township) are not in it.

The parts are written to a private folder first (each part timed: the benchmark prints the times), then
zipped with their checksums into ``<FUPIN_DATA_DIR>/archives/`` under a temporary name and renamed when
complete: a cancelled or failed build leaves no ZIP. Files that are compressed already (.xlsx, .pdf) are
stored, the text files deflated.

``verify`` opens a ZIP and checks each file listed against its size and SHA-256, that no file is
missing or added, and that 清单.txt says what manifest.json says; for a stored archive the ZIP's own
SHA-256 is compared with the one recorded when it was built.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.context import current_ip
from fupin.audit.services import audit_export, audit_status
from fupin.jobs import kinds, runner

from .models_archive import Archive, ArchiveState, archive_dir

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.jobs.models import Job
    from fupin.registry.models import Household

JOB_KIND = "archive"
FORMAT = "fupin-archive/1"
MANIFEST = "manifest.json"
LISTING = "清单.txt"
TABLES = "01-统计报表.xlsx"
HOUSEHOLDS = "02-贫困户名单.xlsx"
DECISIONS = "03-年度决定.xlsx"
NOTICES_DIR = "04-公示公告"
#: Already compressed: stored as they are (deflating them again costs time and gains nothing).
STORED_SUFFIXES = (".xlsx", ".pdf")
READ_CHUNK = 1 << 20

#: The parts in the order they are built, each with its share of the progress bar.
PARTS: tuple[tuple[str, Any, int], ...] = (
    ("tables", gettext_lazy("统计报表"), 5),
    ("households", gettext_lazy("贫困户名单"), 55),
    ("decisions", gettext_lazy("年度决定"), 10),
    ("notices", gettext_lazy("公示公告"), 15),
    ("zip", gettext_lazy("打包并计算校验值"), 15),
)

Report = Callable[[str, int, int], None]


def register_kind() -> None:
    kinds.register(JOB_KIND, label=gettext_lazy("年度档案"), handler=run_job)


# --- starting -------------------------------------------------------------------------------------


def require_capability(actor: User | None) -> None:
    if actor is not None and not policy.can(actor, "archive"):
        raise PermissionDenied(_("您的角色不能生成年度档案（限县、乡镇、村级管理人员和系统管理员）"))


def check_scope(actor: User | None, area: Area) -> None:
    """The area must lie in the actor's subtree (the system, ``actor`` None or unsaved, sees all)."""
    if actor is None:
        return
    scope = policy.scope_path(actor)
    if scope is None or not area.path.startswith(scope):
        raise ValidationError({"area": _("无权为该区划（%(name)s）生成档案") % {"name": area.name}})


@transaction.atomic
def archive_start(*, actor: User | None, area: Area, year: int, background: bool = True) -> Archive:
    """A new archive of ``area`` for ``year``. ``background``: built by a job owned by the actor (limited
    like every user's jobs, submitted once this transaction commits); otherwise left for the caller to
    ``build`` (the command line). Audited as created."""
    from fupin.registry import rules as registry_rules

    require_capability(actor)
    check_scope(actor, area)
    error = registry_rules.report_year_error(year)
    if error:
        raise ValidationError({"year": error})
    saved_actor = actor if getattr(actor, "pk", None) else None
    job = None
    if background:
        if saved_actor is None:
            raise ValidationError({"user": _("后台生成须由登录用户发起")})
        job = runner.job_create(kind=JOB_KIND, user=saved_actor, area=area, filename=f"{year} {area.name}",
                                params={"year": year, "ip": current_ip(), "language": get_language()},
                                limited=True)
    archive = Archive(area=area, area_path=area.path, year=year, job=job, created_by=saved_actor)
    archive.full_clean()
    archive.save()
    # A status row, as the adjustment's run start (audit_create's snapshot cannot hold the job's UUID).
    audit_status(actor=actor, obj=archive, area_path=area.path,
                 summary=_("发起生成 %(y)d 年%(a)s年度档案") % {"y": year, "a": area.name},
                 data={"year": year, "area": area.code, "job": str(job.pk) if job else None})
    if job is not None:
        runner.submit(job)
    return archive


def run_job(job: Job) -> None:
    """The job's handler: build the archive; a cancelled or failed build leaves the row so and no ZIP."""
    archive = Archive.objects.select_related("area").get(job=job)

    def report(stage: str, done: int, total: int) -> None:
        runner.set_progress(job.id, done, total, stage)
        if runner.cancel_requested(job.id):
            raise runner.JobCancelled(_("已取消，未生成档案"))

    try:
        manifest = build(archive, user=job.user, report=report)
    except runner.JobCancelled:
        Archive.objects.filter(pk=archive.pk).update(state=ArchiveState.CANCELLED, finished_at=timezone.now())
        raise
    except Exception:
        Archive.objects.filter(pk=archive.pk).update(state=ArchiveState.FAILED, finished_at=timezone.now())
        raise
    job.result = {"archive": archive.pk, "counts": manifest["counts"], "files": len(manifest["files"])}


def settle(archive: Archive) -> Archive:
    """An archive whose job ended without building it (cancelled while queued, its worker gone) is shown
    as what it is: cancelled or failed, not 生成中 for ever."""
    job = archive.job
    if archive.state == ArchiveState.BUILDING and job is not None and job.finished:
        state = ArchiveState.CANCELLED if job.state == runner.JobState.CANCELLED else ArchiveState.FAILED
        Archive.objects.filter(pk=archive.pk, state=ArchiveState.BUILDING).update(
            state=state, message=job.message, finished_at=job.finished_at or timezone.now())
        archive.state, archive.message = state, job.message
    return archive


# --- building -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Part:
    """One file of the archive, written to the work folder."""

    name: str  # its name inside the ZIP
    path: Path
    description: str


class _Progress:
    """Maps each part's own (done, total) onto one bar of 1,000 steps and passes it to ``report``."""

    def __init__(self, report: Report | None) -> None:
        self.report = report
        self.offsets: dict[str, tuple[int, int, str]] = {}
        start = 0
        for key, label, share in PARTS:
            self.offsets[key] = (start * 10, share * 10, str(label))
            start += share

    def __call__(self, part: str, done: int, total: int) -> None:
        if self.report is None:
            return
        start, width, label = self.offsets[part]
        fraction = min(1.0, done / total) if total else 0.0
        self.report(label, start + int(width * fraction), 1000)

    def part(self, key: str) -> Callable[[int, int], None]:
        return lambda done, total: self(key, done, total)


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fupin")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _who(user: User | None) -> dict[str, Any]:
    if user is None or user.pk is None:
        return {"username": "system", "name": _("系统（命令行）"), "role": ""}
    return {"username": user.username, "name": user.display_name or user.username,
            "role": str(user.get_role_display())}


def build(archive: Archive, *, user: User | None, report: Report | None = None,
          timings: dict[str, float] | None = None) -> dict[str, Any]:
    """Write the archive's ZIP and mark it done (audited); returns the manifest. ``user``: whose scope and
    masking (None: the system, everything whole). ``report(stage, done, total)`` is the progress bar;
    it may raise to cancel. ``timings`` receives the seconds of each part."""
    from fupin.sheets.management.commands.export import system_user

    progress = _Progress(report)
    timings = {} if timings is None else timings
    area, year = archive.area, archive.year
    actor = user if user is not None else system_user()
    target_dir = archive_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".archive-{archive.pk}-", dir=target_dir))
    zip_name = f"{area.code}-{year}-{archive.pk}.zip"
    partial = target_dir / f".{zip_name}.part"
    try:
        started = time.monotonic()
        parts: list[Part] = []
        counts: dict[str, Any] = {}

        t = time.monotonic()
        progress("tables", 0, 1)
        from . import tables

        path = work / "tables.xlsx"
        path.write_bytes(tables.workbook(user=user, area=area, year=year))
        parts.append(Part(TABLES, path, _("统计报表")))
        timings["tables"] = time.monotonic() - t

        t = time.monotonic()
        path = work / "households.xlsx"
        counts.update(write_households(actor, area, year, path, progress.part("households")))
        parts.append(Part(HOUSEHOLDS, path, _("贫困户名单（标准表，每名在户成员一行）")))
        timings["households"] = time.monotonic() - t

        t = time.monotonic()
        path = work / "decisions.xlsx"
        counts.update(write_decisions(actor, area, year, path, progress.part("decisions")))
        parts.append(Part(DECISIONS, path, _("年度决定：识别退出案件及其环节、标准判定、动态调整确认、公示公告")))
        timings["decisions"] = time.monotonic() - t

        t = time.monotonic()
        notice_parts = write_notices(actor, area, year, work / "notices", progress.part("notices"))
        parts.extend(notice_parts)
        counts["notice_pdfs"] = len(notice_parts)
        timings["notices"] = time.monotonic() - t

        t = time.monotonic()
        created_at = timezone.localtime()
        manifest = {
            "format": FORMAT,
            "area": {"code": area.code, "name": area.name, "full_name": area.full_name() or area.name},
            "year": year,
            "created_by": _who(user),
            "created_at": created_at.isoformat(timespec="seconds"),
            "software": {"name": "fupin", "version": software_version()},
            "masked": counts.pop("masked", False),
            "counts": counts,
            "files": [],
        }
        write_zip(partial, parts, manifest, when=created_at, progress=progress.part("zip"))
        timings["zip"] = time.monotonic() - t
        timings["total"] = time.monotonic() - started
        os.chmod(partial, 0o600)  # personal data: readable by the service's account only
        digest, size = file_sha256(partial), partial.stat().st_size
        final = target_dir / zip_name
        os.replace(partial, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)

    with transaction.atomic():
        Archive.objects.filter(pk=archive.pk).update(
            state=ArchiveState.DONE, filename=zip_name, size=size, sha256=digest, finished_at=timezone.now(),
            counts={**manifest["counts"], "files": len(manifest["files"]),
                    "seconds": {k: round(v, 2) for k, v in timings.items()}})
        archive.refresh_from_db()
        audit_status(actor=actor if getattr(actor, "pk", None) else None, obj=archive, area_path=area.path,
                     summary=_("%(y)d 年%(a)s年度档案已生成（%(n)d 个文件）") % {
                         "y": year, "a": area.name, "n": len(manifest["files"])},
                     data={"sha256": digest, "size": size, "counts": manifest["counts"]})
    return manifest


# --- the parts ------------------------------------------------------------------------------------


def household_queryset(user: User, area: Area) -> QuerySet[Household]:
    """The area's households as the household list shows them to ``user`` (在册户, in scope)."""
    from fupin.registry.selectors import HouseholdFilters, household_list

    return household_list(user=user, filters=HouseholdFilters(area=area))


def write_households(user: User, area: Area, year: int, path: Path,
                     progress: Callable[[int, int], None]) -> dict[str, Any]:
    from fupin.sheets.export import export_households

    result = export_households(
        household_queryset(user, area), path, year=year, progress=progress,
        access=policy.export_access(user), exported_by=_who(user if user.pk else None)["name"],
        filter_text=_("%(y)d 年度档案：%(a)s（%(c)s）的在册户") % {
            "y": year, "a": area.full_name() or area.name, "c": area.code})
    return {"households": result.households, "member_rows": result.rows, "masked": result.masked}


class _Sheet:
    """One sheet of the decisions workbook: bold frozen headers, rows written in order."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, headers: list[tuple[str, int]]) -> None:
        self.sheet = book.add_worksheet(name)
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for col, (header, width) in enumerate(headers):
            self.sheet.set_column(col, col, width)
            self.sheet.write_string(0, col, header, bold)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0

    def write(self, values: Iterable[Any]) -> None:
        self.rows += 1
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                self.sheet.write_string(self.rows, col, _("是") if value else _("否"))
            elif isinstance(value, int | float):
                self.sheet.write_number(self.rows, col, value)
            elif isinstance(value, datetime.datetime):
                self.sheet.write_string(self.rows, col, timezone.localtime(value).strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, datetime.date):
                self.sheet.write_string(self.rows, col, value.isoformat())
            else:
                from fupin.sheets.formulas import neutralise

                self.sheet.write_string(self.rows, col, neutralise(str(value)))


def _labels(choices: Any) -> dict[str, str]:
    return {str(v): str(label) for v, label in choices.choices}


def write_decisions(user: User, area: Area, year: int, path: Path,
                    progress: Callable[[int, int], None]) -> dict[str, int]:
    """The year's decisions as one workbook (Chinese headers, one sheet each), read through the user's
    scope; free text that may carry health details follows the user's field access."""
    from fupin.identification import selectors as id_selectors
    from fupin.identification.models import CaseEvent, CaseKind, Origin, Step
    from fupin.identification.models_adjustment import Proposal, ProposalKind, ProposalState
    from fupin.standards.models import Decision

    access = policy.export_access(user)

    def text(field: str, value: str) -> str:
        return "" if access(field) is policy.Access.HIDDEN else value

    kinds_, origins, steps = _labels(CaseKind), _labels(Origin), _labels(Step)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": _("年度决定"), "comments": "Fupin"})

    cases = (id_selectors.cases_for(user).filter(year=year, area_path__startswith=area.path)
             .select_related("household", "area").order_by("area_path", "id"))
    sheet = _Sheet(book, _("识别退出案件"), [(_("案件编号"), 10), (_("类别"), 12), (_("户编号"), 18), (_("户主"), 10),
                                         (_("所在村"), 14), (_("年度"), 6), (_("来源"), 10), (_("当前环节"), 12),
                                         (_("申请理由"), 40), (_("创建时间"), 17)])
    case_ids = []
    for c in cases.iterator(chunk_size=2000):
        case_ids.append(c.pk)
        h = c.household
        sheet.write([c.pk, kinds_.get(c.kind, c.kind), h.number if h else "", h.head_name if h else "",
                     c.area.name, c.year, origins.get(c.origin, c.origin), steps.get(c.step, c.step),
                     text("reason", c.reason), c.created_at])
    progress(1, 5)

    events = CaseEvent.objects.filter(case__in=cases.values("pk")).select_related("case__household") \
        .order_by("case__area_path", "case_id", "date", "id")
    sheet_e = _Sheet(book, _("案件环节"), [(_("案件编号"), 10), (_("户编号"), 18), (_("原环节"), 12), (_("新环节"), 12),
                                        (_("日期"), 11), (_("意见"), 40), (_("退回"), 6), (_("应到代表"), 8),
                                        (_("实到"), 6), (_("同意"), 6), (_("反对"), 6), (_("弃权"), 6),
                                        (_("经办人"), 12), (_("记录时间"), 17)])
    for e in events.iterator(chunk_size=2000):
        h = e.case.household
        sheet_e.write([e.case_id, h.number if h else "", steps.get(e.from_step, e.from_step),
                       steps.get(e.to_step, e.to_step), e.date, text("opinion", e.opinion), e.sent_back,
                       e.representatives, e.present, e.votes_for, e.votes_against, e.votes_abstain,
                       e.actor_name, e.created_at])
    progress(2, 5)

    in_area = policy.household_q(user, "household") & _under(area, "household__area_path")
    decisions = (Decision.objects.filter(in_area, year=year).select_related("household", "ruleset", "decided_by")
                 .order_by("household__area_path", "household__number", "id"))
    sheet_d = _Sheet(book, _("标准判定"), [(_("户编号"), 18), (_("户主"), 10), (_("年度"), 6), (_("规则集"), 24),
                                        (_("规则版本"), 8), (_("结论"), 8), (_("逐条判定"), 80), (_("判定人"), 12),
                                        (_("判定时间"), 17)])
    for d in decisions.iterator(chunk_size=2000):
        outcome = "；".join(str(o.get("reason") or o.get("label") or "") for o in (d.outcomes or []))
        sheet_d.write([d.household.number, d.household.head_name, d.year, d.ruleset.name, d.ruleset_version,
                       _("符合") if d.passed else _("不符合"), text("reason", outcome),
                       d.decided_by.username if d.decided_by else _("系统"), d.decided_at])
    progress(3, 5)

    proposal_kinds = _labels(ProposalKind)
    proposals = (Proposal.objects.filter(in_area, run__year=year, state=ProposalState.CONFIRMED)
                 .select_related("household", "confirmed_by", "run__area")
                 .order_by("household__area_path", "household__number", "kind", "id"))
    sheet_p = _Sheet(book, _("动态调整确认"), [(_("户编号"), 18), (_("户主"), 10), (_("调整类别"), 8), (_("理由"), 50),
                                          (_("审核意见"), 30), (_("审核人"), 12), (_("审核时间"), 17),
                                          (_("动态调整区划"), 12)])
    for p in proposals.iterator(chunk_size=2000):
        sheet_p.write([p.household.number, p.household.head_name, proposal_kinds.get(p.kind, p.kind),
                       text("reason", p.reason), text("note", p.note),
                       p.confirmed_by.username if p.confirmed_by else _("系统"), p.confirmed_at, p.run.area.name])
    progress(4, 5)

    notices = _notices(user, area, year)
    sheet_n = _Sheet(book, _("公示公告"), [(_("序号"), 6), (_("标题"), 36), (_("发布区划"), 14), (_("公示开始"), 11),
                                        (_("公示结束"), 11), (_("列入户/村"), 8), (_("状态"), 8), (_("撤销原因"), 30),
                                        (_("档案文件"), 40)])
    withdrawn = 0
    for i, (notice, listed, name) in enumerate(_notice_rows(notices), start=1):
        withdrawn += notice.withdrawn
        sheet_n.write([i, _notice_title(notice), notice.area.name, notice.starts_on, notice.ends_on, listed,
                       _("已撤销") if notice.withdrawn else _("有效"), notice.withdrawn_reason, name])
    book.close()
    progress(5, 5)
    return {"cases": sheet.rows, "case_events": sheet_e.rows, "decisions": sheet_d.rows,
            "adjustments": sheet_p.rows, "notices": sheet_n.rows, "notices_withdrawn": withdrawn}


def _under(area: Area, field: str):
    from django.db.models import Q

    return Q(**{f"{field}__startswith": area.path})


def _notices(user: User, area: Area, year: int):
    from django.db.models import Count, Q

    from fupin.identification import selectors as id_selectors

    return (id_selectors.notices_for(user).filter(year=year, area_path__startswith=area.path)
            .select_related("area").annotate(listed=Count("entries", filter=Q(entries__struck=False)))
            .order_by("starts_on", "area_path", "id"))


def _notice_title(notice: Any) -> str:
    from fupin.identification.views_notices import document_title

    return document_title(notice)


def _notice_file(position: int, notice: Any) -> str:
    """Its name in the ZIP: numbered in the archive's order, so names are unique and sort as listed."""
    from fupin.documents.notices import KINDS

    safe = "".join(ch for ch in f"{notice.area.name}-{KINDS[notice.kind].title}" if ch not in '\\/:*?"<>|')
    return f"{NOTICES_DIR}/{position:03d}-{notice.starts_on:%Y%m%d}-{safe}.pdf"


def _notice_rows(notices: Iterable[Any]) -> Iterable[tuple[Any, int, str]]:
    """(notice, entries listed, its file in the ZIP or "" when withdrawn), in the archive's order."""
    position = 0
    for notice in notices:
        if notice.withdrawn:
            yield notice, notice.listed, ""
        else:
            position += 1
            yield notice, notice.listed, _notice_file(position, notice)


def write_notices(user: User, area: Area, year: int, folder: Path,
                  progress: Callable[[int, int], None]) -> list[Part]:
    """Each notice of the year not withdrawn, printed as 打印公示 prints it. The entries of every notice are
    read in one query, not one per notice."""
    from fupin.identification.models import NoticeEntry
    from fupin.identification.views_notices import notice_document

    notices = list(_notices(user, area, year))
    folder.mkdir(parents=True, exist_ok=True)
    entries: dict[int, list[Any]] = {}
    for e in NoticeEntry.objects.filter(notice__in=[n.pk for n in notices if not n.withdrawn], struck=False) \
            .order_by("notice_id", "position"):
        entries.setdefault(e.notice_id, []).append(e)
    parts = []
    total = sum(not n.withdrawn for n in notices)
    for notice, _listed, name in _notice_rows(notices):
        if not name:
            continue
        try:
            pdf = notice_document(notice, entries.get(notice.pk, []))
        except ValidationError as exc:
            raise runner.JobRefused(_("无法打印公示“%(t)s”：%(m)s") % {
                "t": _notice_title(notice), "m": "；".join(exc.messages)}) from exc
        path = folder / f"{len(parts):04d}.pdf"
        path.write_bytes(pdf)
        parts.append(Part(name, path, _("%(t)s（%(a)s，%(s)s 至 %(e)s，%(n)d 户/村）") % {
            "t": _notice_title(notice), "a": notice.area.name, "s": notice.starts_on.isoformat(),
            "e": notice.ends_on.isoformat(), "n": len(entries.get(notice.pk, []))}))
        progress(len(parts), total)
    progress(1, 1)
    return parts


# --- the ZIP and its manifest ---------------------------------------------------------------------


def file_sha256(path: Path | str) -> str:
    with open(path, "rb") as fh:
        return _stream_sha256(fh)


def _info(name: str, when: datetime.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_zip(target: Path, parts: list[Part], manifest: dict[str, Any], *, when: datetime.datetime,
              progress: Callable[[int, int], None]) -> None:
    """The parts in their order, each hashed as it is copied in, then manifest.json and 清单.txt. Python's
    zipfile marks every non-ASCII name as UTF-8 (general purpose flag bit 11)."""
    total = sum(p.path.stat().st_size for p in parts) or 1
    done = 0
    with zipfile.ZipFile(target, "w", allowZip64=True) as zf:
        for part in parts:
            digest = hashlib.sha256()
            size = 0
            with part.path.open("rb") as src, zf.open(_info(part.name, when), "w", force_zip64=False) as dst:
                while chunk := src.read(READ_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
            manifest["files"].append({"name": part.name, "size": size, "sha256": digest.hexdigest(),
                                      "description": part.description})
            done += size
            progress(done, total)
        zf.writestr(_info(MANIFEST, when), manifest_bytes(manifest))
        zf.writestr(_info(LISTING, when), listing(manifest).encode("utf-8"))
    progress(1, 1)


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


COUNT_LABELS = {
    "households": gettext_lazy("户数（在册户）"),
    "member_rows": gettext_lazy("名单行数（在户成员）"),
    "cases": gettext_lazy("识别退出案件"),
    "case_events": gettext_lazy("案件环节记录"),
    "decisions": gettext_lazy("标准判定"),
    "adjustments": gettext_lazy("动态调整确认"),
    "notices": gettext_lazy("公示公告"),
    "notices_withdrawn": gettext_lazy("其中已撤销"),
    "notice_pdfs": gettext_lazy("公示公告 PDF"),
}


def listing(manifest: dict[str, Any]) -> str:
    """清单.txt: the manifest for people (CRLF line ends, so Notepad shows the lines). ``verify`` renders it
    again from manifest.json and compares."""
    lines = [
        _("扶贫信息系统 年度档案清单"),
        "",
        _("区划：%(n)s（%(c)s）") % {"n": manifest["area"]["full_name"], "c": manifest["area"]["code"]},
        _("年度：%(y)s") % {"y": manifest["year"]},
        _("生成人：%(n)s（%(u)s）") % {"n": manifest["created_by"]["name"], "u": manifest["created_by"]["username"]},
        _("生成时间：%(t)s") % {"t": manifest["created_at"]},
        _("软件版本：%(n)s %(v)s") % {"n": manifest["software"]["name"], "v": manifest["software"]["version"]},
        _("证件号码等：%(m)s") % {"m": _("已部分遮蔽") if manifest["masked"] else _("完整（请按个人信息保护规定保管）")},
        "",
        _("数量："),
    ]
    for key, value in manifest["counts"].items():
        lines.append(f"  {COUNT_LABELS.get(key, key)}：{value:,}" if isinstance(value, int) else f"  {key}：{value}")
    lines += ["", _("文件（大小以字节计；SHA-256 校验值）：")]
    for i, f in enumerate(manifest["files"], start=1):
        lines.append(f"{i:>4}. {f['name']}")
        lines.append(f"      {f['description']}")
        lines.append(f"      {f['size']:,}  {f['sha256']}")
    lines += ["", _("核验：fupin archive --verify 文件.zip（逐个文件重算 SHA-256 并与 manifest.json 比对）"), ""]
    return "\r\n".join(lines)


@dataclasses.dataclass
class Verification:
    ok: bool
    problems: list[str]
    files: int  # files checked
    manifest: dict[str, Any] | None
    sha256: str = ""  # the ZIP's own


def verify(source: Path | str | BinaryIO, *, expected_sha256: str = "") -> Verification:
    """Check a ZIP against its manifest; each problem is a sentence naming the file."""
    problems: list[str] = []
    # Read in chunks, never whole: a county's archive at scale is hundreds of MB.
    fh = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115 - closed below
    try:
        digest = _stream_sha256(fh)
        if expected_sha256 and digest != expected_sha256:
            problems.append(_("整个压缩包的 SHA-256 与生成时记录的不同：文件已被改动或替换"))
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile:
            return Verification(False, [*problems, _("不是有效的 ZIP 文件，或文件已损坏")], 0, None, digest)
        return _verify_zip(zf, problems, digest)
    finally:
        if fh is not source:
            fh.close()


def _stream_sha256(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := fh.read(READ_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _verify_zip(zf: zipfile.ZipFile, problems: list[str], digest: str) -> Verification:
    with zf:
        if MANIFEST not in zf.namelist():
            return Verification(False, [*problems, _("缺少 %(m)s") % {"m": MANIFEST}], 0, None, digest)
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            files = [f for f in manifest["files"] if isinstance(f, dict)]
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError):
            return Verification(False, [*problems, _("%(m)s 已损坏，无法读取") % {"m": MANIFEST}], 0, None, digest)
        checked = _check_files(zf, files, problems)
        _check_listing(zf, manifest, problems)
    return Verification(not problems, problems, checked, manifest, digest)


def _check_files(zf: zipfile.ZipFile, files: list[dict[str, Any]], problems: list[str]) -> int:
    """Each listed file present with its size and SHA-256, and nothing unlisted; returns the files read."""
    names = zf.namelist()
    checked = 0
    for f in files:
        name = f.get("name", "")
        if name not in names:
            problems.append(_("缺少文件：%(n)s") % {"n": name})
            continue
        checked += 1
        try:
            with zf.open(name) as member:
                size, sha = 0, hashlib.sha256()
                while chunk := member.read(READ_CHUNK):
                    size += len(chunk)
                    sha.update(chunk)
        except (zipfile.BadZipFile, OSError, ValueError):  # a CRC error: bytes changed inside the ZIP
            problems.append(_("文件已损坏（压缩包内校验失败）：%(n)s") % {"n": name})
            continue
        if size != f.get("size"):
            problems.append(_("大小不符：%(n)s（清单 %(a)s 字节，实际 %(b)s 字节）") % {
                "n": name, "a": f.get("size"), "b": size})
        elif sha.hexdigest() != f.get("sha256"):
            problems.append(_("SHA-256 不符：%(n)s（内容已被改动）") % {"n": name})
    listed = {f.get("name") for f in files} | {MANIFEST, LISTING}
    problems.extend(_("清单中没有的文件：%(n)s") % {"n": name} for name in names if name not in listed)
    return checked


def _check_listing(zf: zipfile.ZipFile, manifest: dict[str, Any], problems: list[str]) -> None:
    """清单.txt must say what manifest.json says (it is rendered again and compared)."""
    try:
        text = zf.read(LISTING).decode("utf-8")
    except KeyError:
        problems.append(_("缺少 %(l)s") % {"l": LISTING})
        return
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError, ValueError):
        problems.append(_("%(l)s 已损坏") % {"l": LISTING})
        return
    try:
        same = text == listing(manifest)
    except (KeyError, TypeError, ValueError, AttributeError):
        same = False
    if not same:
        problems.append(_("%(l)s 与 %(m)s 不一致") % {"l": LISTING, "m": MANIFEST})


def verify_archive(archive: Archive) -> Verification:
    """A stored archive against its manifest and the ZIP checksum recorded when it was built."""
    path = archive.path
    if path is None or not path.exists():
        return Verification(False, [_("档案文件不存在：%(f)s") % {"f": archive.filename or "—"}], 0, None)
    return verify(path, expected_sha256=archive.sha256)


def download_name(archive: Archive) -> str:
    return f"{archive.area.name}-{archive.year}年度档案.zip"


def audit_download(*, actor: User, archive: Archive, ip: str | None = None, out: str = "") -> None:
    """Every download (and every copy written by the command) is personal data leaving the system."""
    audit_export(actor=actor, obj=archive, area_path=archive.area_path, ip=ip,
                 summary=_("下载年度档案：%(a)s %(y)d 年") % {"a": archive.area.name, "y": archive.year},
                 data={"area": archive.area.code, "year": archive.year, "sha256": archive.sha256,
                       "size": archive.size, **({"out": out} if out else {})})
