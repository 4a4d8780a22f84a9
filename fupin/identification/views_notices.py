"""公示公告 pages (issue 13 item 3): the notices a user sees, publishing one, its page (the list as printed,
objections recorded and resolved, withdrawing it) and its A4 PDF. Every read goes through the scoped
selectors (a notice outside the scope is a 404); every write through fupin.identification.services, which
check the role, the scope and the rules and write the audit row; every print is audited here as an export."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.audit.services import audit_export
from fupin.documents import notices as documents
from fupin.documents.render import UnprintableText
from fupin.documents.views import pdf_response
from fupin.registry import selectors as registry_selectors
from fupin.web.forms import apply_errors

from . import rules, selectors, services
from .forms_notices import (
    NoticeChooseForm,
    NoticeFilterForm,
    NoticePublishForm,
    ObjectionForm,
    ResolveForm,
    WithdrawForm,
    default_period,
)
from .models import Case, Notice, NoticeEntry, NoticeKind, Objection, ObjectionStatus

LEVEL_LABEL = {"village": gettext_lazy("行政村"), "township": gettext_lazy("乡镇"), "county": gettext_lazy("县")}


# --- what a notice is, today ---------------------------------------------------------------------------


def notice_state(notice: Notice, today: datetime.date) -> tuple[str, str]:
    """(code, label) of where a notice stands today: running, upcoming, ended or withdrawn."""
    if notice.withdrawn:
        return "withdrawn", _("已撤销")
    if today < notice.starts_on:
        return "upcoming", _("未开始")
    if today > notice.ends_on:
        return "ended", _("已结束")
    return "running", _("公示中")


def days_left(notice: Notice, today: datetime.date) -> int | None:
    """Days the notice still hangs, today included (the last day counts 1); None when it is not running."""
    if notice.withdrawn or not notice.starts_on <= today <= notice.ends_on:
        return None
    return (notice.ends_on - today).days + 1


def state_q(state: str, today: datetime.date) -> Q:
    live = Q(withdrawn=False)
    return {"running": live & Q(starts_on__lte=today, ends_on__gte=today),
            "upcoming": live & Q(starts_on__gt=today),
            "ended": live & Q(ends_on__lt=today),
            "withdrawn": Q(withdrawn=True)}.get(state, Q())


def with_counts(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.annotate(
        listed_count=Count("entries", filter=Q(entries__struck=False), distinct=True),
        open_count=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN), distinct=True))


def decorate(notice: Notice, today: datetime.date) -> Notice:
    notice.state, notice.state_label = notice_state(notice, today)
    notice.days_left = days_left(notice, today)
    notice.title = document_title(notice)
    return notice


def document_title(notice: Notice) -> str:
    """The printed title: "2026年扶贫对象识别第一次公示"."""
    return _("%(year)s年%(title)s") % {"year": notice.year, "title": documents.KINDS[notice.kind].title}


# --- printing --------------------------------------------------------------------------------------------


def place_of(area: Area) -> documents.Area:
    """The county, township and village names of where a notice hangs."""
    names = {a.level: a.name for a in area.ancestors(include_self=True)}
    return documents.Area(county=names.get("county", ""), township=names.get("township", ""),
                          village=names.get("village", ""))


def printed_entries(entries: list[NoticeEntry]) -> list[documents.Entry]:
    """The stored entries as the document takes them: the ID numbers were masked when the notice was
    published and are handed over masked (``policy.mask_id`` leaves a masked number as it is)."""
    return [documents.Entry(name=e.name, members=e.members, id_number=e.id_masked, group=e.group, reason=e.reason,
                            village=e.village) for e in entries]


def notice_document(notice: Notice, entries: list[NoticeEntry]) -> bytes:
    """The notice's A4 PDF from its stored entries (struck ones left out: the sheet on the wall today).
    Raises ValidationError / UnprintableText in Chinese, naming the entry."""
    # The period was checked against the minimum when the notice was published; a later change of the
    # minimum does not make an old notice unprintable.
    return documents.notice_pdf(notice.kind, place_of(notice.area), printed_entries(entries),
                                documents.Period(notice.starts_on, notice.ends_on),
                                documents.Hotline(phone=notice.hotline, address=notice.address),
                                notice.starts_on, year=notice.year, min_days=1)


def pdf_filename(notice: Notice) -> str:
    return f"{notice.area.name}-{documents.KINDS[notice.kind].title}-{notice.starts_on:%Y%m%d}.pdf"


def listed_entries(notice: Notice) -> list[NoticeEntry]:
    return list(notice.entries.filter(struck=False).order_by("position"))


# --- the list --------------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    areas = list(registry_selectors.browse_areas(user=user).filter(level__in=["county", "township", "village"])
                 .order_by("path")) if policy.scope_path(user) is not None else []
    form = NoticeFilterForm(request.GET or None, areas=areas)
    notices = selectors.notices_for(user).select_related("area")
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        if cd["kind"]:
            notices = notices.filter(kind=cd["kind"])
        if cd["state"]:
            notices = notices.filter(state_q(cd["state"], today))
        if cd["area"]:
            area = next(a for a in areas if a.code == cd["area"])
            notices = notices.filter(area_path__startswith=area.path)
    page = Paginator(with_counts(notices).order_by("-starts_on", "-id"), settings.FUPIN_PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    for notice in page.object_list:
        decorate(notice, today)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "identification/notice_list.html", {
        "form": form, "page": page, "query": params.urlencode(), "today": today,
        "can_publish": bool(publishable_kinds(user)),
        "running": selectors.notices_for(user).filter(state_q("running", today)).count(),
    })


# --- publishing ------------------------------------------------------------------------------------------


def publishable_kinds(user: Any) -> list[tuple[str, str]]:
    return [(kind, label) for kind, label in NoticeKind.choices if policy.can(user, rules.NOTICE_CAPABILITY[kind])]


def notice_areas(user: Any, kind: str) -> list[Area]:
    """Where ``user`` may hang a notice of ``kind``: areas of its level inside the user's subtree."""
    return list(Area.objects.filter(policy.area_q(user), level=rules.NOTICE_LEVEL[kind]).order_by("path"))


def eligible_cases(user: Any, kind: str, area: Area) -> list[Case]:
    """Cases that may go on a notice of ``kind`` in ``area``: in the step the kind follows, inside the
    area, on no live notice of the kind already."""
    on_notice = NoticeEntry.objects.filter(struck=False, notice__kind=kind, notice__withdrawn=False) \
        .values("case_id")
    return list(selectors.cases_for(user).filter(step=rules.NOTICE_STEP[kind], area_path__startswith=area.path)
                .exclude(pk__in=on_notice).select_related("household", "household__area", "area", "area__parent")
                .order_by("area_path", "household__number", "id"))


def _last_contact(area: Area) -> dict[str, str]:
    """The hotline and address of the area's latest notice, offered again."""
    last = Notice.objects.filter(area=area).order_by("-created_at").values("hotline", "address").first()
    return last or {}


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    kinds = publishable_kinds(user)
    if not kinds:
        raise PermissionDenied(_("您的角色不能发布公示公告"))
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind") if data.get("kind") in dict(kinds) else kinds[0][0]
    areas = notice_areas(user, kind)
    area = next((a for a in areas if a.code == data.get("area")), None)
    # A post names its kind and area; one the role may not publish, or an area it may not post in, is refused.
    refused = request.method == "POST" and (area is None or data.get("kind") != kind)
    if area is None and not refused:
        area = areas[0] if areas else None
    choose = NoticeChooseForm(initial={"kind": kind, "area": area.code if area else ""}, kinds=kinds, areas=areas)
    cases = eligible_cases(user, kind, area) if area else []
    start, end = default_period(timezone.localdate(), rules.notice_min_days(kind))
    form = NoticePublishForm(request.POST or None, cases=cases, initial={
        "cases": [str(c.pk) for c in cases], "starts_on": start, "ends_on": end, **(_last_contact(area) if area else {})})
    if refused and data.get("kind") != kind:
        form.is_valid()
        form.add_error(None, _("您的角色不能发布该类公示"))
    elif refused:
        form.is_valid()
        form.add_error(None, _("所选区划不在您可发布“%(k)s”的范围内（应为您辖区内的%(level)s）") % {
            "k": NoticeKind(kind).label, "level": LEVEL_LABEL[rules.NOTICE_LEVEL[kind]]})
    elif request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        chosen = [c for c in cases if str(c.pk) in cd["cases"]]
        try:
            notice = services.notice_publish(actor=user, kind=kind, area=area, cases=chosen, starts_on=cd["starts_on"],
                                             ends_on=cd["ends_on"], hotline=cd["hotline"], address=cd["address"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已发布“%(t)s”，共 %(n)d 户（村）") % {"t": document_title(notice), "n": len(chosen)})
            return redirect("notice_detail", pk=notice.pk)
    ticked = set(form["cases"].value() or []) if form.is_bound else {str(c.pk) for c in cases}
    heads = _head_ids(cases, user)
    for case in cases:
        case.ticked = str(case.pk) in ticked
        case.masked_id = heads.get(case.household_id, "")
    return render(request, "identification/notice_form.html", {
        "choose": choose, "form": form, "kind": kind, "kind_label": NoticeKind(kind).label, "area": area,
        "cases": cases, "level_label": LEVEL_LABEL[rules.NOTICE_LEVEL[kind]], "min_days": rules.notice_min_days(kind),
        "step_label": rules.step_label(rules.NOTICE_STEP[kind]),
    })


def _head_ids(cases: list[Case], user: Any) -> dict[int, str]:
    """{household id: the head's ID number as ``user`` sees it} for the cases' households, in one query."""
    from fupin.registry.models import Member

    heads = Member.objects.filter(household_id__in=[c.household_id for c in cases if c.household_id], active=True,
                                  relation="head").values_list("household_id", "id_number")
    return {hid: policy.shown(user, "id_number", number) or "" for hid, number in heads}


# --- one notice ------------------------------------------------------------------------------------------


def case_url(case_id: int) -> str | None:
    """The case page (another part of issue 13 adds it); None while it does not exist."""
    try:
        return reverse("case_detail", args=[case_id])
    except NoReverseMatch:
        return None


def _detail(request: HttpRequest, notice: Notice, *, objection_form: ObjectionForm | None = None,
            resolve_form: tuple[int, ResolveForm] | None = None, withdraw_form: WithdrawForm | None = None,
            status: int = 200) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    decorate(notice, today)
    entries = list(notice.entries.select_related("case").order_by("position"))
    for entry in entries:
        entry.case_url = case_url(entry.case_id)
    objections = list(notice.objections.select_related("entry", "resolved_by", "recorded_by").order_by("received_on", "id"))
    decides = policy.can(user, rules.NOTICE_CAPABILITY[notice.kind]) and policy.in_write_scope(user, notice.area)
    for objection in objections:
        objection.contact_shown = policy.shown(user, "phone", objection.contact) if objection.contact else ""
        if objection.status == ObjectionStatus.OPEN and decides:
            objection.form = resolve_form[1] if resolve_form and resolve_form[0] == objection.pk else \
                ResolveForm(prefix=f"r{objection.pk}", initial={"resolved_on": today})
    records = policy.can_write(user) and not notice.withdrawn
    if records and objection_form is None:
        received = min(max(today, notice.starts_on), notice.ends_on)
        objection_form = ObjectionForm(entries=entries, initial={"received_on": received})
    return render(request, "identification/notice_detail.html", {
        "notice": notice, "entries": entries, "objections": objections, "decides": decides,
        "objection_form": objection_form if records else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if decides and not notice.withdrawn else None,
        "listed": sum(1 for e in entries if not e.struck),
        "people": sum(e.members or 0 for e in entries if not e.struck),
        "open_count": sum(1 for o in objections if o.status == ObjectionStatus.OPEN),
        "level_label": LEVEL_LABEL[rules.NOTICE_LEVEL[notice.kind]], "villages": documents.KINDS[notice.kind].villages,
        "waits_for": rules.step_label(rules.NOTICE_STEP[notice.kind]),
    }, status=status)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.notice_get(request.user, pk))


@login_required
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)
    if not policy.can_write(request.user):
        raise PermissionDenied(_("您的角色只能查看，不能登记异议"))
    entries = list(notice.entries.order_by("position"))
    form = ObjectionForm(request.POST, entries=entries)
    if form.is_valid():
        cd = form.cleaned_data
        entry = next((e for e in entries if str(e.pk) == cd["entry"]), None)
        try:
            services.objection_record(actor=request.user, notice=notice, entry=entry, received_on=cd["received_on"],
                                      raised_by=cd["raised_by"], contact=cd["contact"], content=cd["content"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("异议已登记，待作出决定的层级核查处理"))
            return redirect(reverse("notice_detail", args=[notice.pk]) + "#objections")
    return _detail(request, notice, objection_form=form)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection, pk=pk)
    notice = selectors.notice_get(request.user, objection.notice_id)  # outside the scope: 404
    form = ResolveForm(request.POST, prefix=f"r{objection.pk}")
    if form.is_valid():
        cd = form.cleaned_data
        try:
            services.objection_resolve(actor=request.user, objection=objection, status=cd["status"],
                                       resolution=cd["resolution"], date=cd["resolved_on"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("异议已办结"))
            return redirect(reverse("notice_detail", args=[notice.pk]) + "#objections")
    if not (policy.can(request.user, rules.NOTICE_CAPABILITY[notice.kind])
            and policy.in_write_scope(request.user, notice.area)):
        raise PermissionDenied(_("异议须由作出决定的层级核查处理"))
    return _detail(request, notice, resolve_form=(objection.pk, form))


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.notice_withdraw(actor=request.user, notice=notice, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("公示已撤销"))
            return redirect("notice_detail", pk=notice.pk)
    if not policy.can(request.user, rules.NOTICE_CAPABILITY[notice.kind]):
        raise PermissionDenied(_("您的角色不能撤销该公示"))
    return _detail(request, notice, withdraw_form=form)


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """打印公示: the A4 sheet from the stored (masked) entries; every print audited as an export."""
    notice = selectors.notice_get(request.user, pk)
    entries = listed_entries(notice)
    try:
        pdf = notice_document(notice, entries)
    except (UnprintableText, ValidationError) as exc:
        for message in exc.messages:
            messages.error(request, _("无法打印公示：") + message)
        return redirect("notice_detail", pk=notice.pk)
    audit_export(actor=request.user, obj=notice, area_path=notice.area_path,
                 summary=_("打印公示：%(t)s（%(a)s，%(n)d 户/村）") % {
                     "t": document_title(notice), "a": notice.area.name, "n": len(entries)},
                 data={"document": documents.TEMPLATE, "kind": notice.kind, "entries": len(entries)})
    return pdf_response(pdf, pdf_filename(notice))
