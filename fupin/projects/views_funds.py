"""项目资金 pages (issue 16, money16) under /projects/funds/ (namespace "funds"): the documents ledger with
balances, one document with its allocations, the negative list, allocation and payment forms, household
subsidy batches (upload an Excel list, check, pay), payments, and the money trail (资金流向) as a Sankey —
for an area and a range of fund years, and for one project (an htmx fragment the project page loads).
Reads through the scoped selectors (outside the scope: 404); writes through services_funds (the policy's
capability and area checks are theirs; the pages refuse roles without the capability first, 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.areas.selectors import area_get, area_list, area_root
from fupin.lib.money import ZERO
from fupin.web.forms import apply_errors

from . import selectors, selectors_funds, services_funds
from .forms_funds import (
    AllocationForm,
    BatchForm,
    CancelBatchForm,
    DocumentForm,
    NegativeForm,
    PayBatchForm,
    PaymentForm,
    TrailForm,
)
from .models import Contract, NegativeUse
from .rules import BatchStatus, Channel, PaymentKind
from .rules import Level as FundLevel

SECTION = {"SECTION": "projects"}


def _ctx(**kw: Any) -> dict[str, Any]:
    return {**SECTION, **kw}


def _area(request: HttpRequest) -> Any:
    code = request.GET.get("area", "").strip()
    return area_get(user=request.user, code=code) if code else area_root(user=request.user)


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _year(request: HttpRequest, name: str = "year") -> int | None:
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


# --- documents ledger ----------------------------------------------------------------------------------------

@login_required
@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _area(request)
    docs = selectors_funds.documents_ledger(user).select_related("area", "department")
    if area is not None:
        docs = docs.filter(Q(area_path__startswith=area.path)
                           | Q(allocations__project__area_path__startswith=area.path)).distinct()
    year, level, channel = _year(request), request.GET.get("level", ""), request.GET.get("channel", "")
    if year:
        docs = docs.filter(year=year)
    if level in FundLevel.values:
        docs = docs.filter(level=level)
    if channel in Channel.values:
        docs = docs.filter(channel=channel)
    q = request.GET.get("q", "").strip()
    if q:
        docs = docs.filter(Q(number__contains=q) | Q(title__contains=q))
    totals = {"amount": ZERO, "allocated": ZERO, "paid": ZERO}
    for d in docs.values("amount", "allocated", "paid"):
        for k in totals:
            totals[k] += d[k] or ZERO
    totals["balance"] = totals["amount"] - totals["allocated"]
    page = Paginator(docs.order_by("-year", "-issued_on", "number"), 50).get_page(request.GET.get("page"))
    return render(request, "projects/funds/documents.html", _ctx(
        page=page, area=area, year=year, level=level, channel=channel, q=q, levels=FundLevel.choices,
        channels=Channel.choices, totals=totals, query=_query(request), tab="documents",
        can_funds=policy.can(user, "funds")))


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(selectors_funds.documents_ledger(request.user).select_related("area", "department"), pk=pk)
    allocs = selectors_funds.allocations_ledger(selectors.allocations_for(request.user).filter(document=doc)) \
        .order_by("-allocated_on", "-id")
    return render(request, "projects/funds/document.html", _ctx(
        doc=doc, allocations=allocs, balance=doc.amount - doc.allocated, tab="documents",
        can_funds=policy.can(request.user, "funds"), can_pay=policy.can(request.user, "fund_pay")))


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "funds", _("您的角色不能登记资金文件"))
    area = area_root(user=user)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services_funds.document_create(actor=user, area=area, **form.cleaned_data)
            messages.success(request, _("已登记资金文件 %(n)s") % {"n": doc.number})
            return redirect("funds:document", doc.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "projects/funds/form.html", _ctx(
        form=form, title=_("登记资金文件"), tab="documents",
        note=_("资金文件登记在 %(a)s 的扶贫资金专户台账；整合资金请填写原渠道的原用途（渠道不乱、用途不变）。") % {
            "a": area.name if area else "—"}), status=400 if form.errors else 200)


# --- negative list ------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def negative_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = area_root(user=user)
    # in force here: everywhere's, the user's ancestors' and their subtree's own entries
    above = [area.path[:n] for n in range(1, len(area.path) + 1)] if area is not None else []
    entries = NegativeUse.objects.filter(Q(area__isnull=True) | Q(area__path__in=above)
                                         | Q(area__in=area_list(user=user))).select_related("area")
    editing = None
    edit = request.GET.get("edit", "")
    if edit.isdigit():
        editing = get_object_or_404(entries, pk=int(edit))
    can_edit = policy.can(user, "funds")
    initial = {"name": editing.name, "keywords": editing.keywords, "note": editing.note, "active": editing.active} \
        if editing else None
    form = NegativeForm(request.POST or None, initial=initial) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的角色不能修改负面清单"))
        if form.is_valid():
            try:
                target_area = editing.area if editing else (None if policy.scope_path(user) == "" else area)
                services_funds.negative_use_save(actor=user, area=target_area, entry=editing, **form.cleaned_data)
                messages.success(request, _("已保存负面清单条目"))
                return redirect("funds:negative")
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(request, "projects/funds/negative.html", _ctx(
        entries=entries.order_by("area_id", "id"), form=form, editing=editing, tab="negative"),
        status=400 if form is not None and form.errors else 200)


# --- allocations --------------------------------------------------------------------------------------------

def _allocatable_projects(user: Any) -> Any:
    return selectors.projects_for(user).filter(stage__in=services_funds.ALLOCATABLE).order_by("-year", "code")


@login_required
@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest) -> HttpResponse:
    """The allocation form. Its two long selects (documents, projects) have a search box each: typing
    filters the options in the browser (fupin/app.js); without JavaScript the boxes are a GET form whose
    ``dq`` (文号 or 标题) and ``pq`` (项目编号 or 名称) narrow the choices here — on the POST too, which goes
    to the same address."""
    user = request.user
    policy.require(user, "funds", _("您的角色不能分配资金"))
    docs = selectors_funds.documents_ledger(user).order_by("-year", "number")
    projects = _allocatable_projects(user)
    dq, pq = request.GET.get("dq", "").strip()[:60], request.GET.get("pq", "").strip()[:60]
    for word in dq.split():
        docs = docs.filter(Q(number__icontains=word) | Q(title__icontains=word))
    for word in pq.split():
        projects = projects.filter(Q(code__icontains=word) | Q(name__icontains=word))
    areas = area_list(user=user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("path")
    initial = {k: request.GET[k] for k in ("document", "project") if request.GET.get(k, "").isdigit()}
    form = AllocationForm(request.POST or None, initial=initial, documents=docs, projects=projects, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            a = services_funds.allocation_create(actor=user, **form.cleaned_data)
            messages.success(request, _("已分配 %(a)s 元至“%(p)s”") % {"a": a.amount, "p": a.project.name})
            return redirect("funds:document", a.document_id)
        except ValidationError as exc:
            apply_errors(form, exc)
    kept = {k: request.GET[k] for k in ("document", "project") if k in initial}
    found = {"document": docs.count() if dq else None, "project": projects.count() if pq else None}
    if request.method == "GET":  # a search that found one: chosen
        for name, qs in (("document", docs), ("project", projects)):
            if found[name] == 1 and name not in initial:
                form.initial[name] = qs.get().pk
    return render(request, "projects/funds/allocation_new.html", _ctx(
        form=form, title=_("资金分配"), tab="documents", dq=dq, pq=pq, kept=kept, found=found,
        others=[form[n] for n in ("area", "amount", "allocated_on", "note")],
        note=_("分配时锁定资金文件：分配合计不能超过文件金额，余额不会为负。")), status=400 if form.errors else 200)


# --- payments -----------------------------------------------------------------------------------------------

@login_required
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _area(request)
    qs = selectors.payments_for(user).select_related("project", "allocation__document", "contract", "batch")
    if area is not None:
        qs = qs.filter(project__area_path__startswith=area.path)
    kind = request.GET.get("kind", "")
    if kind in PaymentKind.values:
        qs = qs.filter(kind=kind)
    year = _year(request)
    if year:
        qs = qs.filter(paid_on__year=year)
    total = qs.aggregate(s=Sum("amount"))["s"] or ZERO
    page = Paginator(qs.order_by("-paid_on", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "projects/funds/payments.html", _ctx(
        page=page, area=area, kind=kind, kinds=PaymentKind.choices, year=year, total=total, query=_query(request),
        tab="payments"))


@login_required
@require_http_methods(["GET", "POST"])
def payment_new(request: HttpRequest, allocation: int) -> HttpResponse:
    user = request.user
    policy.require(user, "fund_pay", _("您的角色不能支付资金"))
    alloc = get_object_or_404(selectors_funds.allocations_ledger(selectors.allocations_for(user)), pk=allocation)
    form = PaymentForm(request.POST or None, contracts=Contract.objects.filter(project_id=alloc.project_id))
    if request.method == "POST" and form.is_valid():
        try:
            services_funds.payment_create(actor=user, allocation=alloc, **form.cleaned_data)
            messages.success(request, _("已登记支付"))
            return redirect("funds:payments")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "projects/funds/form.html", _ctx(
        form=form, title=_("资金支付：%(p)s") % {"p": alloc.project.name}, tab="payments", allocation=alloc,
        note=_("资金来源：%(d)s，分配 %(a)s 元，已支付 %(p)s 元，余额 %(b)s 元。到户补助请用“补助批次”按清单发放。") % {
            "d": alloc.document.number, "a": alloc.amount, "p": alloc.paid, "b": alloc.amount - alloc.paid}),
        status=400 if form.errors else 200)


# --- household subsidy batches ------------------------------------------------------------------------------

@login_required
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _area(request)
    qs = selectors.batches_for(user).select_related("project", "allocation__document", "allocation__area", "area")
    if area is not None:
        qs = qs.filter(project__area_path__startswith=area.path)
    status = request.GET.get("status", "")
    if status in BatchStatus.values:
        qs = qs.filter(status=status)
    # how many lines of each batch have a name differing from the registry's (姓名核对), in the same query
    qs = qs.annotate(name_warnings=Count("lines", filter=~Q(lines__name_warning="")))
    page = Paginator(qs.order_by("-drawn_on", "-id"), 50).get_page(request.GET.get("page"))
    allocs = selectors_funds.allocations_ledger(selectors.allocations_for(user).filter(
        project__stage__in=services_funds.PAYABLE)).order_by("-allocated_on")[:200] \
        if policy.can(user, "fund_pay") else []
    return render(request, "projects/funds/batches.html", _ctx(
        page=page, area=area, status=status, statuses=BatchStatus.choices, query=_query(request), tab="batches",
        allocations=[a for a in allocs if a.amount > a.paid]))


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest, allocation: int) -> HttpResponse:
    user = request.user
    policy.require(user, "fund_pay", _("您的角色不能造册发放补助"))
    alloc = get_object_or_404(selectors_funds.allocations_ledger(selectors.allocations_for(user)), pk=allocation)
    form = BatchForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = services_funds.read_list(upload.read(), upload.name)
            batch = services_funds.batch_create(actor=user, allocation=alloc, title=form.cleaned_data["title"],
                                                rows=rows, drawn_on=form.cleaned_data["drawn_on"],
                                                source_name=upload.name)
            messages.success(request, _("已造册 %(n)d 户，合计 %(a)s 元，请核对后发放") % {
                "n": batch.lines_count, "a": batch.total})
            even = services_funds.even_split_warning(batch)
            if even:
                messages.warning(request, even)
            warned = len(services_funds.name_warnings(batch))
            if warned:
                messages.warning(request, _("有 %(n)d 行姓名与登记不符（已按证件号码匹配），见“姓名核对”；发放时须确认") % {
                    "n": warned})
            return redirect("funds:batch", batch.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "file" in exc.error_dict:
                errors = exc.message_dict["file"]
            else:
                apply_errors(form, exc)
    return render(request, "projects/funds/batch_new.html", _ctx(
        form=form, allocation=alloc, errors=errors, tab="batches"), status=400 if form.errors or errors else 200)


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    batch = get_object_or_404(selectors.batches_for(user).select_related("project", "allocation__document", "allocation__area", "area"),
                              pk=pk)
    lines = batch.lines.select_related("household").order_by("row", "id")
    page = Paginator(lines, selectors.BATCH_LINES_PER_PAGE).get_page(request.GET.get("page"))
    for line in page.object_list:
        line.account_shown = policy.shown(user, "bank_account", line.bank_account)
    # 姓名核对: every line of the batch whose name differs from the registry's, each linked to its page
    warnings = list(selectors.with_batch_page(batch.lines.exclude(name_warning=""))
                    .order_by("row", "id").only("pk", "row", "name_warning"))
    draft_and_may = batch.status == BatchStatus.DRAFT and policy.may_act(user, "fund_pay", batch.area)
    form = PayBatchForm(warned=len(warnings)) if draft_and_may else None
    cancel_form = CancelBatchForm() if draft_and_may else None
    # the trail both ways: the payment that paid the lines, out of which allocation of which document, and the
    # 受益户名单公示 of the batch (with its public page while it hangs)
    payment = selectors.payments_for(user).filter(batch=batch).select_related("allocation").first()
    today = timezone.localdate()
    disclosures = list(selectors.disclosures_for(user).filter(batch=batch).order_by("-starts_on", "-id"))
    for d in disclosures:
        d.public = not d.withdrawn and d.starts_on <= today <= d.ends_on
    return render(request, "projects/funds/batch.html", _ctx(
        batch=batch, page=page, form=form, cancel_form=cancel_form, warnings=warnings, query=_query(request),
        even_split=services_funds.even_split_warning(batch),
        tab="batches", payment=payment, disclosures=disclosures))


@login_required
@require_POST
def batch_pay(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    policy.require(user, "fund_pay", _("您的角色不能发放补助"))
    batch = get_object_or_404(selectors.batches_for(user), pk=pk)
    form = PayBatchForm(request.POST, warned=1)  # the box parsed whatever the count; the service decides
    if form.is_valid():
        try:
            services_funds.batch_pay(actor=user, batch=batch, **form.cleaned_data)
            messages.success(request, _("已发放：%(n)d 户，%(a)s 元") % {"n": batch.lines_count, "a": batch.total})
        except ValidationError as exc:
            for m in exc.messages[:20]:
                messages.error(request, m)
    else:
        messages.error(request, _("请填写发放日期"))
    return redirect("funds:batch", batch.pk)


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """作废 a draft batch from its page, with a reason (services_funds.batch_cancel: atomic, audited; a
    batch paid or cancelled meanwhile refused, naming its state)."""
    user = request.user
    policy.require(user, "fund_pay", _("您的角色不能作废补助批次"))
    batch = get_object_or_404(selectors.batches_for(user), pk=pk)
    form = CancelBatchForm(request.POST)
    if form.is_valid():
        try:
            services_funds.batch_cancel(actor=user, batch=batch, reason=form.cleaned_data["reason"])
            messages.success(request, _("已作废批次“%(t)s”") % {"t": batch.title})
        except ValidationError as exc:
            for m in exc.messages[:5]:
                messages.error(request, m)
    else:
        messages.error(request, _("作废未完成：请填写作废原因"))
    return redirect("funds:batch", batch.pk)


# --- the money trail -----------------------------------------------------------------------------------------

@login_required
@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _area(request)
    if area is None:
        return render(request, "projects/funds/trail.html", _ctx(area=None, tab="trail"))
    year_from, year_to = TrailForm(request.GET).years()
    data = selectors_funds.area_trail(user, area, year_from, year_to)
    children = area.children.order_by("code") if area.level in (Level.PROVINCE, Level.CITY, Level.COUNTY,
                                                                  Level.TOWNSHIP) else []
    years = list(range(timezone.localdate().year, 2009, -1))
    return render(request, "projects/funds/trail.html", _ctx(
        area=area, data=data, year_from=year_from, year_to=year_to, years=years, children=children, tab="trail",
        chart={"nodes": data["nodes"], "links": data["links"]}))


@login_required
@require_GET
def project_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment of a project's page: its money from documents to payees and households."""
    project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
    data = selectors_funds.project_trail(request.user, project)
    allocs = selectors_funds.allocations_ledger(selectors.allocations_for(request.user).filter(project=project)) \
        .order_by("allocated_on")
    pays = selectors.payments_for(request.user).filter(project=project) \
        .select_related("contract", "batch", "allocation__document").order_by("-paid_on", "-id")[:50]
    full = request.headers.get("HX-Request") != "true"
    return render(request, "projects/funds/project_trail_page.html" if full else "projects/funds/_project_trail.html", {
        **SECTION, "tab": "trail",
        "project": project, "data": data, "chart": {"nodes": data["nodes"], "links": data["links"]},
        "allocations": allocs, "payments": pays, "can_pay": policy.can(request.user, "fund_pay"),
        "trail_id": f"trail-data-{project.pk}"})

