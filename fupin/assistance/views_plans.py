"""一户一策 pages (issue 15 item 3, plan15): a household's plan of a year with its measures, the 菜单式
suggestions (one tap to add), a measure's edit and 完成 forms; the measure catalogue and its editor.

Reads go through the scoped selectors (a household outside the scope is a 404); writes through
fupin.assistance.services_plans, which check the policy (writers in their subtree, a 帮扶责任人 on the
households paired to them) and the plan's version: a save over a newer version answers 409 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fupin.accounts import policy
from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import Cause
from fupin.registry.models import Household
from fupin.registry.services import StaleVersion
from fupin.web.forms import apply_errors
from fupin.web.views import parse_int

from . import selectors
from . import services_plans as services
from .forms_plans import CatalogueForm, DoneForm, MeasureForm
from .models import MeasureCategory, MeasureStatus, Plan
from .suggest import suggestions

STALE = _("该帮扶计划刚被其他人修改过（您看到的是旧版本），请刷新页面后重新操作")


def may_edit(user: Any, household: Household) -> bool:
    try:
        policy.check_household_work(user, household, "plan")
    except (PermissionDenied, ValidationError):
        return False
    return True


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    year = parse_int(request.GET.get("year") or request.POST.get("year")) or this_year
    return year if 2014 <= year <= this_year + 1 else this_year


def _plan_url(household: Household, year: int) -> str:
    return reverse("plan_page", args=[household.pk]) + f"?year={year}"


def _render(request: HttpRequest, household: Household, year: int, *, status: int = 200,
            form: MeasureForm | None = None, error: str = "") -> HttpResponse:
    user = request.user
    context = selectors.plan_summary(household=household, year=year)
    editable = may_edit(user, household)
    context.update({
        "editable": editable, "error": error,
        "suggestions": suggestions(household, year, plan=context["plan"]) if editable else [],
        "form": form or MeasureForm(user=user, initial={"planned_on": f"{year}-12-31"}),
        "done_form": DoneForm(initial={"done_on": timezone.localdate()}),
        "pairings": list(selectors.household_pairings(household=household).filter(end__isnull=True)),
    })
    return render(request, "assistance/plan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the plan. POST ``action``: ``create`` (the year's plan), ``note`` (帮扶思路), ``suggest``
    (add a catalogue measure in one tap: ``catalogue``, ``cause``), ``add`` (a measure written in)."""
    household = registry_selectors.household_get(user=request.user, pk=pk)
    year = _year(request)
    if request.method == "GET":
        return _render(request, household, year)
    action = request.POST.get("action", "")
    version = parse_int(request.POST.get("version"))
    form = None
    try:
        with transaction.atomic():
            plan = Plan.objects.filter(household=household, year=year).first()
            if plan is None and action in ("create", "suggest", "add"):
                plan = services.plan_create(actor=request.user, household=household, year=year)
                version = plan.version
            if plan is None:
                raise ValidationError(_("该年度还没有帮扶计划"))
            if action == "note":
                services.plan_update(actor=request.user, plan=plan, version=version or 0,
                                     note=request.POST.get("note", ""))
            elif action == "suggest":
                catalogue = selectors.catalogue_get(user=request.user, pk=parse_int(request.POST.get("catalogue")) or 0)
                cause = request.POST.get("cause", "")
                m = services.measure_add(actor=request.user, plan=plan, version=version or 0, catalogue=catalogue,
                                         cause=cause if cause in Cause.values else "")
                messages.success(request, _("已加入计划：%(m)s") % {"m": m.name})
            elif action == "add":
                form = MeasureForm(request.POST, user=request.user)
                if not form.is_valid():
                    transaction.set_rollback(True)
                    return _render(request, household, year, status=400, form=form)
                services.measure_add(actor=request.user, plan=plan, version=version or 0, **form.cleaned_data)
                messages.success(request, _("已增加措施"))
    except StaleVersion:
        return _render(request, household, year, status=409, error=STALE)
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
            return _render(request, household, year, status=400, form=form)
        return _render(request, household, year, status=400, error="；".join(exc.messages))
    return redirect(_plan_url(household, year))


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.plan_measure_get(user=request.user, pk=pk)
    household = measure.plan.household
    if not may_edit(request.user, household):
        raise PermissionDenied(_("您不能修改该户的帮扶计划"))
    form = MeasureForm(request.POST or None, instance=measure, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(actor=request.user, measure=measure,
                                    version=parse_int(request.POST.get("version")) or 0, **form.cleaned_data)
        except StaleVersion:
            form.add_error(None, STALE)
            status = 409
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("已保存"))
            return redirect(_plan_url(household, measure.plan.year))
    elif request.method == "POST":
        status = 400
    return render(request, "assistance/plan_measure.html", {"form": form, "m": measure, "h": household,
                                                            "plan": measure.plan}, status=status)


@login_required
@require_POST
def measure_status(request: HttpRequest, pk: int) -> HttpResponse:
    """完成 (with its date and result), 实施中, 取消, or back to 计划."""
    measure = selectors.plan_measure_get(user=request.user, pk=pk)
    household = measure.plan.household
    if not may_edit(request.user, household):
        raise PermissionDenied(_("您不能修改该户的帮扶计划"))
    status = request.POST.get("status", MeasureStatus.DONE)
    form = DoneForm(request.POST)
    done_on = form.cleaned_data["done_on"] if form.is_valid() else None
    result = request.POST.get("result") if "result" in request.POST else None
    try:
        services.measure_set_status(actor=request.user, measure=measure, status=status, done_on=done_on,
                                    result=result, version=parse_int(request.POST.get("version")) or 0)
    except StaleVersion:
        return _render(request, household, measure.plan.year, status=409, error=STALE)
    except ValidationError as exc:
        return _render(request, household, measure.plan.year, status=400,
                       error=_("%(m)s：%(e)s") % {"m": measure.name, "e": "；".join(exc.messages)})
    messages.success(request, _("%(m)s：%(s)s") % {"m": measure.name, "s": MeasureStatus(status).label})
    return redirect(_plan_url(household, measure.plan.year))


# --- the catalogue ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """帮扶措施目录: read by everyone; a catalogue manager adds measures for their area here."""
    user = request.user
    manage = policy.can(user, "manage_catalogue")
    form = CatalogueForm(request.POST or None, user=user) if manage else None
    status = 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("您的角色只能查看措施目录，不能修改"))
        if form.is_valid():
            try:
                m = services.catalogue_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已新增：%(m)s") % {"m": m})
                return redirect("plan_catalogue")
        else:
            status = 400
    rows = list(selectors.catalogue_list(user=user, include_inactive=manage).order_by("category", "name", "id"))
    for m in rows:
        m.cause_labels = [Cause(c).label for c in m.causes or [] if c in Cause.values]
        m.editable = policy.may_manage_catalogue(user, m.area)
    groups = [(label, [m for m in rows if m.category == value]) for value, label in MeasureCategory.choices]
    return render(request, "assistance/plan_catalogue.html", {
        "groups": [(label, ms) for label, ms in groups if ms], "form": form, "manage": manage, "count": len(rows),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    measure = selectors.catalogue_get(user=user, pk=pk)
    if not policy.may_manage_catalogue(user, measure.area):
        raise PermissionDenied(_("您不能修改该目录措施（由上级设置，或您的角色只能查看）"))
    form = CatalogueForm(request.POST or None, instance=measure, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.catalogue_update(actor=user, measure=measure, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已保存"))
                return redirect("plan_catalogue")
        else:
            status = 400
    return render(request, "assistance/plan_catalogue_edit.html", {"form": form, "m": measure}, status=status)
