"""Pages of the year-end archive (年度档案, /monitoring/archives/): the archives of the user's subtree, a form
to build one (area + year, a background job), its progress bar and cancel, its files, the download and a
re-check against its manifest.

Every page needs the ``archive`` capability (policy.CAPABILITIES); an archive of an area outside the
user's subtree is a 404, as is an area outside it in the form. Each download is audited as an export.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.jobs import runner
from fupin.jobs import views as job_views
from fupin.registry import rules as registry_rules
from fupin.registry import selectors as registry_selectors

from . import archive as archives
from .models_archive import Archive, ArchiveState

AREA_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _require(request: HttpRequest) -> None:
    if not policy.can(request.user, "archive"):
        raise PermissionDenied(_("您的角色不能查看或生成年度档案"))


def _archives(request: HttpRequest) -> QuerySet[Archive]:
    return Archive.objects.filter(policy.area_q(request.user, "area_path")).select_related("area", "created_by", "job")


def _archive_get(request: HttpRequest, pk: int) -> Archive:
    _require(request)
    archive = _archives(request).filter(pk=pk).first()
    if archive is None:
        raise Http404
    return archives.settle(archive)


@login_required
@require_http_methods(["GET", "POST"])
def archive_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    user = request.user
    if request.method == "POST":
        area = registry_selectors.browse_area_get(user=user, code=request.POST.get("area", "").strip())
        try:
            year = int(request.POST.get("year") or 0)
            archive = archives.archive_start(actor=user, area=area, year=year)
        except ValueError:
            messages.error(request, _("年度：请选择年度"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except runner.JobLimitReached as exc:
            messages.error(request, _("您已有 %(n)d 个后台任务尚未完成，请等待完成后再发起") % {"n": exc.running})
        else:
            return redirect("archive_detail", pk=archive.pk)
        return redirect("archive_list")
    page = Paginator(_archives(request), settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        archives.settle(a)
    areas = list(registry_selectors.browse_areas(user=user).filter(level__in=AREA_LEVELS).order_by("path")[:2000])
    return render(request, "monitoring/archive_list.html", {
        "page": page, "areas": areas, "years": registry_rules.report_years(),
        "default_year": registry_rules.default_report_year()})


def _manifest(archive: Archive) -> dict[str, Any] | None:
    """The stored ZIP's manifest.json, for the list of files (None when the file is gone or unreadable)."""
    path = archive.path
    if archive.state != ArchiveState.DONE or path is None or not path.exists():
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read(archives.MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None


@login_required
@require_GET
def archive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    archive = _archive_get(request, pk)
    building = archive.state == ArchiveState.BUILDING
    manifest = _manifest(archive)
    return render(request, "monitoring/archive_detail.html", {
        "archive": archive, "building": building, "manifest": manifest,
        "progress": runner.progress_of(archive.job) if building and archive.job else None,
        "missing": archive.state == ArchiveState.DONE and manifest is None,
        "count_rows": [(str(archives.COUNT_LABELS.get(k, k)), v) for k, v in (manifest or {}).get("counts", {}).items()],
        "part_rows": [(str(label), (archive.counts.get("seconds") or {}).get(key)) for key, label, _s in archives.PARTS],
    })


@login_required
@require_GET
def archive_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial polled while the archive is built: the bar, then a refresh of the whole page."""
    archive = _archive_get(request, pk)
    return job_views.progress_partial(request, archive.job, "monitoring/archive_progress.html", {"archive": archive},
                                      running=archive.state == ArchiveState.BUILDING)


@login_required
@require_POST
def archive_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    archive = _archive_get(request, pk)
    if archive.state == ArchiveState.BUILDING:
        job_views.cancel(request, archive.job, done=_("已取消，未生成档案"),
                         requested=_("已请求取消；正在生成的文件将被删除"), on_cancelled=lambda: Archive.objects.filter(
                             pk=archive.pk, state=ArchiveState.BUILDING).update(state=ArchiveState.CANCELLED))
    return redirect("archive_detail", pk=archive.pk)


@login_required
@require_GET
def archive_download(request: HttpRequest, pk: int) -> FileResponse:
    archive = _archive_get(request, pk)
    path = archive.path
    if archive.state != ArchiveState.DONE or path is None or not path.exists():
        raise Http404
    archives.audit_download(actor=request.user, archive=archive)
    return FileResponse(path.open("rb"), as_attachment=True, filename=archives.download_name(archive),
                        content_type="application/zip")


@login_required
@require_POST
def archive_verify(request: HttpRequest, pk: int) -> HttpResponse:
    archive = _archive_get(request, pk)
    if archive.state != ArchiveState.DONE:
        raise Http404
    result = archives.verify_archive(archive)
    if result.ok:
        messages.success(request, _("核验通过：%(n)d 个文件的大小和 SHA-256 均与清单一致，压缩包与生成时记录的校验值一致")
                         % {"n": result.files})
    else:
        messages.error(request, _("核验未通过：") + "；".join(result.problems[:20]))
    return redirect("archive_detail", pk=archive.pk)
