"""明白卡 pages (REFERENCE §8): 打印明白卡 of one household (beside its page), a village's cards as one PDF,
and the cards of a larger area (a township, the county) as a background job with a progress bar and
cancel, ending in one PDF to download.

Every read goes through the policy's scope (a household or area outside it: 404, as its page); every
role that sees a household may print its card (a print is a read; it issues the card's version and is
audited as an export). A 帮扶责任人 prints the households paired to them, nothing else.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.db.models.functions import Substr
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.audit.services import audit_export
from fupin.documents.render import UnprintableText
from fupin.documents.views import pdf_response
from fupin.jobs import runner
from fupin.jobs.models import Job
from fupin.registry import selectors as registry_selectors

from . import cards
from .models import CardIssue

#: Printed at once (one request): a village's cards — a few hundred pages in seconds. A larger area is a job.
AT_ONCE_LEVELS = (Level.VILLAGE, Level.GROUP)
JOB_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _refused(request: HttpRequest, exc: UnprintableText, back: str) -> HttpResponse:
    for message in exc.messages:
        messages.error(request, _("无法打印明白卡：") + message)
    return redirect(back)


@login_required
@require_GET
def household_card(request: HttpRequest, pk: int) -> HttpResponse:
    """打印明白卡: the household's card (a new version when its data changed since the last card)."""
    household = registry_selectors.household_get(user=request.user, pk=pk)
    back = f"/households/{household.pk}/"
    if household.status not in cards.CARD_STATUSES:
        messages.error(request, _("只有建档立卡户和监测户有明白卡（本户：%(s)s）") % {"s": household.get_status_display()})
        return redirect(back)
    try:
        printed = cards.print_cards(user=request.user,
                                    households=policy.visible_households(request.user).filter(pk=household.pk),
                                    summary=_("打印明白卡：%(n)s %(name)s") % {"n": household.number,
                                                                           "name": household.head_name})
    except UnprintableText as exc:
        return _refused(request, exc, back)
    version = printed.versions[household.number]
    return pdf_response(printed.pdf, f"明白卡-{household.number}-第{version}版.pdf")


@login_required
@require_GET
def area_cards(request: HttpRequest, code: str) -> HttpResponse:
    """A village's cards as one PDF, a page per household the user sees there."""
    area = registry_selectors.browse_area_get(user=request.user, code=code)
    if area.level not in AT_ONCE_LEVELS:
        messages.info(request, _("%(a)s 户数较多，请在下方“后台生成”整批打印") % {"a": area.name})
        return redirect("assistance_cards:index")
    households = policy.visible_households(request.user).filter(area_path__startswith=area.path)
    if not households.filter(status__in=cards.CARD_STATUSES).exists():
        messages.info(request, _("%(a)s 没有可打印明白卡的户") % {"a": area.name})
        return redirect("assistance_cards:index")
    try:
        printed = cards.print_cards(user=request.user, households=households, area_path=area.path,
                                    summary=_("打印明白卡：%(a)s") % {"a": area.full_name()})
    except UnprintableText as exc:
        return _refused(request, exc, "assistance_cards:index")
    return pdf_response(printed.pdf, f"明白卡-{area.name}-{printed.count}户.pdf")


def _villages(request: HttpRequest) -> list[dict]:
    """The villages the user sees households in: cards to print, cards printed, the last print."""
    user = request.user
    visible = policy.visible_households(user).filter(status__in=cards.CARD_STATUSES)
    counts = {r["v"]: r["n"] for r in visible.annotate(v=Substr("area_path", 1, 12)).values("v").annotate(n=Count("id"))}
    issued = {r["v"]: r for r in CardIssue.objects.filter(household__in=visible)
              .annotate(v=Substr("household__area_path", 1, 12)).values("v")
              .annotate(n=Count("household", distinct=True), last=Max("last_printed_at"))}
    areas = registry_selectors.browse_areas(user=user).filter(level=Level.VILLAGE, path__in=list(counts)) \
        .select_related("parent").order_by("path")
    return [{"area": a, "households": counts[a.path], "issued": issued.get(a.path, {}).get("n", 0),
             "last": issued.get(a.path, {}).get("last")} for a in areas]


@login_required
@require_GET
def cards_index(request: HttpRequest) -> HttpResponse:
    villages = _villages(request)
    job_areas = registry_selectors.browse_areas(user=request.user).filter(level__in=JOB_LEVELS[:2]).order_by("path")
    jobs = Job.objects.filter(user=request.user, kind=cards.JOB_KIND).select_related("area")[:10]
    return render(request, "assistance/cards.html", {
        "villages": villages, "job_areas": job_areas, "jobs": jobs,
        "total": sum(v["households"] for v in villages), "printed": sum(v["issued"] for v in villages)})


@login_required
@require_POST
def cards_job_start(request: HttpRequest) -> HttpResponse:
    area = registry_selectors.browse_area_get(user=request.user, code=request.POST.get("area", ""))
    try:
        job = runner.job_create(kind=cards.JOB_KIND, user=request.user, area=area, filename=f"明白卡-{area.name}.pdf",
                                params={"language": request.LANGUAGE_CODE, "ip": request.META.get("REMOTE_ADDR")},
                                limited=True)
    except runner.JobLimitReached:
        messages.error(request, _("您已有未完成的后台任务，请等待完成后再提交"))
        return redirect("assistance_cards:index")
    runner.submit(job)
    return redirect("assistance_cards:job", pk=job.pk)


def _own_job(request: HttpRequest, pk: uuid.UUID) -> Job:
    job = Job.objects.filter(pk=pk, user=request.user, kind=cards.JOB_KIND).select_related("area").first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def cards_job(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "assistance/cards_job.html", {"job": job, "progress": runner.progress_of(job)})


@login_required
@require_GET
def cards_job_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The htmx partial polled by the job page; once the job ends the page reloads (download or message)."""
    job = _own_job(request, pk)
    if job.finished:
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, "assistance/_cards_progress.html", {"job": job, "progress": runner.progress_of(job)})


@login_required
@require_POST
def cards_job_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    if not job.finished:
        runner.request_cancel(job)
        messages.info(request, _("已请求取消；不会生成文件"))
    return redirect("assistance_cards:job", pk=job.pk)


@login_required
@require_GET
def cards_job_download(request: HttpRequest, pk: uuid.UUID) -> FileResponse:
    job = _own_job(request, pk)
    path = job.folder / cards.JOB_FILE
    if job.state != runner.JobState.DONE or not path.is_file():
        raise Http404
    audit_export(actor=request.user, entity="assistance.card", entity_id=str(job.pk),
                 area_path=job.area.path if job.area else "",
                 summary=_("下载明白卡：%(f)s") % {"f": job.filename},
                 data={"document": "card", "job": str(job.pk), "cards": (job.result or {}).get("count")})
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    response["Cache-Control"] = "private, no-store"
    return response
