"""Pages of 导入导出: upload → check (preview) → confirm → import, all as background jobs with a
progress bar and a cancel button; exports of the household list and the summary tables; the template.

Every read goes through the scoped selectors; a job is visible to the user who started it only (another
user's job is a 404, also for cancel, confirm, errors and download). The jobs are fupin.jobs'; the kinds
and their handlers are in fupin.sheets.jobs.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.accounts import policy
from fupin.accounts.policy import can_write
from fupin.areas.models import Level
from fupin.areas.selectors import area_get, area_root
from fupin.audit.services import audit_export
from fupin.jobs import runner
from fupin.jobs import views as job_views
from fupin.registry import rules

from .models import ImportMode, JobKind, JobState, SheetJob

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from fupin.accounts.models import User
    from fupin.areas.models import Area

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("选择文件"), help_text=gettext_lazy("标准格式的 .xlsx 或 .csv 表，每行一名家庭成员"))
    area = forms.ChoiceField(label=gettext_lazy("只导入该区划内的户"), required=False,
                             widget=forms.Select(attrs={"class": "input"}))

    def __init__(self, *args: Any, areas: Iterable[Area] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("我的全部管辖范围")), *[(a.code, a.label) for a in areas]]

    def clean_file(self) -> UploadedFile:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("只能导入 .xlsx、.xls 或 .csv 文件，收到的是“%(n)s”") % {"n": f.name})
        if f.size > settings.FUPIN_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大（%(s)d MB），上限为 %(m)d MB") % {
                "s": f.size // (1024 * 1024), "m": settings.FUPIN_MAX_UPLOAD_BYTES // (1024 * 1024)})
        if f.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        return f


def _area_options(user: User) -> list[Area]:
    """The user's own area and the townships and villages under it, for narrowing an import."""
    from fupin.areas.selectors import area_list

    root = area_root(user=user)
    if root is None:
        return []
    qs = area_list(user=user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).order_by("path")
    out = []
    for a in qs[:2000]:
        indent = "　" * max(0, a.depth - root.depth)
        a.label = f"{indent}{a.name}（{a.code}）"
        out.append(a)
    return out


def _over_job_limit(request: HttpRequest, refused: runner.JobLimitReached) -> HttpResponse:
    """A redirect to 导入导出 (their jobs, with the cancel buttons) and a message naming the limit,
    FUPIN_MAX_JOBS_PER_USER, which ``runner.job_create(limited=True)`` enforced. No job was created."""
    messages.error(request, _("您已有 %(n)d 个导入或导出任务尚未完成，每人最多同时 %(limit)d 个；"
                              "请等任务完成（或取消其中一个）后再试，本次未创建任务") % {
        "n": refused.running, "limit": refused.limit})
    return redirect("sheets:index")


def _own_job(request: HttpRequest, pk: uuid.UUID) -> SheetJob:
    job = SheetJob.objects.select_related("area", "source").filter(pk=pk, user=request.user).first()
    if job is None:
        raise Http404
    return job


def _index_context(user: User, form: UploadForm | None) -> dict[str, Any]:
    from .summary import report_year_choices

    areas = _area_options(user)
    return {"form": form, "recent": SheetJob.objects.filter(user=user).order_by("-created_at")[:15],
            "title": _("导入导出"), "root": area_root(user=user), "summary_areas": areas,
            "years": report_year_choices(user), "default_year": rules.default_report_year()}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = UploadForm(areas=_area_options(user)) if can_write(user) else None
    return render(request, "sheets/index.html", _index_context(user, form))


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_write(user):
        raise PermissionDenied(_("当前角色只能查看，不能导入数据"))
    areas = _area_options(user)
    form = UploadForm(request.POST, request.FILES, areas=areas)
    if not form.is_valid():
        return render(request, "sheets/index.html", _index_context(user, form), status=400)
    area = area_get(user=user, code=form.cleaned_data["area"]) if form.cleaned_data["area"] else None
    upload_file = form.cleaned_data["file"]
    try:
        job = runner.job_create(kind=JobKind.CHECK, user=user, area=area, filename=Path(upload_file.name).name,
                                params={"ip": _ip(request), "language": get_language()}, limited=True)
    except runner.JobLimitReached as refused:
        return _over_job_limit(request, refused)
    job.folder.mkdir(parents=True, exist_ok=True)
    with job.upload_path.open("wb") as out:
        for chunk in upload_file.chunks():
            out.write(chunk)
    runner.submit(job)
    return redirect("sheets:job", pk=job.pk)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "sheets/job.html", _job_context(request, job))


def _job_context(request: HttpRequest, job: SheetJob) -> dict:
    progress = runner.progress_of(job)
    follow = SheetJob.objects.filter(source=job).first() if job.kind == JobKind.CHECK else None
    return {"job": job, "progress": progress, "title": job.get_kind_display(), "follow": follow,
            "modes": ImportMode.choices, "result": job.result or {},
            "can_confirm": (job.kind == JobKind.CHECK and job.state == JobState.DONE and follow is None
                            and can_write(request.user) and not (job.result or {}).get("file_error"))}


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The htmx partial polled by the job page: the bar while running, the whole page when done."""
    job = _own_job(request, pk)
    return job_views.progress_partial(request, job, "sheets/_progress.html",
                                      _job_context(request, job) if not job.finished else {})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    job_views.cancel(request, job, requested=_("已请求取消；正在写入的数据将全部撤回"))
    return redirect("sheets:job", pk=job.pk)


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    check = _own_job(request, pk)
    if not can_write(request.user):
        raise PermissionDenied(_("当前角色只能查看，不能导入数据"))
    if check.kind != JobKind.CHECK or check.state != JobState.DONE:
        raise Http404
    mode = request.POST.get("mode", ImportMode.VALID)
    if mode not in ImportMode.values:
        mode = ImportMode.VALID
    # One import per check, held by the database (a job has at most one follow-up job): of two
    # confirms sent at once, one creates the import and the other is shown it.
    try:
        with transaction.atomic():
            job = runner.job_create(kind=JobKind.IMPORT, user=request.user, area=check.area,
                                    filename=check.filename, source=check,
                                    params={"ip": _ip(request), "language": get_language(), "mode": mode},
                                    limited=True)
    except runner.JobLimitReached as refused:
        return _over_job_limit(request, refused)
    except IntegrityError:
        return redirect("sheets:job", pk=SheetJob.objects.get(source=check).pk)
    runner.submit(job)
    return redirect("sheets:job", pk=job.pk)


@login_required
@require_GET
def job_errors(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    job = _own_job(request, pk)
    if not job.errors_path.exists():
        raise Http404
    audit_export(actor=request.user, entity="sheets.job", entity_id=str(job.pk),
                 area_path=job.area.path if job.area else "",
                 summary=_("下载错误说明表：%(f)s") % {"f": job.filename}, data={"file": job.filename})
    name = Path(job.filename).stem + _("-错误说明") + ".xlsx"
    return FileResponse(job.errors_path.open("rb"), as_attachment=True, filename=name)


@login_required
@require_GET
def job_download(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    job = _own_job(request, pk)
    if job.kind != JobKind.EXPORT or job.state != JobState.DONE or not job.output_path.exists():
        raise Http404
    audit_export(actor=request.user, entity="sheets.job", entity_id=str(job.pk),
                 area_path=job.params.get("area_path", ""),
                 summary=_("下载导出文件：%(f)s（%(n)d 行）") % {"f": job.filename, "n": (job.result or {}).get("rows", 0)},
                 data={"file": job.filename, "filters": job.params.get("filters", {}),
                       "masked": job.params.get("mask"), "rows": (job.result or {}).get("rows", 0)})
    return FileResponse(job.output_path.open("rb"), as_attachment=True, filename=job.filename)


@login_required
@require_POST
def export_households(request: HttpRequest) -> HttpResponse:
    """Export the household list as filtered on 贫困户名册 (its filters, posted by the 导出 Excel form).

    A POST, so that it is CSRF-protected: an export starts a job that reads a whole county, and a link
    (or an image) on another site must not be able to start one; a GET answers 405."""
    from fupin.registry.views import household_filters_from_request

    user = request.user
    filters, _form, root = household_filters_from_request(request, data=request.POST)
    if root is None:
        raise Http404
    year, error = _year(request.POST.get("year", ""))
    if error:
        messages.error(request, error)
        return redirect("household_list")
    if request.POST.get("selection") and not filters.ids:
        messages.error(request, _("请先勾选要导出的户"))
        return redirect("household_list")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    area = filters.area or root
    name = _("贫困户信息-%(a)s-%(t)s.xlsx") % {"a": area.name if area else "", "t": stamp}
    params = {"ip": _ip(request), "language": get_language(), "mask": not policy.export_reveals(user),
              "area_path": area.path if area else "", "year": year,
              "filters": {"area_code": filters.area.code if filters.area else "", "status": filters.status,
                          "attribute": filters.attribute, "cause": filters.cause,
                          "identified_year": filters.identified_year, "exit_year": filters.exit_year,
                          "q": filters.q, "sort": filters.sort, "ids": filters.ids}}
    try:
        job = runner.job_create(kind=JobKind.EXPORT, user=user, filename=name, params=params, limited=True)
    except runner.JobLimitReached as refused:
        return _over_job_limit(request, refused)
    runner.submit(job)
    return redirect("sheets:job", pk=job.pk)


def _year(raw: str) -> tuple[int | None, str | None]:
    """The year a report was asked for: (None, None) when none was chosen (the report takes the last
    complete year, rules.default_report_year); (None, message) for a year outside rules.report_years."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    year: int | str = int(raw) if raw.isdigit() else raw
    error = rules.report_year_error(year)
    return (None, error) if error else (int(year), None)


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponseBase:
    from .template import build_template

    buffer = io.BytesIO()
    build_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=_("贫困户信息导入模板.xlsx"))


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponseBase:
    from .summary import export_summary, summary_tables

    user = request.user
    code = request.GET.get("area", "")
    root = area_get(user=user, code=code) if code else area_root(user=user)
    if root is None:
        raise Http404
    year, error = _year(request.GET.get("year", ""))
    if error:
        messages.error(request, error)
        return redirect("sheets:index")
    year = rules.default_report_year() if year is None else year
    tables = summary_tables(user, root, year)
    buffer = io.BytesIO()
    export_summary(tables, buffer)
    buffer.seek(0)
    audit_export(actor=user, obj=root, area_path=root.path,
                 summary=_("导出汇总表：%(a)s") % {"a": root.name}, data={"area": root.code, "year": year})
    name = _("汇总表-%(a)s-%(y)d年度收入.xlsx") % {"a": root.name, "y": year}
    return FileResponse(buffer, as_attachment=True, filename=name)


def job_url(job: SheetJob) -> str:
    return reverse("sheets:job", kwargs={"pk": job.pk})
