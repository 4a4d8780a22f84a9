"""Pages of the yearly dynamic adjustment (动态调整), its reconciliation and the "五个清楚" of a household.

Reading a run, the reconciliation and its lists needs the area-wide capability ``incidence`` (a
帮扶责任人 or 评估人员 sees only some households of an area, so area figures are not theirs) and the
area inside the user's subtree (a 404 outside); starting a run and reviewing its proposals needs
``adjust``. The "五个清楚" page is the household's: whoever may open the household may open it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.jobs import runner
from fupin.jobs import views as job_views
from fupin.registry import rules as registry_rules
from fupin.registry import selectors as registry_selectors

from . import adjustment, reconciliation
from .models_adjustment import AdjustmentRun, ProposalKind, ProposalState, RunStatus

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.registry.models import Household

AREA_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _require_read(request: HttpRequest) -> None:
    if not policy.can(request.user, "incidence"):
        raise PermissionDenied(_("您的角色不能查看区域的动态调整和对账"))


def _runs(request: HttpRequest):
    return AdjustmentRun.objects.filter(policy.area_q(request.user, "area__path")).select_related(
        "area", "created_by", "job")


def _run_get(request: HttpRequest, pk: int) -> AdjustmentRun:
    _require_read(request)
    run = _runs(request).filter(pk=pk).first()
    if run is None:
        raise Http404
    if run.status == RunStatus.COMPUTING and run.job is not None and run.job.finished \
            and run.job.state != runner.JobState.DONE:
        # Cancelled before its handler started (or its worker died): it computed nothing.
        AdjustmentRun.objects.filter(pk=run.pk, status=RunStatus.COMPUTING).update(status=RunStatus.CANCELLED)
        run.status = RunStatus.CANCELLED
    return run


def _areas(request: HttpRequest) -> list[Area]:
    return list(registry_selectors.browse_areas(user=request.user).filter(level__in=AREA_LEVELS)
                .order_by("path")[:2000])


def _area_param(request: HttpRequest, code: str | None) -> Area:
    root = registry_selectors.browse_root(user=request.user)
    if not code:
        if root is None:
            raise Http404
        return root
    area = registry_selectors.browse_area_get(user=request.user, code=code)
    return area


def _year_param(value: str | None, default: int) -> int:
    try:
        year = int(value) if value else default
    except ValueError:
        return default
    return year if registry_rules.report_year_error(year) is None else default


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_list(request: HttpRequest) -> HttpResponse:
    _require_read(request)
    user = request.user
    may_start = policy.can(user, "adjust")
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied(_("您的角色不能办理动态调整（限县级管理员、系统管理员）"))
        area = _area_param(request, request.POST.get("area"))
        try:
            year = int(request.POST.get("year") or 0)
            run = adjustment.run_start(actor=user, year=year, area=area)
        except ValueError:
            messages.error(request, _("年度：请选择年度"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except runner.JobLimitReached as exc:
            messages.error(request, _("您已有 %(n)d 个后台任务尚未完成，请等待完成后再发起") % {"n": exc.running})
        else:
            return redirect("adjustment_detail", pk=run.pk)
        return redirect("adjustment_list")
    page = Paginator(_runs(request).order_by("-created_at", "-id"), settings.FUPIN_PAGE_SIZE).get_page(
        request.GET.get("page"))
    years = registry_rules.report_years()
    return render(request, "identification/adjust_list.html", {
        "page": page, "may_start": may_start, "areas": _areas(request) if may_start else [], "years": years,
        "default_year": registry_rules.default_report_year(),
    })


TABS = [ProposalKind.ENTRANT, ProposalKind.EXIT, ProposalKind.RETURN, ProposalKind.REMOVAL]


@login_required
@require_GET
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_get(request, pk)
    tab = request.GET.get("tab") or ProposalKind.EXIT
    if tab not in ProposalKind.values:
        tab = ProposalKind.EXIT
    state = request.GET.get("state", "")
    counts = {(k, s): n for k, s, n in run.proposals.values_list("kind", "state").annotate(n=Count("pk"))
              .order_by()}
    tabs = [{"kind": k.value, "label": k.label, "total": sum(n for (kk, _s), n in counts.items() if kk == k),
             "pending": counts.get((k.value, ProposalState.PENDING), 0)} for k in TABS]
    proposals = (run.proposals.filter(kind=tab).filter(policy.household_q(request.user, "household"))
                 .select_related("household", "household__area", "household__area__parent", "confirmed_by")
                 .order_by("household__area_path", "household__number"))
    if state in ProposalState.values:
        proposals = proposals.filter(state=state)
    page = Paginator(proposals, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    job = run.job
    return render(request, "identification/adjust_detail.html", {
        "timings": [(ProposalKind(k).label, s) for k, s in (run.counts or {}).get("seconds", {}).items()
                    if k in ProposalKind.values],
        "run": run, "tab": tab, "tabs": tabs, "page": page, "state": state, "states": ProposalState.choices,
        "query": f"tab={tab}&state={state}",
        "may_review": policy.can(request.user, "adjust") and run.status in (RunStatus.REVIEW, RunStatus.CONFIRMED)
        and policy.in_write_scope(request.user, run.area),
        "job": job, "progress": runner.progress_of(job) if job is not None else None,
        "computing": run.status == RunStatus.COMPUTING and job is not None and not job.finished,
        "reconcile_url": f"{reverse('reconciliation')}?area={run.area.code}&year={run.year}",
    })


@login_required
@require_GET
def adjustment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx partial polled while the run computes: the bar, then a refresh of the whole page."""
    run = _run_get(request, pk)
    return job_views.progress_partial(request, run.job, "identification/adjust_progress.html", {"run": run},
                                      running=run.status == RunStatus.COMPUTING)


@login_required
@require_POST
def adjustment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_get(request, pk)
    if not policy.can(request.user, "adjust") or not policy.in_write_scope(request.user, run.area):
        raise PermissionDenied(_("您的角色不能办理动态调整（限县级管理员、系统管理员）"))
    job_views.cancel(request, run.job, requested=_("已请求取消；已计算的建议将全部撤回"), on_cancelled=lambda:
                     AdjustmentRun.objects.filter(pk=run.pk, status=RunStatus.COMPUTING).update(status=RunStatus.CANCELLED))
    return redirect("adjustment_detail", pk=run.pk)


@login_required
@require_POST
def adjustment_review(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_get(request, pk)
    tab = request.POST.get("tab") or ProposalKind.EXIT
    back = f"{reverse('adjustment_detail', args=[run.pk])}?tab={tab}"
    if tab not in ProposalKind.values:
        raise Http404
    everything = request.POST.get("all") == "1"
    try:
        ids = None if everything else [int(v) for v in request.POST.getlist("ids")]
    except ValueError as exc:
        raise Http404 from exc
    if ids is not None and not ids:
        messages.error(request, _("请勾选要审核的户，或选择“全部”"))
        return redirect(back)
    if ids is not None:
        # Only proposals of households the user may see (a forged id is simply not there).
        ids = list(run.proposals.filter(pk__in=ids, kind=tab).filter(policy.household_q(request.user, "household"))
                   .values_list("pk", flat=True))
    action = request.POST.get("action")
    try:
        if action == "decline":
            outcome = adjustment.proposals_decline(actor=request.user, run=run, ids=ids, kind=tab,
                                                   note=request.POST.get("note", ""))
            messages.success(request, _("已不采纳 %(n)d 户") % {"n": outcome.declined})
        elif action == "confirm":
            outcome = adjustment.proposals_confirm(actor=request.user, run=run, ids=ids, kind=tab)
            messages.success(request, _("已确认 %(n)d 户") % {"n": outcome.confirmed})
            for who, why in outcome.refused[:50]:
                messages.error(request, _("%(h)s 未能确认：%(r)s") % {"h": who, "r": why})
            if len(outcome.refused) > 50:
                messages.error(request, _("另有 %(n)d 户未能确认") % {"n": len(outcome.refused) - 50})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(back)


# --- the reconciliation --------------------------------------------------------------------------------------


def _reconcile_params(request: HttpRequest) -> tuple[Area, int]:
    _require_read(request)
    area = _area_param(request, request.GET.get("area"))
    year = _year_param(request.GET.get("year"), registry_rules.default_report_year())
    return area, year


@login_required
@require_GET
def reconciliation_page(request: HttpRequest) -> HttpResponse:
    area, year = _reconcile_params(request)
    rec = reconciliation.reconcile(area, year)
    return render(request, "identification/reconciliation.html", {
        "rec": rec, "area": area, "year": year, "years": registry_rules.report_years(), "areas": _areas(request),
        "computed_households": rec.computed_end("households"), "computed_people": rec.computed_end("people"),
    })


@login_required
@require_GET
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    area, year = _reconcile_params(request)
    figure = request.GET.get("figure", "")
    if figure not in reconciliation.ORDER:
        raise Http404
    qs = reconciliation.rows(area, year, figure)
    total = qs.order_by().aggregate(n=Count("pk"), p=reconciliation.Sum("people"))
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "identification/reconciliation_list.html", {
        "area": area, "year": year, "figure": figure, "label": reconciliation.LABELS[figure], "page": page,
        "households": total["n"] or 0, "people": total["p"] or 0, "stock": figure in reconciliation.STOCKS,
        "query": f"area={area.code}&year={year}&figure={figure}",
        "back": f"{reverse('reconciliation')}?area={area.code}&year={year}",
    })


# --- 五个清楚 ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def household_five_clear(request: HttpRequest, pk: int) -> HttpResponse:
    household = registry_selectors.household_get(user=request.user, pk=pk)
    return render(request, "identification/five_clear.html", _five_clear(request.user, household))


def _five_clear(user: User, household: Household) -> dict:
    """贫困人口、致贫原因、帮扶措施、脱贫路径、脱贫成效 — what the household's own records say of each."""
    from fupin.assistance.selectors import household_pairings, plan_summary, plan_years
    from fupin.standards import services as standards
    from fupin.standards.models import RuleKind

    from .models import Case, CaseKind

    members = list(household.members.all())
    records = sorted(household.yearly_records.all(), key=lambda r: r.year)
    today = timezone.localdate()
    for m in members:
        m.age = m.age_on(today)
    check = None
    latest = records[-1] if records else None
    if latest is not None:
        ruleset = standards.ruleset_for(RuleKind.EXIT, latest.year, household.area)
        if ruleset is not None:
            result = standards.evaluate_household(ruleset, household, latest.year)
            check = {"year": latest.year, "ruleset": ruleset, "holds": result.holds,
                     "rows": standards.outcome_rows(result)}
    decision = household.standard_decisions.select_related("ruleset").order_by("-decided_at", "-id").first()
    cases = list(Case.objects.filter(household=household, kind__in=[CaseKind.IDENTIFICATION, CaseKind.EXIT])
                 .order_by("-created_at", "-id"))
    chart = {"years": [r.year for r in records], "income": [float(r.per_capita_income) for r in records],
             "line": [float(r.poverty_line) if r.poverty_line is not None else None for r in records],
             "labels": {"income": _("人均纯收入"), "line": _("扶贫标准"), "yuan": _("元")}}
    # 帮扶措施清楚 comes from the household's plan (一户一策, issue 15): this year's, else its latest one.
    years = [y for y in plan_years(household=household) if y <= today.year]
    plan = plan_summary(household=household, year=years[0] if years else today.year)
    return {
        "plan": plan,
        "h": household, "active_members": [m for m in members if m.active],
        "removed_members": [m for m in members if not m.active], "sees_health": policy.sees(user, "health"),
        "pairings": list(household_pairings(household=household)), "check": check, "decision": decision,
        "cases": cases, "records": list(reversed(records)), "chart": chart,
        "changes": list(household.status_changes.all()),
    }
