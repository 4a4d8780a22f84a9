"""预警 pages (issue 14 item 2): the scoped list of warnings with its filters, one warning with the close
actions, the upload of a sector list as a background job (progress bar, cancel) ending on the list's
report, the sector lists and their reports (.xlsx download, audited), and the warning rules with their
preview. Reads go through fupin.monitoring.alerts' scoped selectors (outside scope → 404); every write is a
service of fupin.monitoring.alerts."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.areas.selectors import area_list, area_root
from fupin.audit.services import audit_export
from fupin.jobs import runner
from fupin.jobs import views as job_views
from fupin.jobs.models import Job
from fupin.web.views import no_scope

from . import alerts, sectors
from .models import AlertRule, AlertStatus, ListKind, ObjectKind, RiskType

if TYPE_CHECKING:
    from fupin.accounts.models import User

OUTCOME_LABELS = {"malformed": gettext_lazy("格式错误"), "unmatched": gettext_lazy("未匹配"),
                  "out_of_scope": gettext_lazy("不在区划内"), "duplicate": gettext_lazy("重复"),
                  "no_rule": gettext_lazy("未触发预警"), "warning": gettext_lazy("已预警·有疑点"),
                  "ignored": gettext_lazy("已忽略")}


def _villages(user: User) -> list[Area]:
    return list(area_list(user=user).filter(level=Level.VILLAGE).order_by("path")[:2000])


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部")), *AlertStatus.choices])
    kind = forms.ChoiceField(label=gettext_lazy("类别"), required=False,
                             choices=[("", gettext_lazy("全部")), *ListKind.choices])
    village = forms.ChoiceField(label=gettext_lazy("村"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("只看已超时"), required=False)

    def __init__(self, *args: Any, villages: list[Area] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("全部")), *[(v.code, v.name) for v in villages]]
        for name in ("status", "kind", "village"):
            self.fields[name].widget.attrs["class"] = "input"


def _shown_reason(user: User, alert: Any) -> bool:
    """The reason, the note and the row's figures may name an illness or 低保: the health rule applies."""
    return policy.sees(user, "reason")


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.scope_path(user) is None and not policy.scoped_by_households(user):
        return no_scope(request)
    villages = _villages(user)
    form = AlertFilterForm(request.GET or None, villages=villages)
    cd: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    qs = alerts.alerts_for(user)
    if cd.get("kind"):
        qs = qs.filter(kind=cd["kind"])
    if cd.get("village"):
        village = next(v for v in villages if v.code == cd["village"])
        qs = qs.filter(area_path__startswith=village.path)
    totals = qs.aggregate(open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
                          overdue=Count("pk", filter=alerts.overdue_q(today)),
                          closed=Count("pk", filter=~Q(status=AlertStatus.OPEN)))
    if cd.get("status"):
        qs = qs.filter(status=cd["status"])
    if cd.get("overdue"):
        qs = qs.filter(alerts.overdue_q(today))
    # select_related: each row shows the household's head and number and the village's name.
    qs = alerts.open_first(qs.select_related("household", "village"))
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "monitoring/alerts_list.html", {
        "form": form, "page": page, "query": params.urlencode(), "today": today, "totals": totals,
        "shows_reason": policy.sees(user, "reason"), "can_push": policy.can(user, "alert_push"),
        "can_rules": policy.can(user, "alert_rules"),
    })


def _may_close(user: User, alert: Any) -> bool:
    return alert.status == AlertStatus.OPEN and policy.in_write_scope(user, alert.village)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("办结方式"), widget=forms.RadioSelect,
                                choices=[(c, AlertStatus(c).label) for c in alerts.CLOSE_OUTCOMES])
    note = forms.CharField(label=gettext_lazy("核实说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "input"}))
    object_kind = forms.ChoiceField(label=gettext_lazy("监测对象类别（纳入时）"), choices=ObjectKind.choices,
                                    initial=ObjectKind.SUDDEN, required=False,
                                    widget=forms.Select(attrs={"class": "input"}))
    risk_types = forms.MultipleChoiceField(label=gettext_lazy("风险类型（纳入时）"), choices=RiskType.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


def _detail(request: HttpRequest, alert: Any, form: CloseForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    may_close = _may_close(user, alert)
    if may_close and form is None:
        form = CloseForm(initial={"risk_types": list(alerts.RULES[alert.kind].risk_types), "version": alert.version})
    sector_list = alert.sector_list if alert.sector_list_id and alerts.lists_for(user).filter(
        pk=alert.sector_list_id).exists() else None
    columns = {c.name: c.label for c in sectors.own_columns(alert.kind)}
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "form": form if may_close else None, "today": timezone.localdate(),
        "shows_reason": _shown_reason(user, alert), "sector_list": sector_list,
        "data": [(columns.get(k, k), v) for k, v in alert.data.items()],
        "member_id": policy.shown(user, "id_number", alert.member.id_number) if alert.member else ""}, status=status)


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, alerts.alert_get(request.user, pk))


@login_required
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not policy.can_write(user):
        raise PermissionDenied(_("当前角色只能查看，不能办结预警"))
    alert = alerts.alert_get(user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, alert, form, status=400)
    cd = form.cleaned_data
    try:
        alerts.alert_close(actor=user, alert=alert, outcome=cd["outcome"], note=cd["note"],
                           object_kind=cd.get("object_kind") or "", risk_types=cd.get("risk_types") or None,
                           expected_version=cd.get("version"))
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _detail(request, alerts.alert_get(user, pk), form, status=400)
    messages.success(request, _("预警已办结：%(s)s") % {"s": AlertStatus(cd["outcome"]).label})
    return redirect("alerts:detail", pk=pk)


# --- pushing a list (a background job) -------------------------------------------------------------------

class PushForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("名单类别"), choices=ListKind.choices,
                             widget=forms.Select(attrs={"class": "input"}))
    area = forms.ChoiceField(label=gettext_lazy("名单区划"), widget=forms.Select(attrs={"class": "input"}))
    file = forms.FileField(label=gettext_lazy("名单文件"),
                           help_text=gettext_lazy(".csv（UTF-8 或 GB18030）或 .xlsx，第 1 行为表头"))

    def __init__(self, *args: Any, areas: list[Area] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.label) for a in areas]

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(sectors.CSV_SUFFIXES + sectors.EXCEL_SUFFIXES):
            raise forms.ValidationError(_("只能推送 .csv 或 .xlsx 文件，收到的是“%(n)s”") % {"n": f.name})
        if f.size > settings.FUPIN_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大（%(s)d MB），上限为 %(m)d MB") % {
                "s": f.size // (1024 * 1024), "m": settings.FUPIN_MAX_UPLOAD_BYTES // (1024 * 1024)})
        if f.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        return f


def _push_areas(user: User) -> list[Area]:
    root = area_root(user=user)
    if root is None:
        return []
    out = []
    for a in area_list(user=user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("path")[:500]:
        a.label = "　" * max(0, a.depth - root.depth) + a.name
        out.append(a)
    return out


def _require_push(user: User) -> None:
    if not policy.can(user, "alert_push"):
        raise PermissionDenied(_("您的角色不能推送部门预警名单（限县、乡镇管理员）"))


def _push_page(request: HttpRequest, form: PushForm, status: int = 200) -> HttpResponse:
    kinds = [{"kind": k, "columns": sectors.columns(k)} for k in ListKind]
    recent = Job.objects.filter(user=request.user, kind=alerts.JOB_KIND).order_by("-created_at")[:5]
    return render(request, "monitoring/alerts_push.html", {"form": form, "kinds": kinds, "recent": recent}, status=status)


@login_required
def push(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_push(user)
    areas = _push_areas(user)
    if request.method != "POST":
        return _push_page(request, PushForm(areas=areas))
    form = PushForm(request.POST, request.FILES, areas=areas)
    if not form.is_valid():
        return _push_page(request, form, status=400)
    area = next(a for a in areas if a.code == form.cleaned_data["area"])
    upload = form.cleaned_data["file"]
    try:
        job = runner.job_create(kind=alerts.JOB_KIND, user=user, area=area, filename=Path(upload.name).name,
                                params={"kind": form.cleaned_data["kind"], "area": area.pk,
                                        "ip": request.META.get("REMOTE_ADDR"), "language": get_language()},
                                limited=True)
    except runner.JobLimitReached as refused:
        messages.error(request, _("您已有 %(n)d 个任务尚未完成，每人最多同时 %(limit)d 个；请稍后再试") % {
            "n": refused.running, "limit": refused.limit})
        return redirect("alerts:push")
    job.folder.mkdir(parents=True, exist_ok=True)
    with (job.folder / "upload").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    runner.submit(job)
    return redirect("alerts:job", pk=job.pk)


def _own_job(request: HttpRequest, pk: uuid.UUID) -> Job:
    job = Job.objects.filter(pk=pk, user=request.user, kind=alerts.JOB_KIND).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    if job.state == runner.JobState.DONE and (job.result or {}).get("list"):
        return redirect("alerts:list_detail", pk=job.result["list"])
    return render(request, "monitoring/alerts_job.html", {"job": job, "progress": runner.progress_of(job)})


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The htmx partial polled by the job page: the bar while running; when finished the page reloads
    (and lands on the list's report)."""
    job = _own_job(request, pk)
    return job_views.progress_partial(request, job, "monitoring/_alerts_progress.html", {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    job_views.cancel(request, job, requested=_("已请求取消；已处理的行将全部撤回"))
    return redirect("alerts:job", pk=job.pk)


# --- sector lists and their reports ---------------------------------------------------------------------

@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    qs = alerts.lists_for(request.user).select_related("area", "uploaded_by")
    kind = request.GET.get("kind", "")
    if kind in ListKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-created_at", "-id"), settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/sector_lists.html", {
        "page": page, "kind": kind, "kinds": ListKind.choices, "query": f"kind={kind}" if kind else "",
        "can_push": policy.can(request.user, "alert_push")})


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sector_list = alerts.list_get(request.user, pk)
    outcome = request.GET.get("outcome", "")
    rows = [e for e in sector_list.report if not outcome or e["outcome"] == outcome]
    by_outcome: dict[str, int] = {}
    for e in sector_list.report:
        by_outcome[e["outcome"]] = by_outcome.get(e["outcome"], 0) + 1
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    raised = (alerts.alerts_for(request.user).filter(sector_list=sector_list).select_related("household", "village")
              .order_by("row_number")[:200])
    return render(request, "monitoring/sector_list_detail.html", {
        "list": sector_list, "page": page, "outcome": outcome, "query": f"outcome={outcome}" if outcome else "",
        "outcomes": [(k, OUTCOME_LABELS.get(k, k), n) for k, n in by_outcome.items()], "labels": OUTCOME_LABELS,
        "raised": raised, "shows_reason": policy.sees(request.user, "reason")})


@login_required
@require_GET
def list_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    import xlsxwriter

    sector_list = alerts.list_get(request.user, pk)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet(_("处理结果"))
    bold = book.add_format({"bold": True})
    headers = [_("行号"), _("结果"), _("证件号码"), _("姓名"), _("说明")]
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, bold)
    row_no = 1
    for alert in (alerts.alerts_for(request.user).filter(sector_list=sector_list).select_related("member")
                  .order_by("row_number")):
        values = [alert.row_number or "", _("已预警"),
                  policy.mask_id(alert.member.id_number) if alert.member else "",
                  alert.member.name if alert.member else "", alert.reason if policy.sees(request.user, "reason") else ""]
        for col, v in enumerate(values):
            sheet.write(row_no, col, v)
        row_no += 1
    for e in sector_list.report:
        for col, v in enumerate([e["row"], str(OUTCOME_LABELS.get(e["outcome"], e["outcome"])), e.get("id_number", ""),
                                 e.get("name", ""), e["message"]]):
            sheet.write(row_no, col, v)
        row_no += 1
    sheet.set_column(0, 0, 8)
    sheet.set_column(2, 2, 22)
    sheet.set_column(4, 4, 80)
    book.close()
    audit_export(actor=request.user, obj=sector_list,
                 summary=_("下载名单处理结果：%(f)s（%(n)d 行）") % {"f": sector_list.filename, "n": row_no - 1})
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=sector-list-{sector_list.pk}-report.xlsx"
    return response


# --- warning rules -------------------------------------------------------------------------------------

def _rule_area(user: User) -> Area | None:
    """The area whose rules the user edits: their own (a 系统管理员 without an area: the national default)."""
    return getattr(user, "area", None)


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _rule_area(user)
    rows = []
    for kind in ListKind:
        rule = alerts.rule_for(kind, area)
        spec = alerts.RULES[kind]
        rows.append({"kind": kind, "spec": spec, "rule": rule,
                     "params": [(p.label, _param_text(p, rule.params.get(p.name))) for p in spec.params]})
    return render(request, "monitoring/alert_rules.html", {
        "rows": rows, "area": area, "can_edit": policy.can(user, "alert_rules")})


def _param_text(p: alerts.Param, value: Any) -> str:
    if p.type == "bool":
        return _("是") if value else _("否")
    if p.type == "choices":
        labels = dict(p.options)
        return "、".join(str(labels.get(v, v)) for v in value or []) or _("（无）")
    return str(value)


@login_required
def rule_edit(request: HttpRequest, kind: str) -> HttpResponse:
    user = request.user
    if kind not in ListKind.values:
        raise Http404
    if not policy.can(user, "alert_rules"):
        raise PermissionDenied(_("您的角色不能修改预警规则（限县级管理员、系统管理员）"))
    area = _rule_area(user)
    spec = alerts.RULES[kind]
    current = alerts.rule_for(kind, area)
    values = dict(current.params)
    errors: dict[str, list[str]] = {}
    result = None
    last = alerts.lists_for(user).filter(kind=kind).order_by("-created_at", "-id").first()
    if request.method == "POST":
        raw = {p.name: (request.POST.getlist(p.name) if p.type == "choices" else request.POST.get(p.name, ""))
               for p in spec.params}
        values = {**values, **raw}
        note = request.POST.get("note", "")
        try:
            if request.POST.get("action") == "save":
                rule = alerts.alert_rule_save(actor=user, kind=kind, area=area, params=raw, note=note)
                messages.success(request, _("已保存为第 %(v)d 版") % {"v": rule.version})
                return redirect("alerts:rules")
            result = alerts.preview(kind=kind, area_path=area.path if area else "", params=raw, sector_list=last)
        except ValidationError as exc:
            errors = exc.message_dict
    elif last is not None:
        result = alerts.preview(kind=kind, area_path=area.path if area else "", params=values, sector_list=last)
    versions = AlertRule.objects.filter(kind=kind, area=area).select_related("created_by")[:10] if area \
        else AlertRule.objects.filter(kind=kind, area__isnull=True).select_related("created_by")[:10]
    params = [{"p": p, "value": values.get(p.name), "errors": errors.get(p.name, [])} for p in spec.params]
    return render(request, "monitoring/alert_rule_edit.html", {
        "kind": ListKind(kind), "spec": spec, "current": current, "params": params, "result": result,
        "last": last, "area": area, "versions": versions, "errors": errors,
        "status": 400 if errors else 200}, status=400 if errors else 200)


def detail_url(alert_id: int) -> str:
    return reverse("alerts:detail", args=[alert_id])
