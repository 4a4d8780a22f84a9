"""Server-rendered pages. Reads go through the scoped selectors, writes through the services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.accounts import capabilities
from fupin.areas.models import Area, Level
from fupin.areas.selectors import area_list, designations_for
from fupin.audit import selectors as audit_selectors
from fupin.audit.services import audit_reveal
from fupin.quality import selectors as quality_selectors
from fupin.registry import selectors, services
from fupin.registry.choices import Cause, Status
from fupin.registry.selectors import HouseholdFilters

from . import audit_display
from .forms import (
    AuditFilterForm,
    HouseholdCreateForm,
    HouseholdFilterForm,
    HouseholdForm,
    MakeHeadForm,
    MemberForm,
    MemberRemoveForm,
    StatusChangeForm,
    YearlyRecordForm,
)


def require_write(request: HttpRequest) -> None:
    if not capabilities.can_write(request.user):
        raise PermissionDenied(_("您的角色只能查看，不能修改数据"))


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, at the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _no_scope(request):
    """Nothing to show: no area assigned, or (帮扶责任人, 评估人员) no household paired or sampled."""
    return render(request, "web/no_scope.html", {"by_households": selectors.scoped_by_households(request.user)})


@login_required
def home(request):
    return redirect("overview")


# --- overview -----------------------------------------------------------------------------------

@login_required
def overview(request):
    root = selectors.browse_root(user=request.user)
    if root is None:
        return _no_scope(request)
    code = request.GET.get("area")
    if code:
        root = selectors.browse_area_get(user=request.user, code=code)
    data = selectors.county_overview(user=request.user, root=root)
    children = list(selectors.browse_area_children(user=request.user, area=root))
    summary = selectors.area_summary(user=request.user, areas=children) if children else {}
    designations = designations_for([c.pk for c in children])
    # Year-end figures from the status history: the trend for the area, and, when a year is
    # chosen, the breakdown by the level below as it stood at the end of that year.
    trend = selectors.poor_people_by_year(user=request.user, root=root).get(root.path, {})
    years = sorted(trend)
    year = _int(request.GET.get("year"))
    year = year if year in trend else None
    by_child = selectors.poor_people_by_year(user=request.user, root=root, prefix_length=len(children[0].path)) \
        if (year and children) else {}
    # 贫困发生率 divides by the area's whole rural population: for a 帮扶责任人 or 评估人员, who see only
    # some of the area's households, it would understate the rate, so it is not computed at all.
    show_incidence = capabilities.sees_incidence(request.user)

    def rural_population(area: Area) -> int | None:
        return area.rural_population if show_incidence else None

    rows = []
    for child in children:
        s = dict(summary.get(child.pk, {}))
        if year:
            s["poor_people"] = by_child.get(child.path, {}).get(year, {}).get("people", 0)
        child_rural = rural_population(child)
        incidence = (s.get("poor_people", 0) / child_rural * 100) if child_rural else None
        rows.append({"area": child, **s, "incidence": incidence,
                     "designations": sorted({d.get_kind_display() for d in designations.get(child.pk, [])})})
    totals = data["totals"]
    rural = rural_population(root)
    chart = {
        "exits": {"years": [e["year"] for e in data["exits"]], "people": [e["people"] for e in data["exits"]],
                  "households": [e["households"] for e in data["exits"]],
                  "returns": [e["returns"] for e in data["exits"]]},
        "trend": {"years": years, "people": [trend[y]["people"] for y in years],
                  "incidence": [round(trend[y]["people"] / rural * 100, 2) if rural else None for y in years]
                  if show_incidence else []},
        "incidence": {"names": [r["area"].name for r in rows] if show_incidence else [],
                      "values": [round(r["incidence"], 2) if r["incidence"] is not None else None for r in rows]
                      if show_incidence else []},
        "causes": [{"name": str(Cause(c["main_cause"]).label), "value": c["households"]}
                   for c in data["by_cause"]],
        "status": [{"name": str(Status(s).label), "value": v["households"]}
                   for s, v in data["by_status"].items()],
        "labels": {"exited_people": _("脱贫人口"), "returns": _("返贫户"), "people": _("人"),
                   "households": _("户"), "threshold": _("退出标准 2%"), "poor_people": _("年末未脱贫人口"),
                   "incidence": _("贫困发生率")},
    }
    first = years[0] if years else None
    return render(request, "web/overview.html", {
        "root": root,
        "ancestors": root.ancestors(),
        "totals": totals,
        "incidence": (totals["poor_people"] / rural * 100) if rural else None,
        "first_year": first,
        "first_incidence": (trend[first]["people"] / rural * 100) if (first and rural) else None,
        "rows": rows,
        "show_incidence": show_incidence,
        "trend": [{"year": y, **trend[y]} for y in years],
        "exits": data["exits"],
        "chart": chart,
        "years": years,
        "year": year,
        "child_level": children[0].get_level_display() if children else "",
    })


# --- area tree ----------------------------------------------------------------------------------

def _tree_rows(user, area: Area) -> list[dict]:
    # The parent: a village row links to the list as ?township=<parent>&village=<code>.
    children = list(selectors.browse_area_children(user=user, area=area).select_related("parent"))
    summary = selectors.area_summary(user=user, areas=children) if children else {}
    designations = designations_for([c.pk for c in children])
    return [{"area": c, **summary.get(c.pk, {}), "has_children": c.level != Level.GROUP,
             "designations": sorted({d.get_kind_display() for d in designations.get(c.pk, [])})}
            for c in children]


@login_required
def area_tree(request):
    root = selectors.browse_root(user=request.user)
    if root is None:
        return _no_scope(request)
    summary = selectors.area_summary(user=request.user, areas=[root])
    return render(request, "web/area_tree.html", {
        "root": root, "root_summary": summary.get(root.pk, {}), "rows": _tree_rows(request.user, root),
        "depth": 1,
    })


@login_required
def area_children_partial(request, code: str):
    area = selectors.browse_area_get(user=request.user, code=code)
    depth = int(request.GET.get("depth", "1")) if request.GET.get("depth", "1").isdigit() else 1
    return render(request, "web/_area_rows.html", {"rows": _tree_rows(request.user, area),
                                                   "depth": min(depth, 6), "parent": area})


# --- household list -----------------------------------------------------------------------------

def _years(user) -> list[int]:
    """Years offered in the identification/exit drop-downs: from the earliest year in the register
    (建档立卡 began in 2014) to this year. Read for the whole register and cached: a scoped MIN/MAX
    costs a scan of the user's subtree on every page (150 ms at province scale), and the range
    says nothing about any household."""
    def bounds():
        return selectors.register_year_range()

    lo, hi = cache.get_or_set("fupin:register-years", bounds, 600)
    hi = max(hi, timezone.localdate().year)
    return list(range(hi, lo - 1, -1))


def household_filters_from_request(request):
    """The household list's filters from the query string: (filters, form, root), or Nones when the
    user has nothing to browse. Shared by the list page and its Excel export (fupin.sheets)."""
    user = request.user
    root = selectors.browse_root(user=user)
    if root is None:
        return None, None, None
    scope = selectors.browse_areas(user=user)
    townships = list(scope.filter(level=Level.TOWNSHIP).order_by("code"))
    township_code = request.GET.get("township", "")
    # A township cadre has one township: offer its villages straight away.
    village_prefix = township_code[:9] or (townships[0].code[:9] if len(townships) == 1 else None)
    villages = list(scope.filter(level=Level.VILLAGE, code__startswith=village_prefix).order_by("code")) \
        if village_prefix else ([] if townships else list(scope.filter(level=Level.VILLAGE).order_by("code")))
    data = request.GET.copy()
    if data.get("village") and data["village"] not in {v.code for v in villages}:
        # A village left over from the township chosen before: the htmx form sends it along with
        # the new township before the village drop-down is refilled. Refusing the whole form would
        # drop every filter and list the entire county; drop only the stale village.
        data.pop("village")
    form = HouseholdFilterForm(data or None, townships=townships, villages=villages, years=_years(user))
    filters = HouseholdFilters()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        village = cd["village"] if cd["village"].startswith(cd["township"][:9]) else ""
        area_code = village or cd["township"]
        if area_code:
            filters.area = selectors.browse_area_get(user=user, code=area_code)
        filters.status = cd["status"]
        filters.attribute = cd["attribute"]
        filters.cause = cd["cause"]
        filters.identified_year = cd["identified_year"]
        filters.exit_year = cd["exit_year"]
        filters.q = cd["q"].strip()
        filters.sort = cd["sort"] or "number"
    return filters, form, root


@login_required
def household_list(request):
    user = request.user
    filters, form, root = household_filters_from_request(request)
    if root is None:
        return _no_scope(request)
    qs = selectors.household_list(user=user, filters=filters)
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {
        "form": form, "page": page, "filters": filters, "root": root,
        "query": params.urlencode(), "sort_query": sort_params.urlencode(), "sort": filters.sort,
        "columns": [("number", _("户编号")), ("head", _("户主")), (None, _("所在村")), ("people", _("人口")),
                    (None, _("属性")), (None, _("主要致贫原因")), ("status", _("户状态")),
                    ("identified", _("识别年度")), ("exit", _("脱贫年度"))],
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "web/_household_results.html", context)
    return render(request, "web/household_list.html", context)


@login_required
def village_options(request):
    """The village drop-down for a township (htmx)."""
    code = request.GET.get("township", "")
    villages = []
    if code:
        township = selectors.browse_area_get(user=request.user, code=code)
        villages = list(selectors.browse_area_children(user=request.user, area=township))
    return render(request, "web/_village_options.html", {"villages": villages})


# --- household page -----------------------------------------------------------------------------

def _shows_history(user) -> bool:
    """The 修改记录 tab: for audit readers, and for writers, who are answerable for the household's
    data and need to see who changed what (the household is already in their scope)."""
    return capabilities.can_read_audit(user) or capabilities.can_write(user)


def _household_page(request, household, *, revealed: bool = False):
    user = request.user
    members = list(household.members.all())
    records = list(household.yearly_records.all())
    chart = {"years": [r.year for r in reversed(records)],
             "income": [float(r.per_capita_income) for r in reversed(records)],
             "line": [float(r.poverty_line) if r.poverty_line is not None else None for r in reversed(records)],
             "labels": {"income": _("人均纯收入"), "line": _("扶贫标准"), "yuan": _("元")}}
    today = timezone.localdate()
    history = None
    if _shows_history(user):
        # One query, whatever the number of members, records or events: the ids are already loaded.
        events = audit_selectors.household_history(user=user, household=household,
                                                   member_ids=[m.pk for m in members],
                                                   record_ids=[r.pk for r in records])[:HISTORY_LIMIT]
        history = audit_display.decorate(events, user)
    return render(request, "web/household_detail.html", {
        "h": household,
        "area_chain": household.area.ancestors(include_self=True),
        "active_members": [m for m in members if m.active],
        "removed_members": [m for m in members if not m.active],
        "records": records,
        "changes": list(household.status_changes.all()),
        "chart": chart,
        "today": today,
        "can_write": capabilities.can_write(user) and household.status != Status.CANCELLED,
        "sees_health": capabilities.sees_health(user),
        "can_reveal": capabilities.can_reveal(user),
        "revealed": revealed,
        "history": history,
        "history_limit": HISTORY_LIMIT,
        "findings": quality_selectors.household_findings(user=user, household=household),
        "can_resolve": capabilities.can_write(user),
        "living": HouseholdForm(instance=household).grouped()[1:],
    })


#: Events shown in the household's 修改记录 tab; older ones are on the audit page.
HISTORY_LIMIT = 50


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    return _household_page(request, household)


@login_required
@require_POST
def household_reveal(request, pk: int):
    """显示完整信息: the household page once more, unmasked for this response only, and audited.

    Out of scope is a 404 (as everywhere); in scope but a role that may not reveal is a 403.
    """
    household = selectors.household_get(user=request.user, pk=pk)
    if not capabilities.can_reveal(request.user):
        raise PermissionDenied(_("您的角色不能查看完整信息"))
    audit_reveal(actor=request.user, household=household, fields=capabilities.revealed_fields(request.user))
    response = _household_page(request, household, revealed=True)
    # The unmasked page must not be kept by the browser or a proxy and shown again later.
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def household_create(request):
    require_write(request)
    areas = area_list(user=request.user).filter(level__in=[Level.VILLAGE, Level.GROUP]).order_by("code")
    form = HouseholdCreateForm(request.POST or None, areas=areas, prefix="h")
    head = MemberForm(request.POST or None, prefix="m", initial={"relation": "head"})
    if request.method == "POST" and form.is_valid() & head.is_valid():
        data = dict(form.cleaned_data)
        area, number, status = data.pop("area"), data.pop("number"), data.pop("status")
        member = dict(head.cleaned_data)
        try:
            household = services.household_create(actor=request.user, area=area, number=number, status=status,
                                                   members=[member], **data)
        except ValidationError as exc:
            member_fields = set(head.fields)
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    (head if field in member_fields and field not in form.fields else form).add_error(
                        field if field in form.fields or field in member_fields else None, errs)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已登记贫困户 %(n)s") % {"n": household.number})
            return redirect("household_detail", pk=household.pk)
    return render(request, "web/household_form.html", {"form": form, "head": head, "title": _("登记新贫困户")})


@login_required
def household_edit(request, pk: int):
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items()}
            services.household_update(actor=request.user, household=household, data=data,
                                      expected_version=_int(request.POST.get("version")))
        except services.StaleVersion:
            form.add_error(None, _("这户信息刚被其他人修改过，请刷新页面后重新填写"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "web/household_form.html", {"form": form, "h": household,
                                                       "title": _("修改贫困户信息")})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def member_edit(request, pk: int):
    require_write(request)
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, data=dict(form.cleaned_data),
                                   expected_version=_int(request.POST.get("version")))
        except services.StaleVersion:
            form.add_error(None, _("该成员信息刚被其他人修改过，请刷新页面后重新填写"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存成员 %(name)s") % {"name": form.cleaned_data["name"]})
            return redirect("household_detail", pk=member.household_id)
    return render(request, "web/member_form.html", {"form": form, "h": member.household, "member": member,
                                                    "title": _("修改家庭成员")})


@login_required
def member_add(request, pk: int):
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_add(actor=request.user, household=household, data=dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已增加成员 %(name)s") % {"name": member.name})
            return redirect("household_detail", pk=household.pk)
    return render(request, "web/member_form.html", {"form": form, "h": household, "title": _("增加家庭成员")})


@login_required
def member_remove(request, pk: int):
    require_write(request)
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberRemoveForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_remove(actor=request.user, member=member, reason=form.cleaned_data["reason"],
                                   date=form.cleaned_data["date"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s 已减员") % {"name": member.name})
            return redirect("household_detail", pk=member.household_id)
    return render(request, "web/simple_form.html", {"form": form, "h": member.household,
                                                    "title": _("成员减员：%(name)s") % {"name": member.name},
                                                    "submit": _("确认减员"), "danger": True})


@login_required
def member_make_head(request, pk: int):
    """更换户主: this member becomes the head; the old head takes another relation."""
    require_write(request)
    member = selectors.member_get(user=request.user, pk=pk)
    household = member.household
    old_head = household.members.filter(active=True, relation="head").first()
    form = MakeHeadForm(request.POST or None, old_head=old_head)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_set_head(actor=request.user, household=household, member=member,
                                        old_head_relation=form.cleaned_data.get("old_head_relation") or "")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("户主已更换为 %(name)s") % {"name": member.name})
            return redirect(reverse("household_detail", args=[household.pk]) + "#members")
    return render(request, "web/simple_form.html", {
        "form": form, "h": household, "submit": _("确认更换"),
        "title": _("更换户主：%(name)s") % {"name": member.name},
        "note": _("原户主（%(old)s）将改为下面选择的关系；户主姓名随之更新，变更记入审计日志。")
        % {"old": old_head.name if old_head else "—"},
    })


@login_required
def yearly_edit(request, pk: int, year: int | None = None):
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    record = household.yearly_records.filter(year=year).first() if year else None
    if year and record is None:
        raise Http404
    initial = {"year": timezone.localdate().year, "member_count": household.member_count} if not record else {}
    form = YearlyRecordForm(request.POST or None, instance=record, initial=initial)
    if record:
        form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        the_year = data.pop("year") if not record else record.year
        data.pop("year", None)
        if not record and household.yearly_records.filter(year=the_year).exists():
            form.add_error("year", _("%(y)d 年度已有记录，请在列表中点“修改”") % {"y": the_year})
        else:
            try:
                services.yearly_record_save(actor=request.user, household=household, year=the_year, data=data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(y)d 年度收入") % {"y": the_year})
                return redirect(reverse("household_detail", args=[household.pk]) + "#income")
    return render(request, "web/simple_form.html", {
        "form": form, "h": household, "submit": _("保存"),
        "title": _("%(y)s年度收入与保障") % {"y": record.year if record else _("新增")},
        "note": _("家庭纯收入与人均纯收入由系统按“各项收入 − 生产经营性支出”和“当年计算人口”自动计算，无需填写。"),
    })


@login_required
def status_change(request, pk: int):
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    form = StatusChangeForm(request.POST or None, household=household, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.household_change_status(actor=request.user, household=household, to_status=cd["to_status"],
                                             reason=cd["reason"], date=cd["date"],
                                             cancel_reason=cd["cancel_reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("户状态已变更为“%(s)s”") % {"s": Status(cd["to_status"]).label})
            return redirect(reverse("household_detail", args=[household.pk]) + "#history")
    return render(request, "web/simple_form.html", {
        "form": form, "h": household, "submit": _("确认变更"),
        "title": _("变更户状态（当前：%(s)s）") % {"s": household.get_status_display()},
        "note": _("识别、退出等正式程序上线后，状态应通过相应程序变更；此处用于更正和补录，每次变更都会记入状态历史与审计日志。"),
    })


# --- audit trail --------------------------------------------------------------------------------

@login_required
@require_GET
def audit_list(request):
    """审计日志: read-only, GET only; there is no way to change or delete an event from the UI."""
    if not capabilities.can_read_audit(request.user):
        raise PermissionDenied(_("您的角色不能查看审计日志"))
    form = AuditFilterForm(request.GET or None)
    filters = audit_selectors.AuditFilters()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        filters = audit_selectors.AuditFilters(
            actor=cd["actor"].strip(), kind=cd["kind"], entity=cd["entity"], entity_id=cd["entity_id"].strip(),
            date_from=cd["date_from"], date_to=cd["date_to"], q=cd["q"].strip())
    qs = audit_selectors.audit_list(user=request.user, filters=filters)
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    events = audit_display.decorate(page.object_list, request.user)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/audit_list.html", {"form": form, "page": page, "events": events,
                                                   "query": params.urlencode()})
