"""项目库 pages (issue 16, life16): the project list by area, year, stage and category; a project's page
(its lifecycle with the buttons the user's role may press, beneficiaries, contracts, progress, the history
and a slot the money trail loads into); propose and edit; the library's Excel export and import; the
行业部门 accounts' departments. Reads through fupin.projects.selectors (scoped; outside → 404); writes
through fupin.projects.services_library (the policy's checks are theirs)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.selectors import area_get, area_root
from fupin.web.forms import apply_errors

from . import selectors
from . import services_library as lib
from . import sheets_library as sheets
from .forms_library import (
    BeneficiaryForm,
    ContractForm,
    DepartmentStaffForm,
    ImportForm,
    ProgressForm,
    ProjectForm,
    StepForm,
)
from .models import Beneficiary, DepartmentStaff, Project
from .rules import PATH, Category, Channel, Stage

SECTION = {"SECTION": "projects"}


def _ctx(**kw: Any) -> dict[str, Any]:
    return {**SECTION, **kw}


def _area(request: HttpRequest) -> Any:
    code = request.GET.get("area", "").strip()
    return area_get(user=request.user, code=code) if code else area_root(user=request.user)


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    year = g.get("year", "")
    return {"year": int(year) if year.isdigit() else None, "stage": g.get("stage", "") if g.get("stage") in Stage.values
            else "", "category": g.get("category", "") if g.get("category") in Category.values else "",
            "q": g.get("q", "").strip()[:50], "channel": g.get("channel", "") if g.get("channel") in Channel.values else ""}


def _rows(request: HttpRequest) -> tuple[Any, Any, dict[str, Any]]:
    area = _area(request)
    f = _filters(request)
    rows = selectors.library_for(request.user, area_path=area.path if area else "", **f)
    return area, rows, f


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    area, rows, f = _rows(request)
    counts = dict(selectors.library_for(request.user, area_path=area.path if area else "", year=f["year"],
                                        category=f["category"], q=f["q"], channel=f["channel"])
                  .order_by().values_list("stage").annotate(n=Count("id")))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    years = sorted(set(selectors.projects_for(request.user).values_list("year", flat=True)), reverse=True)
    children = area.children.order_by("code") if area is not None else []
    return render(request, "projects/library/list.html", _ctx(
        page=page, area=area, children=children, f=f, years=years, stages=Stage.choices, categories=Category.choices,
        channels=Channel.choices,
        counts=[(s, label, counts.get(s, 0)) for s, label in Stage.choices], query=_query(request),
        can_propose=policy.can(request.user, "project_propose"),
        can_manage=policy.can(request.user, "manage_users")))


def _units(user: Any, area: Any = None) -> list[tuple[str, str]]:
    from fupin.assistance.models import HelpingUnit, UnitKind

    units = HelpingUnit.objects.filter(kind=UnitKind.DEPARTMENT, active=True)
    root = area or area_root(user=user)
    if root is not None:
        path = root.path
        units = units.filter(Q(area__path__startswith=path) | Q(area__path__in=[path[:n] for n in range(1, len(path))]))
    return [(str(u.pk), u.name) for u in units.order_by("name")]


def _area_choices(user: Any) -> list[tuple[str, str]]:
    areas = policy.visible_areas(user).filter(level__in=("county", "township", "village")).order_by("code")
    return [(a.code, f"{'　' * {'county': 0, 'township': 1}.get(a.level, 2)}{a.name}") for a in areas[:2000]]


def _form_values(user: Any, form: ProjectForm) -> dict[str, Any]:
    from fupin.assistance.models import HelpingUnit

    d = form.values()
    d["area"] = area_get(user=user, code=d["area"])
    d["lead"] = HelpingUnit.objects.filter(pk=d["lead"]).first() if d.get("lead") else None
    return d


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "project_propose", _("您的角色不能申报项目"))
    form = ProjectForm(request.POST or None, areas=_area_choices(request.user), units=_units(request.user))
    if request.method == "POST" and form.is_valid():
        d = _form_values(request.user, form)
        try:
            project = lib.project_create(actor=request.user, area=d.pop("area"), name=d.pop("name"),
                                         category=d.pop("category"), year=d.pop("year"), lead=d.pop("lead"), **d)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目 %(c)s 已申报") % {"c": project.code})
            return redirect("projects:detail", project.pk)
    return render(request, "projects/library/form.html", _ctx(form=form, title=_("申报项目")),
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    if not (policy.can(request.user, "project_propose") or policy.acts_for(request.user, "department")):
        raise PermissionDenied(_("您的角色不能修改项目"))
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_of(project),
                       areas=_area_choices(request.user), units=_units(request.user, project.area))
    if request.method == "POST" and form.is_valid():
        d = _form_values(request.user, form)
        changes = {k: v for k, v in d.items() if getattr(project, k) != v}
        try:
            lib.project_update(actor=request.user, project=project, **changes)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已保存"))
            return redirect("projects:detail", project.pk)
    return render(request, "projects/library/form.html", _ctx(form=form, project=project,
                                                              title=_("修改项目 %(c)s") % {"c": project.code}),
                  status=400 if form.errors else 200)


def _trail_url(project: Project) -> str | None:
    try:
        return reverse("funds:project_trail", args=[project.pk])
    except NoReverseMatch:  # money16's trail, once merged
        return None


def _page(request: HttpRequest, project: Project, *, step_form: StepForm | None = None,
          beneficiary_form: BeneficiaryForm | None = None, contract_form: ContractForm | None = None,
          progress_form: ProgressForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    stage_index = PATH.index(project.stage) if project.stage in PATH else -1
    events = list(project.events.select_related("actor").order_by("at", "id"))
    beneficiaries = list(project.beneficiaries.select_related("household", "household__area")
                         .order_by("household__number"))
    visible = set(policy.visible_households(user).filter(pk__in=[b.household_id for b in beneficiaries])
                  .values_list("pk", flat=True))
    can_write = lib.actions_for(user, project)
    can_edit = project.stage != Stage.CANCELLED and (
        policy.can(user, "project_propose") or policy.acts_for(user, "department")) and _may_edit(user, project)
    can_implement = project.stage != Stage.CANCELLED and policy.can(user, "project_implement") \
        and _may_implement(user, project)
    nxt = lib.next_stage(project.stage)
    # a refused step keeps what was typed: its opinion (in the form it came from) and its date
    posted = step_form.data if step_form is not None and step_form.is_bound else {}
    typed = {k: posted.get("reason", "") if posted.get("kind") == k else "" for k in ("forward", "back", "cancel")}
    step_date = (posted.get("date") if posted.get("kind") == "forward" else "") or timezone.localdate().isoformat()
    return render(request, "projects/library/detail.html", _ctx(
        project=project, path=[(s, Stage(s).label, i < stage_index, i == stage_index) for i, s in enumerate(PATH)],
        events=events, beneficiaries=beneficiaries, visible=visible, contracts=list(project.contracts.all()),
        actions=can_write, next_stage=nxt, next_label=Stage(nxt).label if nxt else "",
        step_form=step_form or StepForm(initial={"version": project.version, "date": timezone.localdate()}),
        typed=typed, step_date=step_date,
        beneficiary_form=beneficiary_form or BeneficiaryForm(), contract_form=contract_form or ContractForm(),
        progress_form=progress_form or ProgressForm(initial={"progress": project.progress}),
        can_edit=can_edit, can_implement=can_implement,
        can_name=project.stage != Stage.CANCELLED and policy.can(user, "project_propose") and can_edit,
        can_contract=can_implement and project.stage in lib.CONTRACT_STAGES,
        can_progress=can_implement and project.stage == Stage.IMPLEMENTING,
        trail_url=_trail_url(project), progress_events=[e for e in events if (e.data or {}).get("kind") == "progress"],
        **_related(user, project)),
        status=status)


def _related(user: Any, project: Project) -> dict[str, Any]:
    """What the project's page links to beyond its money trail: its 公告公示 (of the project or of its subsidy
    batches), its assets, and its own slips on the alerts page — each as the user sees them."""
    from . import alerts

    disclosures = list(selectors.disclosures_for(user).filter(Q(project=project) | Q(batch__project=project)
                                                                | Q(document__allocations__project=project))
                       .distinct().order_by("-starts_on", "-id")[:50])
    assets = list(selectors.assets_for(user).filter(project=project).order_by("code"))
    slips = alerts.for_project(user=user, project=project) if not policy.scoped_by_households(user) \
        or policy.acts_for(user, "department") else []
    from .services_assets import ACCEPTED_STAGES

    may_register = project.stage in ACCEPTED_STAGES and policy.can(user, "assets") \
        and policy.in_write_scope(user, project.area)
    return {"related_disclosures": disclosures, "related_assets": assets, "related_alerts": slips,
            "may_register_asset": may_register}


def _may_edit(user: Any, project: Project) -> bool:
    try:
        lib._check_edit(user, project)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _may_implement(user: Any, project: Project) -> bool:
    try:
        lib._check_implement(user, project)
    except (PermissionDenied, ValidationError):
        return False
    return True


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.project_get(request.user, pk))


@login_required
@require_POST
def project_step(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _page(request, project, step_form=form, status=400)
    d = form.cleaned_data
    to = {"forward": lib.next_stage(project.stage), "back": Stage.PROPOSED, "cancel": Stage.CANCELLED}[d["kind"]]
    if to is None:
        raise Http404
    try:
        lib.project_step(actor=request.user, project=project, to=to, reason=d.get("reason") or "",
                         date=d.get("date"), expected_version=d.get("version"))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, selectors.project_get(request.user, pk), step_form=form, status=400)
    messages.success(request, _("项目已进入“%(s)s”") % {"s": Stage(to).label})
    return redirect("projects:detail", pk)


@login_required
@require_POST
def beneficiary_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    policy.require(request.user, "project_propose", _("您的角色不能修改受益户"))
    form = BeneficiaryForm(request.POST)
    if form.is_valid():
        numbers = [n.strip() for n in form.cleaned_data["numbers"].split() if n.strip()]
        found = {h.number: h for h in policy.visible_households(request.user).filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        try:
            if missing:
                raise ValidationError({"numbers": [_("没有找到户编号为 %(n)s 的建档立卡户（或不在您的范围内）") % {"n": n}
                                                   for n in missing]})
            lib.beneficiaries_add(actor=request.user, project=project, households=[found[n] for n in numbers],
                                  note=form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "household" in exc.error_dict:
                exc = ValidationError({"numbers": exc.message_dict["household"]})
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加 %(n)s 户受益户") % {"n": len(numbers)})
            return redirect(reverse("projects:detail", args=[pk]) + "#beneficiaries")
    return _page(request, project, beneficiary_form=form, status=400)


@login_required
@require_POST
def beneficiary_remove(request: HttpRequest, pk: int, bid: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    row = Beneficiary.objects.select_related("household").filter(project=project, pk=bid).first()
    if row is None:
        raise Http404
    try:
        lib.beneficiary_remove(actor=request.user, beneficiary=row)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已移出受益户 %(n)s") % {"n": row.household.number})
    return redirect(reverse("projects:detail", args=[pk]) + "#beneficiaries")


@login_required
@require_POST
def contract_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            lib.contract_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("合同已登记"))
            return redirect(reverse("projects:detail", args=[pk]) + "#contracts")
    return _page(request, project, contract_form=form, status=400)


@login_required
@require_POST
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(request.user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            lib.progress_report(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("进度已填报"))
            return redirect(reverse("projects:detail", args=[pk]) + "#progress")
    return _page(request, project, progress_form=form, status=400)


@login_required
@require_GET
def library_export(request: HttpRequest) -> HttpResponse:
    area, rows, f = _rows(request)
    if request.GET.get("template") == "1":  # the blank sheet to fill in: the headers only
        rows = rows.none()
    title = _("%(a)s脱贫攻坚项目库") % {"a": area.name if area else ""}
    data = sheets.export_xlsx(actor=request.user, projects=rows, title=title,
                              filters={**f, "area": area.code if area else ""})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=project-library-{area.code if area else 'all'}.xlsx"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def library_import(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "project_propose", _("您的角色不能导入项目库"))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = sheets.import_xlsx(actor=request.user, data=upload.read(), filename=upload.name)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("已导入 %(n)s 个项目（村级申报）") % {"n": len(result.created)})
            return redirect("projects:list")
    return render(request, "projects/library/import.html", _ctx(form=form, errors=errors, columns=sheets.COLUMNS,
                                                                required=sheets.REQUIRED),
                  status=400 if errors or form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def departments(request: HttpRequest) -> HttpResponse:
    """行业部门账号: which department each 行业部门 account of the manager's subtree acts for."""
    from fupin.accounts.models import User

    policy.require(request.user, "manage_users", _("您的角色不能管理账号"))
    accounts = [u for u in User.objects.filter(policy.users_q(request.user)).select_related("area").order_by("username")
                if policy.can(u, "be_department_staff")]
    units = _units(request.user)
    form = DepartmentStaffForm(request.POST or None, users=[(str(u.pk), u.username) for u in accounts], units=units)
    if request.method == "POST" and form.is_valid():
        from fupin.assistance.models import HelpingUnit

        user = next(u for u in accounts if str(u.pk) == form.cleaned_data["user"])
        unit = HelpingUnit.objects.select_related("area").get(pk=form.cleaned_data["department"])
        try:
            lib.department_staff_set(actor=request.user, user=user, department=unit)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(u)s 现为 %(d)s 的行业部门账号") % {"u": user.username, "d": unit.name})
            return redirect("projects:departments")
    staff = {s.user_id: s.department for s in DepartmentStaff.objects.filter(user__in=accounts).select_related("department")}
    rows = [(u, staff.get(u.pk)) for u in accounts]
    return render(request, "projects/library/departments.html", _ctx(form=form, rows=rows),
                  status=400 if form.errors else 200)
