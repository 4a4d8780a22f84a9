"""Running sheet jobs in the background, with progress and cancel.

``submit(job)`` hands a queued job to the runner chosen by ``settings.FUPIN_JOBS``:

* ``thread`` (the embedded default): a thread of the web process; no extra service;
* ``rq``: the Redis queue "fupin", worked by ``fupin worker`` (production);
* ``sync``: at once, in the caller (tests).

The job function reads the uploaded file, checks it (a CHECK job stops there and keeps the preview)
or checks and writes it (an IMPORT job) or writes an export. Progress and the cancel flag are kept
in the "jobs" cache; the import itself is one transaction, so a cancel, an error or a killed
process leaves the database as it was.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
import traceback

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fupin.accounts import policy

from .importer import ERROR, ImportCancelled, ImportRefused, Plan, apply_plan, plan_import
from .models import Job, JobKind, JobState
from .reader import SheetError, read_table

log = logging.getLogger(__name__)
QUEUE = "fupin"
#: A running job whose progress has not moved for this long is shown as interrupted.
STALE_SECONDS = 120
PREVIEW_HOUSEHOLDS = 200
PREVIEW_PROBLEMS = 500


def _cache():
    return caches["jobs"]


def _key(job_id, what: str) -> str:
    return f"sheets:job:{job_id}:{what}"


def set_progress(job_id, done: int, total: int, stage: str) -> None:
    _cache().set(_key(job_id, "progress"), {"done": done, "total": total, "stage": stage, "at": time.time()},
                 timeout=24 * 3600)


def progress_of(job: Job) -> dict:
    data = _cache().get(_key(job.id, "progress")) or {"done": 0, "total": 0, "stage": "", "at": None}
    total = data.get("total") or 0
    data["percent"] = 100 if job.finished else (int(100 * data["done"] / total) if total else 0)
    data["stale"] = (job.state == JobState.RUNNING and data.get("at") is not None
                     and time.time() - data["at"] > STALE_SECONDS)
    return data


def request_cancel(job: Job) -> None:
    _cache().set(_key(job.id, "cancel"), True, timeout=24 * 3600)


def cancel_requested(job_id) -> bool:
    return bool(_cache().get(_key(job_id, "cancel")))


def purge_old_files(days: int | None = None) -> int:
    """Uploaded sheets, error sheets and exports hold personal data: delete the files of jobs older than
    FUPIN_JOB_FILE_DAYS days (the job rows, with their counts, stay). Returns the folders removed."""
    import shutil

    days = settings.FUPIN_JOB_FILE_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for job in Job.objects.filter(created_at__lt=cutoff).only("id"):
        if job.folder.exists():
            shutil.rmtree(job.folder, ignore_errors=True)
            removed += 1
    return removed


def submit(job: Job) -> None:
    purge_old_files()
    mode = settings.FUPIN_JOBS
    set_progress(job.id, 0, 0, _("排队中"))
    if mode == "sync":
        run_job(str(job.id))
    elif mode == "thread":
        threading.Thread(target=_in_thread, args=(str(job.id),), daemon=True, name=f"job-{job.id}").start()
    else:
        from redis import Redis
        from rq import Queue

        Queue(QUEUE, connection=Redis.from_url(settings.REDIS_URL)).enqueue(
            run_job, str(job.id), job_timeout=6 * 3600, result_ttl=3600, failure_ttl=24 * 3600)


def _in_thread(job_id: str) -> None:
    try:
        run_job(job_id)
    finally:
        connection.close()


def run_job(job_id: str) -> None:
    """Run one job to its end; never raises (the outcome is in the job row)."""
    if not connection.in_atomic_block:  # a long-lived worker: drop a connection the server closed
        close_old_connections()
    job = Job.objects.select_related("user__area", "area", "source").filter(pk=job_id).first()
    if job is None or job.state != JobState.QUEUED:
        return
    if cancel_requested(job.id):
        _finish(job, JobState.CANCELLED, _("已取消，数据库未改变"))
        return
    job.state = JobState.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["state", "started_at"])
    with override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            if job.kind == JobKind.EXPORT:
                _run_export(job)
            else:
                _run_import(job)
        except ImportCancelled:
            _finish(job, JobState.CANCELLED, _("已取消，数据库未改变"))
        except (SheetError, ImportRefused) as exc:
            _finish(job, JobState.FAILED, getattr(exc, "message", None) or str(exc))
        except Exception:  # noqa: BLE001 - any failure ends the job; the transaction has rolled back
            log.error("sheet job %s failed\n%s", job.id, traceback.format_exc())
            _finish(job, JobState.FAILED, _("处理时发生内部错误，数据库未改变。请联系系统管理员（任务编号 %(id)s）")
                    % {"id": job.id})


def _finish(job: Job, state: str, message: str = "") -> None:
    job.state = state
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "message", "result", "finished_at"])
    progress = _cache().get(_key(job.id, "progress")) or {}
    set_progress(job.id, progress.get("total") or 1, progress.get("total") or 1, str(JobState(state).label))


def _stage(job: Job, stage: str):
    def report(done: int, total: int) -> None:
        set_progress(job.id, done, total, stage)
        if cancel_requested(job.id):
            raise ImportCancelled
    return report


def _run_import(job: Job) -> None:
    set_progress(job.id, 0, 0, _("读取文件"))
    with job.upload_path.open("rb") as fh:
        table = read_table(fh, job.filename)
    plan = plan_import(table, actor=job.user, area=job.area, progress=_stage(job, _("检查")))
    job.result = preview(plan, job.user)
    if plan.all_problems():
        from .errorsheet import write_error_sheet

        job.folder.mkdir(parents=True, exist_ok=True)
        write_error_sheet(plan, job.errors_path)
        job.result["error_sheet"] = True
    if job.kind == JobKind.CHECK:
        _finish(job, JobState.DONE)
        return
    result = apply_plan(plan, actor=job.user, mode=job.mode, progress=_stage(job, _("写入")),
                        cancel=lambda: cancel_requested(job.id), ip=job.params.get("ip"))
    job.result["written"] = result.as_dict()
    _finish(job, JobState.DONE)
    job.upload_path.unlink(missing_ok=True)  # imported: the uploaded copy is not kept


def _run_export(job: Job) -> None:
    from fupin.areas.selectors import area_get
    from fupin.registry.selectors import HouseholdFilters, household_list

    from .export import export_households

    given = dict(job.params.get("filters", {}))
    code = given.pop("area_code", "")
    filters = HouseholdFilters(area=area_get(user=job.user, code=code) if code else None, **given)
    households = household_list(user=job.user, filters=filters)
    job.folder.mkdir(parents=True, exist_ok=True)
    result = export_households(households, job.output_path, year=job.params.get("year"),
                               progress=_stage(job, _("导出")), access=policy.export_access(job.user),
                               exported_by=job.user.username)
    job.result = {"rows": result.rows, "exported_households": result.households, "year": result.year}
    _finish(job, JobState.DONE)


def preview(plan: Plan, user) -> dict:
    """What the check found, for the page: counts, the first changed households, the first problems."""
    from fupin.registry.models import Household, Member

    def show_id(value: str) -> str:
        return policy.shown(user, "id_number", value, revealed=policy.export_reveals(user))
    households = []
    for h in plan.households:
        if h.action in ("create", "update") and len(households) < PREVIEW_HOUSEHOLDS:
            households.append({
                "number": h.number, "action": h.action, "head": h.obj.head_name if h.obj else "",
                "changes": [[_label(Household, k), _show(Household, k, b), _show(Household, k, a)]
                            for k, (b, a) in h.changes.items() if k not in ("head_name", "member_count")],
                "status": [_show(Household, "status", s) for s in h.status_change] if h.status_change else None,
                "new_members": [f"{m.obj.name}（{show_id(m.obj.id_number)}）" for m in h.new_members],
                "changed_members": [{"name": m.obj.name, "changes": [
                    [_label(Member, k), _show(Member, k, b), _show(Member, k, a)] for k, (b, a) in m.changes.items()]}
                    for m in h.changed_members],
                "missing": [m.name for m in h.missing],
                "yearly": (h.yearly.year if h.yearly is not None and (h.yearly_changes or not h.yearly_existing)
                           else None),
            })
    problems = [{"row": p.row, "number": p.number, "header": p.header or "", "message": p.message,
                 "error": p.level == ERROR} for p in plan.all_problems()[:PREVIEW_PROBLEMS]]
    table = plan.table
    return {"counts": plan.counts(), "households": households, "problems": problems,
            "sheet": table.sheet_name, "header_row": table.header_row,
            "ignored": [h for _i, h in table.unknown_headers], "skipped": len(table.skipped),
            "file_error": next((p.message for p in plan.problems if p.row is None and p.level == ERROR), "")}


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - not a model field
        return name


def _show(model, name: str, value) -> str:
    """A registry value as the sheet and the forms write it: labels for codes, 是/否, area names."""
    from fupin.areas.models import Area

    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "area":
        area = Area.objects.filter(pk=value).only("name", "code").first()
        return f"{area.name}（{area.code}）" if area else str(value)
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except Exception:  # noqa: BLE001 - not a model field
        choices = {}
    if isinstance(value, list):
        from fupin.registry.choices import Cause

        return "、".join(str(dict(Cause.choices).get(v, v)) for v in value)
    return str(choices.get(value, value))
