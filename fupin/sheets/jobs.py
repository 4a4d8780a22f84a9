"""The sheets' background jobs: an import check, an import and an export, run by fupin.jobs.

The check reads the uploaded file and checks it, keeping a preview and an error sheet; the import
(the confirmed check, the same file) checks it again and writes it in one transaction, so a cancel,
an error or a killed process leaves the database as it was; the export writes the households the user
may read to an .xlsx file. The kinds are registered in ``SheetsConfig.ready`` (``register_kinds``).

Running, claiming, progress, cancel and file retention are fupin.jobs.runner's; the names below are
re-exported for callers that have used them from here (and for rq jobs queued by an older version,
which name ``fupin.sheets.jobs.run_job``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.jobs import kinds
from fupin.jobs.runner import (  # noqa: F401 - re-exported, see above
    STALE_SECONDS,
    JobCancelled,
    JobRefused,
    cancel_requested,
    progress_of,
    purge_old_files,
    reporter,
    request_cancel,
    run_job,
    set_progress,
    submit,
)

from .importer import ERROR, ImportCancelled, ImportRefused, Plan, apply_plan, plan_import
from .models import JobKind, SheetJob
from .reader import SheetError, read_table

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.registry.selectors import HouseholdFilters

PREVIEW_HOUSEHOLDS = 200
PREVIEW_PROBLEMS = 500


def register_kinds() -> None:
    kinds.register(JobKind.CHECK.value, label=JobKind.CHECK.label, handler=run_import, model=SheetJob)
    kinds.register(JobKind.IMPORT.value, label=JobKind.IMPORT.label, handler=run_import, model=SheetJob)
    kinds.register(JobKind.EXPORT.value, label=JobKind.EXPORT.label, handler=run_export, model=SheetJob)


CANCELLED = gettext_lazy("已取消，数据库未改变")


def run_import(job: SheetJob) -> None:
    """A CHECK job stops after the check (the preview and the error sheet); an IMPORT job writes."""
    try:
        _import(job)
    except ImportCancelled as exc:
        raise JobCancelled(str(CANCELLED)) from exc
    except (SheetError, ImportRefused) as exc:
        raise JobRefused(getattr(exc, "message", None) or str(exc)) from exc


def _import(job: SheetJob) -> None:
    set_progress(job.id, 0, 0, _("读取文件"))
    with job.upload_path.open("rb") as fh:
        table = read_table(fh, job.filename)
    plan = plan_import(table, actor=job.user, area=job.area,
                       progress=reporter(job, _("检查"), cancelled=ImportCancelled))
    job.result = preview(plan, job.user)
    if plan.all_problems():
        from .errorsheet import write_error_sheet

        job.folder.mkdir(parents=True, exist_ok=True)
        write_error_sheet(plan, job.errors_path)
        job.result["error_sheet"] = True
    if job.kind == JobKind.CHECK:
        return
    # The audit rows carry the submitting request's address: the runner set the audit context.
    result = apply_plan(plan, actor=job.user, mode=job.mode,
                        progress=reporter(job, _("写入"), cancelled=ImportCancelled),
                        cancel=lambda: cancel_requested(job.id))
    job.result["written"] = result.as_dict()
    job.upload_path.unlink(missing_ok=True)  # imported: the uploaded copy is not kept


def run_export(job: SheetJob) -> None:
    from fupin.areas.selectors import area_get
    from fupin.registry.selectors import HouseholdFilters, household_list

    from .export import export_households, year_note

    given = dict(job.params.get("filters", {}))
    code = given.pop("area_code", "")
    filters = HouseholdFilters(area=area_get(user=job.user, code=code) if code else None, **given)
    households = household_list(user=job.user, filters=filters)
    job.folder.mkdir(parents=True, exist_ok=True)
    result = export_households(households, job.output_path, year=job.params.get("year"),
                               progress=reporter(job, _("导出")), access=policy.export_access(job.user),
                               exported_by=job.user.username, filter_text=_filter_text(filters))
    job.result = {"rows": result.rows, "exported_households": result.households, "year": result.year,
                  "skipped_households": result.skipped_households,
                  "year_text": year_note(result.year, defaulted=result.year_defaulted, with_year=result.with_year,
                                         households=result.households)}


def _filter_text(filters: HouseholdFilters) -> str:
    """The export's 筛选条件 for its 说明 sheet: which households (fupin.registry.counts), and where."""
    from fupin.registry import counts
    from fupin.registry.choices import Status

    parts = [counts.list_note(filters.status)]
    if filters.status and filters.status in Status.values:
        parts.insert(0, _("户状态：%(s)s") % {"s": Status(filters.status).label})
    if filters.area is not None:
        parts.append(_("区划：%(a)s") % {"a": filters.area.name})
    return "；".join(str(p) for p in parts)


def preview(plan: Plan, user: User) -> dict:
    """What the check found, for the page: counts, the first changed households, the first problems."""
    from fupin.registry.models import Household, Member

    def show_id(value: str) -> str:
        return policy.shown(user, "id_number", value, revealed=policy.export_reveals(user))
    households = []
    for h in plan.households:
        if h.action in ("create", "update") and len(households) < PREVIEW_HOUSEHOLDS:
            households.append({
                "number": h.number, "action": h.action, "head": h.obj.head_name if h.obj else "",
                # The status is shown once, on its own line ("status"), not again among the fields.
                "changes": [[_label(Household, k), _show(Household, k, b), _show(Household, k, a)]
                            for k, (b, a) in h.changes.items() if k not in ("head_name", "member_count", "status")],
                "status": [_show(Household, "status", s) for s in h.status_change] if h.status_change else None,
                "new_members": [f"{m.obj.name}（{show_id(m.obj.id_number)}）" for m in h.new_members],
                "changed_members": [{"name": m.obj.name, "changes": [
                    [_label(Member, k), _show(Member, k, b), _show(Member, k, a)] for k, (b, a) in m.changes.items()]}
                    for m in h.changed_members],
                "missing": [m.name for m in h.missing],
                "yearly": (h.yearly.year if h.yearly is not None and (h.yearly_changes or not h.yearly_existing)
                           else None),
            })
    refused = [{"number": h.number, "rows": _rows_text(h.rows),
                "reasons": [f"{p.header}：{p.message}" if p.header and p.header not in p.message else p.message
                            for p in h.errors[:3]],
                "more": max(0, len(h.errors) - 3)}
               for h in plan.households if h.action == "refused"][:PREVIEW_HOUSEHOLDS]
    problems = [{"row": p.row, "number": p.number, "header": p.header or "", "message": p.message,
                 "error": p.level == ERROR} for p in plan.all_problems()[:PREVIEW_PROBLEMS]]
    table = plan.table
    return {"counts": plan.counts(), "households": households, "refused": refused, "problems": problems,
            "sheet": table.sheet_name, "header_row": table.header_row,
            "ignored": [h for _i, h in table.unknown_headers], "skipped": len(table.skipped),
            "file_error": next((p.message for p in plan.problems if p.row is None and p.level == ERROR), "")}


def _rows_text(rows: list[int]) -> str:
    """"3–5" for consecutive rows, "3、7" otherwise (the sheet's row numbers)."""
    if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)):
        return f"{rows[0]}–{rows[-1]}"
    return "、".join(str(r) for r in rows[:10]) + ("……" if len(rows) > 10 else "")


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - not a model field
        return name


def _show(model: type[models.Model], name: str, value: Any) -> str:
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
