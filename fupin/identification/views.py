"""The pages of identification and exit cases (识别与退出): the list, a case's page with the steps the
user may take now, opening a case from a household's page or from 新申请, and the attachments.

Reads through fupin.identification.selectors (a case outside the scope is a 404), writes through
fupin.identification.services (which refuse, in Chinese, whatever the role, the scope, the table, the
notice period or the vote does not allow), who may do what through fupin.accounts.policy and the
transition tables of rules.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.audit.services import audit_export
from fupin.registry import selectors as registry_selectors
from fupin.registry.choices import NOT_EXITED_STATUSES, Status
from fupin.web.views import no_scope

from . import rules, selectors, services
from .forms import OPEN_FORMS, ApplicantForm, AttachmentForm, CaseFilterForm, StepForm, put_errors
from .models import Attachment, Case, CaseKind, NoticeEntry, Objection, Step

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.registry.models import Household


def _require_write(request: HttpRequest) -> None:
    policy.require(request.user, "write", _("您的角色只能查看，不能办理识别与退出"))


# --- the list -----------------------------------------------------------------------------------------


#: Above this many townships and villages the 区划 filter offers counties and townships only.
AREA_CHOICES_MAX = 400


def _filter_areas(user: User) -> list:
    """The townships and villages of the user's subtree, in code order (the 区划 filter); for a scope
    too large for one drop-down (a city, a province), its counties and townships."""
    areas = policy.visible_areas(user).order_by("code")
    small = areas.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
    if small.count() <= AREA_CHOICES_MAX:
        return list(small)
    return list(areas.filter(level__in=[Level.COUNTY, Level.TOWNSHIP])[:AREA_CHOICES_MAX])


def _step_bar(counts: dict[tuple[str, str], int], kind: str) -> list[dict[str, Any]]:
    """The compact step bar: each kind's steps in order with the number of cases at each."""
    kinds = [kind] if kind else [k for k in rules.PATHS if any(key[0] == k for key in counts)]
    bar = []
    for k in kinds:
        steps = [*rules.PATHS[k], Step.REJECTED, Step.WITHDRAWN]
        bar.append({"kind": k, "label": CaseKind(k).label,
                    "steps": [{"code": s, "label": rules.step_label(s), "n": counts.get((k, s), 0)} for s in steps
                              if s in rules.PATHS[k] or counts.get((k, s))]})
    return bar


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.scope_path(user) is None and not policy.scoped_by_households(user):
        return no_scope(request)
    areas = _filter_areas(user)
    years = list(selectors.cases_for(user).order_by("-year").values_list("year", flat=True).distinct())
    form = CaseFilterForm(request.GET or None, areas=areas, years=years)
    cases = selectors.cases_for(user)
    cd: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if cd.get("waiting"):
        at_step, after_notice = selectors.cases_waiting(user)
        cases = cases.filter(pk__in=at_step.values("pk")) | cases.filter(pk__in=after_notice.values("pk"))
    if cd.get("area"):
        area = next(a for a in areas if a.code == cd["area"])
        cases = cases.filter(area_path__startswith=area.path)
    if cd.get("year"):
        cases = cases.filter(year=cd["year"])
    if cd.get("kind"):
        cases = cases.filter(kind=cd["kind"])
    counts = selectors.step_counts(cases)
    if cd.get("step"):
        cases = cases.filter(step=cd["step"])
    order = ["-updated_at", "-id"] if cd.get("sort") == "updated" else [
        "area__path", "household__head_name_pinyin", "household__head_name", "id"]
    cases = cases.select_related("household", "household__area", "area").order_by(*order)
    page = Paginator(cases, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    step_params = params.copy()
    step_params.pop("step", None)
    return render(request, "identification/case_list.html", {
        "form": form, "page": page, "query": params.urlencode(), "step_query": step_params.urlencode(),
        "bar": _step_bar(counts, cd.get("kind", "")), "chosen_step": cd.get("step", ""),
        "total": sum(counts.values()), "can_open": policy.can(user, rules.STEP_CAPABILITY[Step.APPLIED]),
    })


# --- one case -----------------------------------------------------------------------------------------


def _may(user: User, case: Case, target: str) -> bool:
    """Whether ``user``'s role may take the step to ``target`` (the transition table's capability: a
    send-back or a refusal is for whoever takes the next step forward) inside their write scope."""
    transition = rules.TABLES[case.kind].find(case.step, target)
    if transition is None:
        return False
    allowed = transition.may is None or policy.can(user, transition.may)
    return allowed and policy.in_write_scope(user, case.area)


def _actions(user: User, case: Case, bound: StepForm | None = None) -> dict[str, Any]:
    """The forms of the steps ``user`` may take now: forward (or the notice that still blocks it), sent
    back, and 不予通过 / 撤回 apart. ``bound``: the form just posted, with its errors."""
    forward, back, ending, blocked = [], [], [], []
    for target in rules.next_steps(case):
        if not _may(user, case, target):
            continue
        if bound is not None and bound.target == target:
            form = bound
        else:
            form = StepForm(case=case, target=target)
        if rules.is_back(case.step, target):
            back.append(form)
        elif target in (Step.REJECTED, Step.WITHDRAWN):
            ending.append(form)
        else:
            blocker = services.notice_blocker(case, case.step)
            if blocker:
                blocked.append({"target": rules.step_label(target), "message": blocker})
            else:
                forward.append(form)
    placed = bound is not None and any(f is bound for f in (*forward, *back, *ending))
    # The step just posted is no longer offered (someone else took it meanwhile): its refusal above all.
    refused = [str(e) for errors in bound.errors.values() for e in errors] if bound is not None and not placed else []
    return {"forward": forward, "back": back, "ending": ending, "blocked": blocked, "refused": refused,
            "any_action": bool(forward or back or ending or blocked)}


def _notices(case: Case) -> list[dict[str, Any]]:
    entries = list(NoticeEntry.objects.filter(case=case).select_related("notice", "notice__area")
                   .order_by("notice__starts_on", "notice_id"))
    objections = list(Objection.objects.filter(notice__in=[e.notice_id for e in entries]).order_by("received_on", "id"))
    today = timezone.localdate()
    rows = []
    for entry in entries:
        notice = entry.notice
        rows.append({"entry": entry, "notice": notice, "href": f"/notices/{notice.pk}/",
                     "running": notice.starts_on <= today <= notice.ends_on and not notice.withdrawn,
                     "objections": [o for o in objections if o.notice_id == notice.pk
                                    and o.entry_id in (None, entry.pk)]})
    return rows


def _events(case: Case) -> list:
    events = list(case.events.select_related("actor").prefetch_related("attachments"))
    labels = {key: str(label) for key, label in rules.CHECKLIST.items()}
    if case.kind in rules.MONITOR_KINDS:
        labels = {key: str(label) for key, label in rules.MONITOR_CHECKLIST.items()}
    for event in events:
        event.checklist_rows = [{"label": labels.get(key, key), "ok": answer.get("ok"), "note": answer.get("note", "")}
                                for key, answer in (event.checklist or {}).items()]
        event.voted = event.representatives is not None
    return events


def _case_page(request: HttpRequest, case: Case, *, bound: StepForm | None = None,
               upload: AttachmentForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    path = rules.PATHS[case.kind]
    reached = path.index(case.step) if case.step in path else -1
    if reached < 0:  # 不予通过 / 撤回: the furthest forward step the case had reached
        done = [e.to_step for e in case.events.all() if e.to_step in path]
        reached = max((path.index(s) for s in done), default=-1)
    household = case.household
    head = household.members.filter(active=True, relation="head").first() if household else None
    writer = policy.can_write(user) and policy.in_write_scope(user, case.area)
    return render(request, "identification/case_detail.html", {
        "case": case, "h": household, "head": head,
        "path": [{"code": s, "label": rules.step_label(s), "done": i < reached, "current": i == reached,
                  "next": i == reached + 1 and case.step in path} for i, s in enumerate(path)],
        "ended": case.step in (Step.REJECTED, Step.WITHDRAWN),
        "events": _events(case), "attachments": list(case.attachments.select_related("event", "uploaded_by")),
        "notices": _notices(case), "decision": case.decision, "actions": _actions(user, case, bound),
        "upload": upload or (AttachmentForm(case=case) if writer else None),
        "max_mb": int(getattr(settings, "ATTACHMENT_MAX_MB", 10)),
    }, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.case_get(request.user, pk))


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one step (POST from the case's page); the page again with the errors on the form when refused
    — a stale page (expected_version) gets the Conflict's message."""
    _require_write(request)
    case = selectors.case_get(request.user, pk)
    target = request.POST.get("target", "")
    if target not in Step.values:
        raise Http404
    form = StepForm(request.POST, case=case, target=target)
    if form.is_valid():
        try:
            services.case_step(actor=request.user, case=case, to=target, opinion=form.cleaned_data["opinion"],
                               date=form.cleaned_data["date"], votes=form.votes(), checklist=form.checklist(),
                               expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            put_errors(form, exc)
            case = selectors.case_get(request.user, pk)
        else:
            messages.success(request, _("已办理“%(s)s”") % {"s": form.label})
            return redirect("case_detail", pk=case.pk)
    return _case_page(request, case, bound=form)


@login_required
@require_POST
def case_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_write(request)
    case = selectors.case_get(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES, case=case)
    if form.is_valid():
        try:
            attachment = services.attachment_add(actor=request.user, case=case, upload=form.cleaned_data["file"],
                                                 event=form.cleaned_data["event"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("已上传附件“%(n)s”") % {"n": attachment.name})
            return redirect(reverse("case_detail", args=[case.pk]) + "#attachments")
    return _case_page(request, case, upload=form)


@login_required
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """An attachment, only to whoever sees the case (never a public media URL); each download audited."""
    case = selectors.case_get(request.user, pk)
    attachment = Attachment.objects.filter(case=case, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_export(actor=request.user, obj=attachment, area_path=case.area_path,
                 summary=_("下载案件附件“%(n)s”：%(c)s") % {"n": attachment.name, "c": case})
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- opening a case -----------------------------------------------------------------------------------


def may_open(user: User, household: Household, cases: list[Case] | None = None) -> dict[str, bool]:
    """Which cases ``user`` may open for ``household`` now (the household page's panel offers them):
    识别 for a household in 申请中, 退出 for one not yet exited; none while one of the kind runs.
    ``cases``: the household's cases when already read."""
    if cases is None:
        cases = list(Case.objects.filter(household=household).only("kind", "step"))
    running = {case.kind for case in cases if case.step not in rules.FINAL}
    writer = policy.in_write_scope(user, household.area)
    return {
        CaseKind.IDENTIFICATION: writer and household.status == Status.APPLYING
        and CaseKind.IDENTIFICATION not in running and rules.may_take(user, rules.PATHS[CaseKind.IDENTIFICATION][0]),
        CaseKind.EXIT: writer and household.status in NOT_EXITED_STATUSES and CaseKind.EXIT not in running
        and rules.may_take(user, rules.PATHS[CaseKind.EXIT][0]),
    }


def _open(request: HttpRequest, form: Any, household: Household | None) -> HttpResponse | None:
    """Open the case a posted form asks for (services.case_open) and go to its page; None when the form
    or the service refused (the errors are then on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    household = household or form.cleaned_data["household"]
    try:
        case = services.case_open(actor=request.user, household=household, **form.service_kwargs())
    except ValidationError as exc:
        put_errors(form, exc)
        return None
    messages.success(request, _("已发起%(k)s：%(n)s") % {"k": case.get_kind_display(), "n": household.head_name})
    return redirect("case_detail", pk=case.pk)


@login_required
def case_open(request: HttpRequest, household_pk: int, kind: str) -> HttpResponse:
    """申报识别 / 提名退出 for one household: posted from the household's page; refused (with the exit
    check's failed criteria by name) on a page of its own."""
    _require_write(request)
    if kind not in OPEN_FORMS:
        raise Http404
    household = registry_selectors.household_get(user=request.user, pk=household_pk)
    form = OPEN_FORMS[kind](request.POST or None)
    opened = _open(request, form, household)
    if opened:
        return opened
    return render(request, "identification/case_open.html", {
        "form": form, "h": household, "kind": CaseKind(kind), "allowed": may_open(request.user, household)[kind]})


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """新申请: register a new household in 申请中 (the registration page, whose picker chooses the village),
    or 申报识别 for a household already registered in 申请中."""
    _require_write(request)
    households = selectors.applicants(request.user)
    form = ApplicantForm(request.POST or None, households=households)
    opened = _open(request, form, None)
    if opened:
        return opened
    return render(request, "identification/case_new.html", {
        "form": form, "count": households.count(),
        "register_url": reverse("household_create"),
        "may_register": policy.can_write(request.user)})


def household_panel(user: User, household: Household) -> dict[str, Any]:
    """The "识别与退出" panel of a household's page: its cases and the forms that open one."""
    # Whoever sees the household sees all its cases: one read serves the list and the running kinds.
    cases = list(selectors.cases_for(user).filter(household=household).order_by("-created_at", "-id"))
    allowed = may_open(user, household, cases)
    return {"h": household, "cases": cases,
            "open_identification": OPEN_FORMS[CaseKind.IDENTIFICATION]() if allowed[CaseKind.IDENTIFICATION] else None,
            "open_exit": OPEN_FORMS[CaseKind.EXIT]() if allowed[CaseKind.EXIT] else None}
