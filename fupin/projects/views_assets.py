"""扶贫项目资产 pages (issue 16 item 6, namespace ``assets``): the ledger of an area (per village), its .xlsx
export (audited), an asset's page with its maintenance, incomes and distribution lists, and the forms to
register an asset from an accepted project, confirm its owner, record maintenance and income, dispose of it.
Reads through selectors.assets_for (outside the scope: 404); writes through services_assets."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts import policy
from fupin.areas import selectors as area_selectors
from fupin.areas.models import Area
from fupin.audit.services import audit_export
from fupin.lib.money import ZERO
from fupin.web.forms import StyledMixin, apply_errors
from fupin.web.views import no_scope

from . import selectors
from . import services_assets as svc
from .models import Asset, AssetIncome, AssetMaintenance, Beneficiary
from .rules import AssetKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssetForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("资产类别"), choices=AssetKind.choices)
    name = forms.CharField(label=gettext_lazy("资产名称"), max_length=200)
    value = forms.DecimalField(label=gettext_lazy("资产原值（元）"), max_digits=14, decimal_places=2)
    owner = forms.CharField(label=gettext_lazy("所有权人"), max_length=200)
    manager = forms.CharField(label=gettext_lazy("管护主体"), max_length=200, required=False)
    handed_over_on = forms.DateField(label=gettext_lazy("移交日期"), widget=DATE, required=False)
    household = forms.ChoiceField(label=gettext_lazy("到户对象（到户类）"), required=False,
                                  help_text=gettext_lazy("到户类资产登记到本项目的一户受益户"))

    def __init__(self, *args: Any, households: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [("", "—")] + [(str(h.pk), f"{h.number} {h.head_name}") for h in households]

    def main_fields(self) -> list[forms.BoundField]:
        """Every field but the household (the template shows it only while 到户类 is chosen, app.js)."""
        return [f for f in self if f.name != "household"]

    def household_fields(self) -> list[forms.BoundField]:
        return [self["household"]]


class ConfirmForm(StyledMixin, forms.Form):
    owner = forms.CharField(label=gettext_lazy("所有权人"), max_length=200)
    on = forms.DateField(label=gettext_lazy("确权日期"), widget=DATE)


class MaintenanceForm(StyledMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("管护日期"), widget=DATE)
    work = forms.CharField(label=gettext_lazy("管护内容"), max_length=300)
    cost = forms.DecimalField(label=gettext_lazy("费用（元）"), max_digits=14, decimal_places=2, required=False)
    by = forms.CharField(label=gettext_lazy("管护人"), max_length=100, required=False)


class IncomeForm(StyledMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=gettext_lazy("收益金额（元）"), max_digits=14, decimal_places=2)
    distributable = forms.DecimalField(label=gettext_lazy("用于分配（元）"), max_digits=14, decimal_places=2)
    received_on = forms.DateField(label=gettext_lazy("收益日期"), widget=DATE)
    paid_on = forms.DateField(label=gettext_lazy("发放到户日期"), widget=DATE, required=False,
                              help_text=gettext_lazy("已发放到各户时填写"))
    basis = forms.ChoiceField(label=gettext_lazy("分配方式"), choices=[("equal", gettext_lazy("按户平均")),
                                                                  ("people", gettext_lazy("按人口"))])
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


class PaidOnForm(StyledMixin, forms.Form):
    """登记发放日期 of one income's shares recorded without it."""

    paid_on = forms.DateField(label=gettext_lazy("发放到户日期"), widget=DATE)


class DisposeForm(StyledMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("处置日期"), widget=DATE)
    method = forms.CharField(label=gettext_lazy("处置方式"), max_length=50, help_text=gettext_lazy("如：报废、拍卖、转让"))
    reason = forms.CharField(label=gettext_lazy("处置原因"), max_length=300)
    approval = forms.CharField(label=gettext_lazy("批准文号"), max_length=80)
    proceeds = forms.DecimalField(label=gettext_lazy("处置收入（元）"), max_digits=14, decimal_places=2, required=False)


def _area(request: HttpRequest) -> Area | None:
    root = area_selectors.area_root(user=request.user)
    if root is None:
        return None
    code = request.GET.get("area")
    return area_selectors.area_get(user=request.user, code=code) if code else root


def _up(user: Any, area: Area) -> Area | None:
    """The parent area when the user sees it (a county officer's page has no way up to the city)."""
    if area.parent_id and policy.visible_areas(user).filter(pk=area.parent_id).exists():
        return area.parent
    return None


def ledger_rows(user: Any, area: Area) -> list[Asset]:
    return list(selectors.assets_for(user).filter(area_path__startswith=area.path)
                .select_related("area", "project", "household")
                .annotate(income=Subquery(AssetIncome.objects.filter(asset=OuterRef("pk")).values("asset")
                                          .annotate(s=Sum("amount")).values("s")),
                          maint=Subquery(AssetMaintenance.objects.filter(asset=OuterRef("pk")).values("asset")
                                         .annotate(n=Count("pk")).values("n")))
                .order_by("area_path", "code"))


def _villages(rows: list[Asset]) -> list[dict]:
    out: dict[str, dict] = {}
    for a in rows:
        g = out.setdefault(a.area_path, {"area": a.area, "assets": [], "value": ZERO})
        g["assets"].append(a)
        g["value"] += a.value
    return list(out.values())


@login_required
@require_safe
def ledger(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area is None or (policy.scoped_by_households(request.user) and not policy.acts_for(request.user, "department")):
        return no_scope(request)
    rows = ledger_rows(request.user, area)
    kind = request.GET.get("kind", "")
    if kind in AssetKind.values:
        rows = [a for a in rows if a.kind == kind]
    totals = {k: sum((a.value for a in rows if a.kind == k), ZERO) for k in AssetKind.values}
    return render(request, "projects/assets/ledger.html", {
        "area": area, "children": area_selectors.area_children(user=request.user, area=area),
        "villages": _villages(rows), "count": len(rows), "value": sum((a.value for a in rows), ZERO),
        "kinds": [(k, label, totals[k]) for k, label in AssetKind.choices], "kind": kind,
        "disposed": sum(1 for a in rows if a.disposed_on), "up": _up(request.user, area), "unconfirmed": sum(1 for a in rows if not a.ownership_confirmed_on)})


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    import xlsxwriter

    area = _area(request)
    if area is None:
        return no_scope(request)
    rows = ledger_rows(request.user, area)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#e8eef7", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    ws = book.add_worksheet(_("资产台账"))
    ws.write(0, 0, _("%(a)s扶贫项目资产台账（截至 %(d)s）") % {"a": area.full_name() or area.name,
                                                     "d": timezone.localdate().isoformat()})
    columns = [_("资产编号"), _("资产名称"), _("资产类别"), _("所在区划"), _("来源项目"), _("到户对象"), _("所有权人"),
               _("确权日期"), _("管护主体"), _("资产原值（元）"), _("累计收益（元）"), _("管护记录"), _("移交日期"), _("处置日期")]
    for i, c in enumerate(columns):
        ws.write(2, i, c, head)
    for r, a in enumerate(rows, start=3):
        values = [a.code, a.name, str(a.get_kind_display()), a.area.name, a.project.code if a.project_id else "",
                  f"{a.household.number} {a.household.head_name}" if a.household_id else "", a.owner,
                  a.ownership_confirmed_on.isoformat() if a.ownership_confirmed_on else "", a.manager]
        for i, v in enumerate(values):
            ws.write(r, i, v, cell)
        ws.write_number(r, 9, float(a.value), money)
        ws.write_number(r, 10, float(a.income or 0), money)
        ws.write_number(r, 11, a.maint or 0, cell)
        ws.write(r, 12, a.handed_over_on.isoformat() if a.handed_over_on else "", cell)
        ws.write(r, 13, a.disposed_on.isoformat() if a.disposed_on else "", cell)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 13, 14)
    ws.freeze_panes(3, 2)
    shares = book.add_worksheet(_("收益分配"))
    for i, c in enumerate([_("资产编号"), _("年度"), _("收益日期"), _("户编号"), _("户主"), _("分配金额（元）")]):
        shares.write(0, i, c, head)
    from .models import IncomeShare

    r = 1
    for s in (IncomeShare.objects.filter(income__asset__in=[a.pk for a in rows])
              .select_related("income__asset", "household").order_by("income__asset__code", "income__received_on",
                                                                      "household__number")):
        for i, v in enumerate([s.income.asset.code, s.income.year, s.income.received_on.isoformat(), s.household.number,
                               s.household.head_name]):
            shares.write(r, i, v, cell)
        shares.write_number(r, 5, float(s.amount), money)
        r += 1
    book.close()
    audit_export(actor=request.user, obj=area, area_path=area.path,
                 summary=_("导出扶贫项目资产台账：%(a)s") % {"a": area.name},
                 data={"area": area.code, "assets": len(rows), "shares": r - 1, "export": "project_assets"})
    name = _("扶贫项目资产台账-%(a)s-%(d)s.xlsx") % {"a": area.name, "d": timezone.localdate().isoformat()}
    return FileResponse(io.BytesIO(buffer.getvalue()), as_attachment=True, filename=name)


def _project(request: HttpRequest):  # noqa: ANN202
    raw = request.GET.get("project") or request.POST.get("project")
    try:
        return selectors.projects_for(request.user).select_related("area").get(pk=int(raw or ""))
    except (ValueError, selectors.Project.DoesNotExist):
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "assets", _("您的角色不能登记项目资产"))
    project = _project(request)
    households = [b.household for b in Beneficiary.objects.filter(project=project).select_related("household")
                  .order_by("household__number")]
    form = AssetForm(request.POST or None, households=households,
                     initial={"name": project.name, "value": project.budget, "handed_over_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = next((h for h in households if str(h.pk) == data["household"]), None)
        try:
            asset = svc.asset_create(actor=request.user, project=project, kind=data["kind"], name=data["name"],
                                     value=data["value"], owner=data["owner"], manager=data["manager"],
                                     household=household, handed_over_on=data["handed_over_on"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("assets:detail", asset.pk)
    return render(request, "projects/assets/form.html", {"form": form, "project": project},
                  status=400 if request.method == "POST" else 200)


def _get(request: HttpRequest, pk: int) -> Asset:
    return get_object_or_404(selectors.assets_for(request.user).select_related("area", "project", "household"), pk=pk)


def _detail(request: HttpRequest, asset: Asset, status: int = 200, **forms_: Any) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    may = policy.can(user, "assets") and policy.in_write_scope(user, asset.area) and not asset.disposed_on
    incomes = list(asset.incomes.prefetch_related("shares__household").order_by("-received_on"))
    # 登记发放日期: shares recorded without their date may be dated later, also once the asset is disposed of
    may_date = policy.may_act(user, "assets", asset.area)
    failed = forms_.get("paid_form")
    for income in incomes:
        shares = income.shares.all()
        income.share_total = sum((s.amount for s in shares), ZERO)
        income.undated = sum(1 for s in shares if s.paid_on is None)
        income.paid_days = sorted({s.paid_on for s in shares if s.paid_on})
        if may_date and income.undated:
            income.paid_form = (failed if failed is not None and forms_.get("paid_income") == income.pk else
                                PaidOnForm(initial={"paid_on": today}, auto_id=f"id_paid_{income.pk}_%s"))
            widget = income.paid_form.fields["paid_on"].widget
            widget.attrs.update({"min": income.received_on.isoformat(), "max": today.isoformat()})
    context = {
        "a": asset, "incomes": incomes, "maintenance": asset.maintenance.order_by("-on"),
        "disposal": getattr(asset, "disposal", None) if hasattr(asset, "disposal") else None, "may": may,
        "may_date": may_date,
        "may_dispose": may and policy.can(user, "asset_dispose"),
        "confirm_form": forms_.get("confirm_form") or ConfirmForm(initial={"owner": asset.owner, "on": today}),
        "maintenance_form": forms_.get("maintenance_form") or MaintenanceForm(initial={"on": today}),
        "income_form": forms_.get("income_form") or IncomeForm(initial={"year": today.year, "received_on": today}),
        "dispose_form": forms_.get("dispose_form") or DisposeForm(initial={"on": today}),
        "beneficiaries": Beneficiary.objects.filter(project_id=asset.project_id).count() if asset.project_id else 0,
    }
    return render(request, "projects/assets/detail.html", context, status=status)


@login_required
@require_safe
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request, pk))


def _post(request: HttpRequest, pk: int, form_class: type, key: str, action) -> HttpResponse:  # noqa: ANN001
    asset = _get(request, pk)
    policy.require(request.user, "assets", _("您的角色不能登记项目资产"))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(asset, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("assets:detail", asset.pk)
    return _detail(request, asset, status=400, **{key: form})


@login_required
@require_POST
def asset_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, ConfirmForm, "confirm_form", lambda a, d: svc.ownership_confirm(
        actor=request.user, asset=a, owner=d["owner"], on=d["on"]))


@login_required
@require_POST
def asset_maintenance(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, MaintenanceForm, "maintenance_form", lambda a, d: svc.maintenance_add(
        actor=request.user, asset=a, on=d["on"], work=d["work"], cost=d["cost"] or Decimal("0"), by=d["by"]))


@login_required
@require_POST
def asset_income(request: HttpRequest, pk: int) -> HttpResponse:
    """The distribution list: the project's beneficiary households (not cancelled), by household number."""
    def record(asset: Asset, d: dict) -> None:
        households = [b.household for b in Beneficiary.objects.filter(project_id=asset.project_id)
                      .exclude(household__status=svc.CANCELLED).select_related("household").order_by("household__number")]
        if asset.kind == AssetKind.HOUSEHOLD:
            households = [asset.household] if asset.household_id else []
        svc.income_record(actor=request.user, asset=asset, year=d["year"], amount=d["amount"],
                          distributable=d["distributable"], received_on=d["received_on"], households=households,
                          basis=d["basis"], note=d["note"], paid_on=d["paid_on"])

    return _post(request, pk, IncomeForm, "income_form", record)


@login_required
@require_POST
def asset_income_paid(request: HttpRequest, pk: int, income: int) -> HttpResponse:
    """登记发放日期 of one income's undated shares (services_assets.income_paid_on); back to the income."""
    asset = _get(request, pk)
    row = get_object_or_404(AssetIncome.objects.filter(asset=asset), pk=income)
    policy.require(request.user, "assets", _("您的角色不能登记项目资产"))
    form = PaidOnForm(request.POST, auto_id=f"id_paid_{row.pk}_%s")
    if form.is_valid():
        try:
            n = svc.income_paid_on(actor=request.user, income=row, paid_on=form.cleaned_data["paid_on"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记 %(n)s 户的发放到户日期：%(d)s。") % {
                "n": n, "d": form.cleaned_data["paid_on"].isoformat()})
            return redirect(reverse("assets:detail", args=[asset.pk]) + f"#income-{row.pk}")
    return _detail(request, asset, status=400, paid_form=form, paid_income=row.pk)


@login_required
@require_POST
def asset_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "asset_dispose", _("资产处置须经县级批准"))
    return _post(request, pk, DisposeForm, "dispose_form", lambda a, d: svc.dispose(
        actor=request.user, asset=a, on=d["on"], method=d["method"], reason=d["reason"], approval=d["approval"],
        proceeds=d["proceeds"] or Decimal("0")))


