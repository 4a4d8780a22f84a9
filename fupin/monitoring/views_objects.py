"""The monitoring objects' pages (issue 14 items 1 and 3, mproc): the list with its filters and counts, one
object (household, risk, income against the line, the measures' ledger, its cases, the risk-elimination check
with each condition), registering a found household, a measure, 即时帮扶, opening the entry and risk-elimination
procedures; the 即时帮扶 ledger (exportable .xlsx, audited); the self-reports of the mobile page waiting for a
visit; and the public mobile application page itself (no login). Reads through selectors_objects (scoped;
outside scope 404), writes through services (the actor, the scope, the rules, the audit)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fupin.accounts import policy
from fupin.accounts.lockout import client_ip
from fupin.areas.models import Area
from fupin.audit.services import audit_export, audit_reveal_report
from fupin.registry import selectors as registry_selectors
from fupin.registry import views as registry_views
from fupin.registry.forms import MemberBriefFormSet
from fupin.web.forms import apply_errors
from fupin.web.views import parse_int

from . import rules, services
from . import selectors_objects as selectors
from .forms import (
    MEASURE_CATEGORIES,
    ApplyForm,
    ClearForm,
    DismissForm,
    EntryForm,
    FoundForm,
    HeadBriefForm,
    InstantForm,
    MeasureForm,
    NewFoundForm,
    NewHouseholdForm,
    ObjectFilterForm,
)
from .models import MonitoringObject, ObjectState, risk_labels


def _require_write(request: HttpRequest) -> None:
    policy.require(request.user, "write", _("您的角色只能查看，不能办理防返贫监测"))


def _villages(user: Any) -> list[Area]:
    return list(policy.visible_areas(user).filter(level="village").order_by("path").only("code", "name", "path"))


def _decorate(obj: MonitoringObject, today: datetime.date) -> MonitoringObject:
    start = obj.found_on if obj.state == ObjectState.PENDING else getattr(obj, "clear_started", None)
    running = obj.state == ObjectState.PENDING or (obj.state == ObjectState.AT_RISK and obj.clear_case_id is not None
                                                   and start is not None and obj.clear_case.step not in _final())
    obj.due = rules.due_on(start) if running and start else None
    obj.overdue = bool(obj.due and today > obj.due)
    obj.risk_text = risk_labels(obj.risk_types)
    return obj


def _final() -> frozenset[str]:
    from fupin.identification import rules as case_rules

    return case_rules.FINAL


# --- the list -----------------------------------------------------------------------------------------


@login_required
def object_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    villages = _villages(user)
    form = ObjectFilterForm(request.GET or None, villages=villages)
    params: dict[str, Any] = {}
    if form.is_valid():
        params = dict(form.cleaned_data)
        if params.get("village"):
            params["village_path"] = next(v.path for v in villages if v.code == params["village"])
    qs = selectors.filtered(user, params)
    counts = selectors.state_counts(qs)
    base = selectors.objects_for(user)
    # select_related: the household, its area and the clear case are shown on every row (one query per page).
    page = Paginator(qs.select_related("household", "household__area", "clear_case").order_by("-found_on", "-id"),
                     50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for obj in page.object_list:
        _decorate(obj, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/objects.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "counts": [{"code": s, "label": label, "n": counts.get(s, 0)} for s, label in ObjectState.choices],
        "total": sum(counts.values()), "instant_n": base.filter(instant=True, state__in=[
            ObjectState.PENDING, ObjectState.AT_RISK]).count(),
        "overdue_n": selectors.overdue(user).count(), "can_write": policy.can_write(user),
        "limit_days": rules.time_limit_days()})


# --- one object ---------------------------------------------------------------------------------------


def _writer(user: Any, obj: MonitoringObject) -> bool:
    return policy.can_write(user) and policy.in_write_scope(user, obj.household.area)


def _detail(request: HttpRequest, obj: MonitoringObject, **forms: Any) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    obj.clear_started = (obj.clear_case.events.order_by("date").values_list("date", flat=True).first()
                         if obj.clear_case_id else None)
    _decorate(obj, today)
    household = obj.household
    writer = _writer(user, obj)
    open_states = (ObjectState.PENDING, ObjectState.AT_RISK)
    line = rules.monitoring_line(today.year, household.area)
    check = None
    if obj.state == ObjectState.AT_RISK:
        check = rules.clear_check(obj, today)
    entry_running = obj.entry_case_id and obj.entry_case.step not in ("rejected", "withdrawn")
    clear_running = obj.clear_case_id and obj.clear_case.step not in ("rejected", "withdrawn")
    measures = list(selectors.measures_of(obj))
    return render(request, "monitoring/object_detail.html", {
        "o": obj, "h": household, "line_now": line, "check": check,
        "income_text": rules.Income(obj.income_12m, obj.income_basis).text,
        "measures": measures, "measures_total": sum((m.amount or Decimal(0)) for m in measures),
        "cases": [c for c in (obj.entry_case, obj.clear_case) if c is not None],
        "measure_form": forms.get("measure_form") or (MeasureForm() if writer and obj.state in open_states else None),
        "instant_form": forms.get("instant_form") or (InstantForm() if writer and not obj.instant
                                                      and obj.state in open_states else None),
        "entry_form": forms.get("entry_form") or (EntryForm() if writer and obj.state == ObjectState.PENDING
                                                  and not entry_running else None),
        "clear_form": forms.get("clear_form") or (ClearForm() if writer and obj.state == ObjectState.AT_RISK
                                                  and not clear_running else None),
        "categories": MEASURE_CATEGORIES, "limit_days": rules.time_limit_days(),
    })


@login_required
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.object_get(request.user, pk))


def _post(request: HttpRequest, pk: int, form_class: type, key: str, act: Any, done: str) -> HttpResponse:
    _require_write(request)
    obj = selectors.object_get(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(obj, form)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("monitoring_object", pk=obj.pk)
    return _detail(request, selectors.object_get(request.user, pk), **{key: form})


@login_required
@require_POST
def object_measure(request: HttpRequest, pk: int) -> HttpResponse:
    def act(obj: MonitoringObject, form: MeasureForm) -> None:
        cd = form.cleaned_data
        services.measure_add(actor=request.user, obj=obj, sector=cd["sector"], category=cd["category"],
                             date=cd["date"], amount=cd["amount"], description=cd["description"])
    return _post(request, pk, MeasureForm, "measure_form", act, _("已登记帮扶措施"))


@login_required
@require_POST
def object_instant(request: HttpRequest, pk: int) -> HttpResponse:
    def act(obj: MonitoringObject, form: InstantForm) -> None:
        services.instant_flag(actor=request.user, obj=obj, on=form.cleaned_data["on"], note=form.cleaned_data["note"])
    return _post(request, pk, InstantForm, "instant_form", act, _("已标注即时帮扶"))


@login_required
@require_POST
def object_entry(request: HttpRequest, pk: int) -> HttpResponse:
    def act(obj: MonitoringObject, form: EntryForm) -> None:
        cd = form.cleaned_data
        services.entry_open(actor=request.user, obj=obj, checklist=form.checklist(), opinion=cd["opinion"],
                            date=cd["date"], income_12m=cd["income_12m"])
    return _post(request, pk, EntryForm, "entry_form", act, _("已完成入户核实，纳入程序已发起"))


@login_required
@require_POST
def object_clear(request: HttpRequest, pk: int) -> HttpResponse:
    def act(obj: MonitoringObject, form: ClearForm) -> None:
        cd = form.cleaned_data
        services.clear_open(actor=request.user, obj=obj, checklist=form.checklist(), opinion=cd["opinion"],
                            date=cd["date"], income_12m=cd["income_12m"], income_above_since=cd["income_above_since"],
                            rigid_resolved=cd["rigid_resolved"])
    return _post(request, pk, ClearForm, "clear_form", act, _("已完成入户核实，风险消除程序已发起"))


# --- registering a found household ----------------------------------------------------------------------


def _found(request: HttpRequest, form: FoundForm, report: Any = None) -> MonitoringObject | None:
    cd = form.cleaned_data
    household = policy.visible_households(request.user).filter(number=cd["household"].strip()).first()
    if household is None:
        form.add_error("household", _("在您的范围内没有户编号为“%(n)s”的农户") % {"n": cd["household"].strip()})
        return None
    try:
        if report is not None:
            return services.self_report_found(actor=request.user, report=report, household=household,
                                              kind=cd["kind"], risk_types=cd["risk_types"], found_on=cd["found_on"],
                                              note=cd["note"], income_12m=cd["income_12m"])
        return services.object_found(actor=request.user, household=household, kind=cd["kind"],
                                     risk_types=cd["risk_types"], channel=cd["channel"], found_on=cd["found_on"],
                                     note=cd["note"], income_12m=cd["income_12m"])
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def object_new(request: HttpRequest) -> HttpResponse:
    _require_write(request)
    form = FoundForm(request.POST or None, initial={"household": request.GET.get("household", ""),
                                                     "found_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        obj = _found(request, form)
        if obj is not None:
            messages.success(request, _("已登记，下一步：入户核实并取得农户签字承诺"))
            return redirect("monitoring_object", pk=obj.pk)
    return render(request, "monitoring/object_new.html", {"form": form})


def _new_household_errors(exc: ValidationError, found: NewFoundForm, form: NewHouseholdForm, head: HeadBriefForm,
                          filled: list) -> None:
    """A refusal at its field: the monitoring fields' on the monitoring form, the rest where the registry's own
    registration page puts them (a member's error at that member's row)."""
    if getattr(exc, "index", None) is None and hasattr(exc, "error_dict"):
        rest = {}
        for field, errors in exc.message_dict.items():
            if field == "date":  # the status history's date: the day the household was found
                field = "found_on"
            if field in found.fields:
                found.add_error(field, errors)
            elif field == "household":
                found.add_error(None, errors)
            else:
                rest[field] = errors
        if not rest:
            return
        exc = ValidationError(rest)
    registry_views.place_member_error(exc, form, head, filled)


@login_required
@require_http_methods(["GET", "POST"])
def object_new_household(request: HttpRequest) -> HttpResponse:
    """登记未建档农户: a household not in the registry (边缘易致贫户, or a 突发严重困难户 never registered),
    registered with its members and found for monitoring at once (services.new_household_found)."""
    _require_write(request)
    areas = registry_selectors.area_list_for_registration(user=request.user)
    post = request.POST or None
    form = NewHouseholdForm(post, areas=areas, prefix="h")
    head = HeadBriefForm(post, prefix="m")
    more = MemberBriefFormSet(post, prefix="x")
    found = NewFoundForm(post)
    if request.method == "POST" and form.is_valid() & head.is_valid() & more.is_valid() & found.is_valid():
        data = dict(form.cleaned_data)
        area, number = data.pop("area"), data.pop("number")
        filled = registry_views.filled_rows(more)
        members = [dict(head.cleaned_data), *[dict(f.cleaned_data) for _i, f in filled]]
        cd = found.cleaned_data
        try:
            obj = services.new_household_found(
                actor=request.user, area=area, number=number, members=members, household_fields=data,
                kind=cd["kind"], risk_types=cd["risk_types"], channel=cd["channel"], found_on=cd["found_on"],
                note=cd["note"], income_12m=cd["income_12m"])
        except ValidationError as exc:
            _new_household_errors(exc, found, form, head, filled)
        else:
            messages.success(request, _("已登记农户 %(n)s（%(p)d 人）并列为监测对象，下一步：入户核实并取得农户签字承诺") % {
                "n": obj.household.number, "p": len(members)})
            return redirect("monitoring_object", pk=obj.pk)
    chosen = areas.filter(pk=parse_int(request.POST.get("h-area")) or 0).first() if request.method == "POST" else None
    picker = registry_views.picker_context(request, chosen, number=request.POST.get("h-number", "").strip(),
                                           proposed=request.POST.get("proposed", ""), form=form)
    return render(request, "monitoring/object_new_household.html", {
        "form": form, "head": head, "more": more, "found": found, **picker})


# --- the 即时帮扶 ledger ---------------------------------------------------------------------------------

LEDGER_COLUMNS = ("户编号", "户主", "所在村", "类别", "风险类型", "状态", "即时帮扶标注日期", "措施日期", "责任部门",
                  "措施类型", "措施内容", "金额（元）")


def _ledger_rows(objects: list[MonitoringObject], user: Any) -> list[list[Any]]:
    rows = []
    for obj in objects:
        head = [obj.household.number, obj.household.head_name, obj.household.area.name, obj.get_kind_display(),
                risk_labels(obj.risk_types), obj.get_state_display(), obj.instant_on]
        measures = list(obj.measures.all())
        if not measures:
            rows.append([*head, None, "", "", "", None])
        for m in measures:
            # The description is free text that may name an illness: the health rule, as on the page.
            description = policy.shown(user, "note", m.description) if m.description else ""
            rows.append([*head, m.date, m.get_sector_display(), m.category, description or "", m.amount])
    return rows


def _xlsx(rows: list[list[Any]], title: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("即时帮扶台账"))
    bold = book.add_format({"bold": True, "bg_color": "#eef2f7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, title)
    for col, name in enumerate(LEDGER_COLUMNS):
        sheet.write_string(1, col, _(name), bold)
        sheet.set_column(col, col, (8, 10, 10, 12, 18, 10, 12, 12, 10, 12, 30, 10)[col] + 2)
    sheet.freeze_panes(2, 0)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                sheet.write_number(r, col, float(value), money)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()), day)
            else:
                sheet.write_string(r, col, str(value))
    book.close()
    return out.getvalue()


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    user = request.user
    objects = list(selectors.ledger(user))
    if request.GET.get("format") == "xlsx":
        today = timezone.localdate()
        where = user.area.name if getattr(user, "area", None) else _("全部")
        title = _("%(w)s即时帮扶台账（%(d)s 导出，合计 %(n)d 户）") % {"w": where, "d": today.isoformat(), "n": len(objects)}
        data = _xlsx(_ledger_rows(objects, user), title)
        audit_export(actor=user, entity="monitoring.ledger", area_path=policy.actor_area_path(user),
                     summary=_("导出即时帮扶台账：%(n)d 户") % {"n": len(objects)}, data={"households": len(objects)})
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = content_disposition_header(True, f"即时帮扶台账-{today.isoformat()}.xlsx")
        return response
    for obj in objects:
        obj.risk_text = risk_labels(obj.risk_types)
        obj.total = sum((m.amount or Decimal(0)) for m in obj.measures.all())
    return render(request, "monitoring/ledger.html", {"objects": objects,
                                                      "measures_n": sum(len(o.measures.all()) for o in objects)})


# --- self-reports of the mobile page ---------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    reports = selectors.reports_for(request.user).select_related("village", "object")
    waiting = request.GET.get("all") != "1"
    if waiting:
        reports = reports.filter(status="new")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "monitoring/reports.html", {"page": page, "waiting": waiting,
                                                       "query": "all=1" if not waiting else ""})


@login_required
@require_POST
def report_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整信息: the applicant's phone whole for this response only (to call before the visit), audited;
    out of scope 404, a role that may not reveal 403."""
    report = selectors.report_get(request.user, pk)
    if not policy.can_reveal(request.user):
        raise PermissionDenied(_("您的角色不能查看完整信息"))
    audit_reveal_report(actor=request.user, report=report, area_path=report.area_path, fields=["phone"])
    response = report_detail(request, pk, revealed=True)
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int, revealed: bool = False) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    writer = policy.can_write(request.user) and policy.in_write_scope(request.user, report.village)
    found_form = FoundForm(initial={"channel": "mobile", "found_on": timezone.localdate(),
                                    "note": _("手机端申报，回执 %(r)s") % {"r": report.receipt}})
    dismiss_form = DismissForm()
    if request.method == "POST" and not revealed:
        _require_write(request)
        if request.POST.get("action") == "dismiss":
            dismiss_form = DismissForm(request.POST)
            if dismiss_form.is_valid():
                try:
                    services.self_report_dismiss(actor=request.user, report=report, note=dismiss_form.cleaned_data["note"])
                except ValidationError as exc:
                    apply_errors(dismiss_form, exc)
                else:
                    messages.success(request, _("已办结：经走访无需纳入"))
                    return redirect("monitoring_reports")
        else:
            data = request.POST.copy()
            data["channel"] = "mobile"
            found_form = FoundForm(data)
            if found_form.is_valid():
                obj = _found(request, found_form, report)
                if obj is not None:
                    messages.success(request, _("已登记为监测对象，下一步：入户核实"))
                    return redirect("monitoring_object", pk=obj.pk)
    found_form.fields["channel"].disabled = True
    return render(request, "monitoring/report_detail.html", {
        "r": report, "writer": writer and report.status == "new", "found_form": found_form,
        "dismiss_form": dismiss_form, "revealed": revealed, "can_reveal": policy.can_reveal(request.user)})


# --- the public mobile application page (no login) ------------------------------------------------------


def _village_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages grouped by township, as the select's option groups (the only thing of the system shown)."""
    townships: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for village in Area.objects.filter(level="village").select_related("parent").order_by("path").only(
            "code", "name", "parent__name", "parent__path"):
        key = village.parent.path if village.parent_id else ""
        townships.setdefault(key, (village.parent.name if village.parent_id else "", []))[1].append(
            (village.code, village.name))
    return [(name, items) for name, items in townships.values()]


@require_http_methods(["GET", "POST"])
def public_apply(request: HttpRequest) -> HttpResponse:
    choices = _village_choices()
    form = ApplyForm(request.POST or None, villages=choices)
    receipt = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            village = Area.objects.filter(code=cd["village"], level="village").first()
            try:
                report = services.self_report_submit(name=cd["name"], phone=cd["phone"], village=village,
                                                     situation=cd["situation"], ip=client_ip(request) or "")
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 429 if getattr(exc, "code", "") == "rate_limited" else 400
            else:
                receipt = report.receipt
        else:
            status = 400
    response = render(request, "monitoring/public_apply.html", {"form": form, "receipt": receipt}, status=status)
    response["Cache-Control"] = "no-store"
    return response


