"""The registry's pages: the household list, a household's page, and the forms that register and
correct households, members and yearly records. Reads through fupin.registry.selectors, writes through
fupin.registry.services, decisions about who may do what through fupin.accounts.policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.audit import display as audit_display
from fupin.audit import selectors as audit_selectors
from fupin.audit.services import audit_reveal
from fupin.identification.views_exitcheck import exit_check_context
from fupin.quality import selectors as quality_selectors
from fupin.web.forms import apply_errors
from fupin.web.views import no_scope, parse_int

from . import counts, selectors, services
from .choices import Status
from .forms import (
    HouseholdCreateForm,
    HouseholdFilterForm,
    HouseholdForm,
    MakeHeadForm,
    MemberBriefForm,
    MemberBriefFormSet,
    MemberForm,
    MemberRemoveForm,
    StatusChangeForm,
    YearlyRecordForm,
)
from .selectors import HouseholdFilters

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from fupin.accounts.models import User
    from fupin.areas.models import Area

    from .models import Household


def require_write(request: HttpRequest) -> None:
    policy.require(request.user, "write", _("您的角色只能查看，不能修改数据"))


def _years(user: User | AnonymousUser) -> list[int]:
    """Years offered in the identification/exit drop-downs: from the earliest year in the register
    (建档立卡 began in 2014) to this year. Read for the whole register and cached: a scoped MIN/MAX
    costs a scan of the user's subtree on every page (150 ms at province scale), and the range
    says nothing about any household."""
    def bounds() -> tuple[int, int]:
        return selectors.register_year_range()

    lo, hi = cache.get_or_set("fupin:register-years", bounds, 600)
    hi = max(hi, timezone.localdate().year)
    return list(range(hi, lo - 1, -1))


def household_filters_from_request(
    request: HttpRequest, data: QueryDict | None = None,
) -> tuple[HouseholdFilters, HouseholdFilterForm, Area] | tuple[None, None, None]:
    """The household list's filters from the query string (or from ``data``: the fields the 导出 Excel
    form posts): (filters, form, root), or Nones when the user has nothing to browse. Shared by the
    list page and its Excel export (fupin.sheets)."""
    user = request.user
    source = request.GET if data is None else data
    root = selectors.browse_root(user=user)
    if root is None:
        return None, None, None
    scope = selectors.browse_areas(user=user)
    townships = list(scope.filter(level=Level.TOWNSHIP).order_by("code"))
    township_code = source.get("township", "")
    # A township cadre has one township: offer its villages straight away.
    village_prefix = township_code[:9] or (townships[0].code[:9] if len(townships) == 1 else None)
    villages = list(scope.filter(level=Level.VILLAGE, code__startswith=village_prefix).order_by("code")) \
        if village_prefix else ([] if townships else list(scope.filter(level=Level.VILLAGE).order_by("code")))
    data = source.copy()
    data.pop("csrfmiddlewaretoken", None)
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
    # A figure clicked on a dashboard (fupin.monitoring.figures): ?fig=KEY&on=DATE&area=CODE
    from fupin.monitoring.figures import list_filter

    picked = list_filter(source)
    if picked:
        filters.figure, filters.on = picked
        if filters.area is None and source.get("area"):
            filters.area = selectors.browse_area_get(user=user, code=source["area"])
    # Filters other apps registered (selectors.LIST_FILTERS; issue 15: ?gap=KEY&area=CODE)
    for name, extra in selectors.LIST_FILTERS.items():
        key = extra.parse(source)
        if key:
            filters.extra[name] = key
            if filters.area is None and source.get("area"):
                filters.area = selectors.browse_area_get(user=user, code=source["area"])
    if source.get("selection"):  # 导出所选: the households ticked on the list (bulk.ticked_ids)
        from .bulk import ticked_ids

        filters.ids = ticked_ids(source)
    return filters, form, root


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters, form, root = household_filters_from_request(request)
    if root is None:
        return no_scope(request)
    qs = selectors.household_list(user=user, filters=filters)
    page = Paginator(qs, settings.FUPIN_PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.q:
        # Who each household was found by (a spouse's name, a child's ID number), shown under it.
        matches, how = selectors.search_matches(user=user, households=page.object_list, text=filters.q)
        for h in page.object_list:
            h.matched = [m for m in matches.get(h.pk, []) if how == "id_number" or not m.is_head]
            h.matched_by_id = how == "id_number"
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {
        "form": form, "page": page, "filters": filters, "root": root,
        "query": params.urlencode(), "sort_query": sort_params.urlencode(), "sort": filters.sort,
        # What 共 N 户 counts (fupin.registry.counts), and the 注销 households the default leaves out.
        "count_note": _extra_note(filters) if filters.extra else (
            counts.list_note(filters.status) if not filters.figure else _figure_note(filters)),
        "cancelled_left_out": selectors.cancelled_left_out(user=user, filters=filters),
        # A dashboard figure's people, counted as the dashboard counts them (the same number).
        "figure_people": _figure_people(filters, qs),
        "columns": [("number", _("户编号")), ("head", _("户主")), (None, _("所在村")), ("people", _("人口")),
                    (None, _("属性")), (None, _("主要致贫原因")), ("status", _("户状态")),
                    ("identified", _("识别年度")), ("exit", _("脱贫年度"))],
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "registry/_household_results.html", context)
    return render(request, "registry/household_list.html", context)


def _extra_note(filters: HouseholdFilters) -> str:
    area = f"{filters.area.name}：" if filters.area is not None else ""
    return area + "；".join(selectors.LIST_FILTERS[name].note(key) for name, key in filters.extra.items())


def _figure_people(filters: HouseholdFilters, qs: Any) -> int | None:
    if not filters.figure:
        return None
    from fupin.monitoring.figures import figure_people

    return figure_people(filters.figure, filters.on, qs)


def _figure_note(filters: HouseholdFilters) -> str:
    from fupin.monitoring.figures import list_note

    area = f"{filters.area.name}：" if filters.area is not None else ""
    return area + list_note(filters.figure, filters.on)


@login_required
def village_options(request: HttpRequest) -> HttpResponse:
    """The village drop-down for a township (htmx)."""
    code = request.GET.get("township", "")
    villages = []
    if code:
        township = selectors.browse_area_get(user=request.user, code=code)
        villages = list(selectors.browse_area_children(user=request.user, area=township))
    return render(request, "registry/_village_options.html", {"villages": villages})


def _household_page(request: HttpRequest, household: Household, *, revealed: bool = False) -> HttpResponse:
    user = request.user
    members = list(household.members.all())
    records = list(household.yearly_records.all())
    chart = {"years": [r.year for r in reversed(records)],
             "income": [float(r.per_capita_income) for r in reversed(records)],
             "line": [float(r.poverty_line) if r.poverty_line is not None else None for r in reversed(records)],
             "labels": {"income": _("人均纯收入"), "line": _("扶贫标准"), "yuan": _("元")}}
    today = timezone.localdate()
    history = None
    # The 修改记录 tab: for audit readers, and for writers, who are answerable for the household's data.
    if policy.can(user, "household_history"):
        # One query, whatever the number of members, records or events: the ids are already loaded.
        events = audit_selectors.household_history(user=user, household=household,
                                                   member_ids=[m.pk for m in members],
                                                   record_ids=[r.pk for r in records])[:HISTORY_LIMIT]
        history = audit_display.decorate(events, user,
                                         known=audit_display.household_names(household, members, records))
    return render(request, "registry/household_detail.html", {
        "h": household,
        "area_chain": household.area.ancestors(include_self=True),
        "active_members": [m for m in members if m.active],
        "removed_members": [m for m in members if not m.active],
        "records": records,
        "changes": list(household.status_changes.all()),
        "chart": chart,
        "today": today,
        "can_write": policy.can_write(user) and household.status != Status.CANCELLED,
        "sees_health": policy.sees(user, "health"),
        "can_reveal": policy.can_reveal(user),
        "revealed": revealed,
        "history": history,
        "history_limit": HISTORY_LIMIT,
        # The household's open 数据质量疑点 (REFERENCE §6), from the quality app's selector.
        "findings": quality_selectors.household_findings(user=user, household=household),
        "can_resolve": policy.can_write(user),
        "living": HouseholdForm(instance=household).grouped()[1:],
        # 退出核查 (REFERENCE §4): the household's check for its latest year, from the identification app.
        "exit_check": exit_check_context(household, members=members, records=records),
    })


#: Events shown in the household's 修改记录 tab; older ones are on the audit page.
HISTORY_LIMIT = 50


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    return _household_page(request, household)


@login_required
@require_POST
def household_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整信息: the household page once more, unmasked for this response only, and audited.

    Out of scope is a 404 (as everywhere); in scope but a role that may not reveal is a 403.
    """
    household = selectors.household_get(user=request.user, pk=pk)
    if not policy.can_reveal(request.user):
        raise PermissionDenied(_("您的角色不能查看完整信息"))
    audit_reveal(actor=request.user, household=household, fields=policy.revealed_fields(request.user))
    response = _household_page(request, household, revealed=True)
    # The unmasked page must not be kept by the browser or a proxy and shown again later.
    patch_cache_control(response, no_store=True, private=True)
    return response


def picker_context(request: HttpRequest, chosen: Area | None, *, number: str = "", proposed: str = "",
            form: HouseholdCreateForm | None = None) -> dict[str, Any]:
    """The context of the cascading area picker (registry/_area_picker.html): the drop-downs for
    ``chosen``, the 户编号 field, and the number proposed for the chosen place. The proposal fills the
    number when it is empty or still the one proposed before (a number typed by hand is kept)."""
    pick = selectors.area_pick(user=request.user, chosen=chosen)
    new_proposal = selectors.proposed_household_number(user=request.user, area=pick.area) if pick.area else None
    if new_proposal and (not number or number == proposed):
        number = new_proposal
    return {"pick": pick, "number": number, "proposed": new_proposal or "", "form": form,
            "search_limit": selectors.AREA_SEARCH_LIMIT}


def _chosen_area(request: HttpRequest, value: str | None) -> Area | None:
    """An area id from the picker or the form, looked up in the user's subtree (404 outside it)."""
    pk = parse_int(value)
    return selectors.writable_area_get(user=request.user, pk=pk) if pk else None


@login_required
def household_area_picker(request: HttpRequest) -> HttpResponse:
    """The picker again after a drop-down changed or a search hit was chosen (htmx): ``pick`` is the
    area chosen, ``up`` the area above the drop-down that was cleared."""
    require_write(request)
    get = request.GET
    chosen = _chosen_area(request, get.get("pick") or get.get("up"))
    return render(request, "registry/_area_picker.html",
                  picker_context(request, chosen, number=get.get("h-number", "").strip(), proposed=get.get("proposed", "")))


@login_required
def household_area_search(request: HttpRequest) -> HttpResponse:
    """村/组 whose name contains the text typed in the picker's search box (htmx)."""
    require_write(request)
    hits, more = selectors.area_search(user=request.user, text=request.GET.get("area_q", ""))
    return render(request, "registry/_area_hits.html", {"hits": hits, "more": more,
                                                        "q": request.GET.get("area_q", "").strip()})


@login_required
def household_member_row(request: HttpRequest) -> HttpResponse:
    """One more blank member on the registration form (htmx): the row and the formset's new count."""
    require_write(request)
    index = min(max(parse_int(request.GET.get("x-TOTAL_FORMS")) or 0, 0), MemberBriefFormSet.max_num)
    formset = MemberBriefFormSet(prefix="x")
    return render(request, "registry/_member_row.html", {"f": formset._construct_form(index), "index": index,
                                                         "total": index + 1, "oob": True})


def filled_rows(formset: MemberBriefFormSet) -> list[tuple[int, MemberBriefForm]]:
    """The further members' forms that hold something (blank rows are skipped), with their row index."""
    return [(i, f) for i, f in enumerate(formset.forms) if f.has_changed()]


def place_member_error(exc: ValidationError, form: HouseholdCreateForm, head: MemberForm,
                        more: list[tuple[int, MemberBriefForm]]) -> None:
    """A service error at the member it concerns (services.MemberError.index: 0 the head)."""
    index = getattr(exc, "index", None)
    target: forms.BaseForm = form
    if index == 0:
        target = head
    elif index is not None and 0 < index <= len(more):
        target = more[index - 1][1]
    if target is form and hasattr(exc, "error_dict"):
        member_fields = set(head.fields)
        for field, errs in exc.message_dict.items():
            (head if field in member_fields and field not in form.fields else form).add_error(
                field if field in form.fields or field in member_fields else None, errs)
        return
    apply_errors(target, exc)


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    """建档立卡登记: the place (cascading picker), the 户编号 proposed for it, the household, its head and
    any further members, written at once (services.household_create: all or nothing)."""
    require_write(request)
    areas = selectors.area_list_for_registration(user=request.user)
    post = request.POST or None
    form = HouseholdCreateForm(post, areas=areas, prefix="h")
    head = MemberForm(post, prefix="m", initial={"relation": "head"})
    more = MemberBriefFormSet(post, prefix="x")
    if request.method == "POST" and form.is_valid() & head.is_valid() & more.is_valid():
        data = dict(form.cleaned_data)
        area, number, status = data.pop("area"), data.pop("number"), data.pop("status")
        filled = filled_rows(more)
        members = [dict(head.cleaned_data), *[dict(f.cleaned_data) for _i, f in filled]]
        try:
            household = services.household_create(actor=request.user, area=area, number=number, status=status,
                                                   members=members, **data)
        except ValidationError as exc:
            place_member_error(exc, form, head, filled)
        else:
            messages.success(request, _("已登记贫困户 %(n)s（%(p)d 人）") % {"n": household.number, "p": len(members)})
            return redirect("household_detail", pk=household.pk)
    chosen = None
    if request.method == "POST":
        chosen = areas.filter(pk=parse_int(request.POST.get("h-area")) or 0).first()
    picker = picker_context(request, chosen, number=request.POST.get("h-number", "").strip(),
                     proposed=request.POST.get("proposed", ""), form=form)
    return render(request, "registry/household_form.html", {"form": form, "head": head, "more": more,
                                                            "title": _("登记新贫困户"), **picker})


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items()}
            services.household_update(actor=request.user, household=household, data=data,
                                      expected_version=parse_int(request.POST.get("version")))
        except services.StaleVersion:
            form.add_error(None, _("这户信息刚被其他人修改过，请刷新页面后重新填写"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "h": household,
                                                       "title": _("修改贫困户信息")})


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(request)
    member = selectors.member_get(user=request.user, pk=pk)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, data=dict(form.cleaned_data),
                                   expected_version=parse_int(request.POST.get("version")))
        except services.StaleVersion:
            form.add_error(None, _("该成员信息刚被其他人修改过，请刷新页面后重新填写"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存成员 %(name)s") % {"name": form.cleaned_data["name"]})
            return redirect("household_detail", pk=member.household_id)
    return render(request, "registry/member_form.html", {"form": form, "h": member.household, "member": member,
                                                    "title": _("修改家庭成员")})


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
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
    return render(request, "registry/member_form.html", {"form": form, "h": household, "title": _("增加家庭成员")})


@login_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
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
def member_make_head(request: HttpRequest, pk: int) -> HttpResponse:
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
def yearly_edit(request: HttpRequest, pk: int, year: int | None = None) -> HttpResponse:
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
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    require_write(request)
    household = selectors.household_get(user=request.user, pk=pk)
    form = StatusChangeForm(request.POST or None, household=household, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.household_change_status(actor=request.user, household=household, to_status=cd["to_status"],
                                             reason=cd["reason"], date=cd["date"], procedure=cd["procedure"],
                                             cancel_reason=cd["cancel_reason"], expected_version=cd["version"])
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
