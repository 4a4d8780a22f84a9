"""Pages of 贫困村退出 and 贫困县摘帽 (issue 13 item 6): 贫困发生率 per village, township and county with
the thresholds and what blocks each village (/incidence/), a village's yearly indicators, the township's
application for a village's exit, and the village exit case with its steps and notices.

Who: the page is for the roles that see 贫困发生率 (policy capability ``incidence``; 领导 and 审计 read
it); the indicators are recorded by the township (``villages.INDICATORS_CAPABILITY``); the application
and each step by the role the case tables name (fupin.identification.rules). Areas and cases outside the
user's subtree are 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.areas.models import Area, Level
from fupin.areas.selectors import designations_for
from fupin.registry import selectors as registry_selectors
from fupin.web.forms import StyledMixin, apply_errors
from fupin.web.views import no_scope, parse_int

from . import rules, selectors, services, villages
from .models import CaseKind, NoticeEntry, NoticeKind
from .models_villages import ExitLevel, VillageIndicators

FIRST_YEAR = 2014


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _year(request: HttpRequest) -> int:
    year = parse_int(request.GET.get("year") or request.POST.get("year"))
    return year if year in _years() else timezone.localdate().year


def _require_incidence(request: HttpRequest) -> None:
    if not policy.sees_incidence(request.user):
        raise PermissionDenied(_("您的角色不能查看贫困发生率"))


def _village(request: HttpRequest, code: str) -> Area:
    area = registry_selectors.browse_area_get(user=request.user, code=code)
    if area.level != Level.VILLAGE:
        raise Http404
    return area


# --- /incidence/ --------------------------------------------------------------------------------------


def _root(request: HttpRequest) -> Area | None:
    """The county the page shows (or the user's township or village): ?area= inside the scope, else the
    user's own area; above county level, the first county of the scope."""
    root = registry_selectors.browse_root(user=request.user)
    if root is None:
        return None
    code = request.GET.get("area")
    if code:
        root = registry_selectors.browse_area_get(user=request.user, code=code)
        if root.level == Level.GROUP:
            root = root.parent
    if root.level in (Level.PROVINCE, Level.CITY):
        return policy.visible_areas(request.user).filter(level=Level.COUNTY, path__subtree=root.path) \
            .order_by("path").first()
    return root


def _chart(townships: list[villages.AreaRow]) -> dict[str, Any]:
    rows = [v for t in townships for v in t.villages]
    thresholds = sorted({float(v.threshold.incidence) for v in rows if v.threshold})
    return {
        "names": [v.area.name for v in rows],
        "townships": [t.area.name for t in townships for _v in t.villages],
        "rates": [float(v.rate) if v.rate is not None else None for v in rows],
        "status": [v.status for v in rows],
        "threshold": thresholds[-1] if thresholds else None,
        "labels": {"rate": _("贫困发生率"), "threshold": _("退出标准 %(t)s%%") % {
            "t": f"{thresholds[-1]:g}" if thresholds else "—"}},
    }


@login_required
def incidence(request: HttpRequest) -> HttpResponse:
    _require_incidence(request)
    root = _root(request)
    if root is None:
        return no_scope(request)
    year = _year(request)
    live = villages.is_live(year)
    townships = villages.figures(root=root, year=year, user=request.user)
    county = None
    if root.level == Level.COUNTY:
        county = villages.county_figures(county=root, townships=townships, year=year)
    designations = designations_for([v.area.pk for t in townships for v in t.villages])
    may_apply = live and policy.can(request.user, rules.STEP_CAPABILITY[rules.PATHS[CaseKind.VILLAGE_EXIT][0]])
    for t in townships:
        for v in t.villages:
            v.designations = sorted({d.get_kind_display() for d in designations.get(v.area.pk, [])
                                     if d.year == year})
            v.may_apply = may_apply and v.status == "eligible" and policy.in_write_scope(request.user, v.area)
            v.may_edit = villages.may_edit_indicators(request.user, v.area)
    # The way back up from a township (or village) to the county, as far as the user's subtree goes.
    scope = policy.scope_path(request.user) or ""
    crumbs = [a for a in root.ancestors() if a.level in (Level.COUNTY, Level.TOWNSHIP) and a.path.startswith(scope)]
    counties = []
    if registry_selectors.browse_root(user=request.user).level in (Level.PROVINCE, Level.CITY):
        counties = list(policy.visible_areas(request.user).filter(level=Level.COUNTY).order_by("path"))
    return render(request, "identification/incidence.html", {
        "root": root, "year": year, "years": _years(), "live": live, "townships": townships, "county": county,
        "assessment": villages.assessment_rates(root, year) if county else None, "counties": counties,
        "chart": _chart(townships), "crumbs": crumbs,
    })


# --- the indicators -----------------------------------------------------------------------------------


class IndicatorsForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = VillageIndicators
        fields = [*villages.INDICATOR_FIELDS, "collective_income", "industry", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


@login_required
def indicators_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code)
    if not villages.may_edit_indicators(request.user, village):
        raise PermissionDenied(_("您的角色不能填报村级退出指标"))
    if year not in _years():
        raise Http404
    record = VillageIndicators.objects.filter(area=village, year=year).first()
    form = IndicatorsForm(request.POST or None, instance=record)
    threshold = villages.threshold_for(ExitLevel.VILLAGE, village, year)
    if threshold is not None and threshold.collective_income is not None:
        form.fields["collective_income"].help_text = _("退出标准：不低于 %(m)s 元（地方规定）") % {
            "m": villages.yuan(threshold.collective_income)}
    back = f"{reverse('incidence')}?area={village.parent.code}&year={year}"
    if request.method == "POST" and form.is_valid():
        try:
            villages.indicators_save(actor=request.user, village=village, year=year,
                                     data={name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(v)s” %(y)d 年村级退出指标") % {"v": village.name, "y": year})
            return redirect(back)
    return render(request, "identification/village_exit_indicators.html", {
        "village": village, "year": year, "form": form, "back": back})


# --- applying for a village's exit --------------------------------------------------------------------


class ApplyForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def village_exit_apply(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    first = rules.PATHS[CaseKind.VILLAGE_EXIT][0]
    if not rules.may_take(request.user, first):
        raise PermissionDenied(_("贫困村退出由乡镇申请"))
    year = timezone.localdate().year
    (township,) = villages.figures(root=village, year=year, user=request.user)
    row = township.villages[0]
    initial = {"reason": _("%(y)d 年贫困发生率 %(r)s，低于 %(t)s，村级退出指标均已达标") % {
        "y": year, "r": villages.pct(row.rate), "t": villages.pct(row.threshold.incidence if row.threshold else None)}}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, kind=CaseKind.VILLAGE_EXIT, village=village, year=year,
                                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交“%(v)s”的退出申请") % {"v": village.name})
            return redirect("village_exit_detail", case.pk)
    return render(request, "identification/village_exit_apply.html", {
        "village": village, "year": year, "row": row, "form": form,
        "back": f"{reverse('incidence')}?area={village.parent.code}"})


# --- the case -----------------------------------------------------------------------------------------


#: A date picker: the browser's needs the ISO form of the initial value.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StepForm(StyledMixin, forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("办理"))
    opinion = forms.CharField(label=gettext_lazy("意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    date = forms.DateField(label=gettext_lazy("日期"), widget=DATE)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices


class NoticeForm(StyledMixin, forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("公示开始"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("公示结束"), widget=DATE)
    hotline = forms.CharField(label=gettext_lazy("异议受理电话"), max_length=30)
    address = forms.CharField(label=gettext_lazy("异议受理地址"), max_length=100)


def _may(user: Any, case: Any, to: str) -> bool:
    """Whether the user's role may take ``case`` to ``to`` (the table's ``may`` of that transition)."""
    transition = rules.TABLES[case.kind].find(case.step, to)
    return transition is not None and (transition.may is None or policy.can(user, transition.may))


def _step_choices(user: Any, case: Any) -> list[tuple[str, str]]:
    return [(to, (_("退回到“%(s)s”") % {"s": rules.step_label(to)}) if rules.is_back(case.step, to)
             else rules.step_label(to)) for to in rules.next_steps(case) if _may(user, case, to)]


def _notice_area(case: Any, kind: str) -> Area:
    """Where a village-exit notice hangs: the village's township, or its county."""
    level = rules.NOTICE_LEVEL[kind]
    return next(a for a in case.area.ancestors() if a.level == level)


@login_required
def village_exit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if case.kind != CaseKind.VILLAGE_EXIT:
        raise Http404
    today = timezone.localdate()
    writes = policy.in_write_scope(request.user, case.area)
    choices = _step_choices(request.user, case) if writes else []
    notice_kind = rules.NOTICE_BEFORE_LEAVING.get(case.step)
    entries = list(NoticeEntry.objects.filter(case=case).select_related("notice").order_by("notice__starts_on"))
    live_notice = any(e.notice.kind == notice_kind and not e.struck and not e.notice.withdrawn for e in entries)
    may_publish = bool(notice_kind and not live_notice and policy.can(request.user, rules.NOTICE_CAPABILITY[notice_kind])
                       and policy.in_write_scope(request.user, _notice_area(case, notice_kind)))
    step_form = StepForm(choices=choices, initial={"date": today})
    notice_form = NoticeForm(initial={"starts_on": today, "ends_on": today + datetime.timedelta(
        days=rules.notice_min_days() - 1), "address": _("%(a)s人民政府") % {"a": case.area.parent.name}})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "step":
            if not choices:
                raise PermissionDenied(_("您不能办理该案件的下一环节"))
            step_form = StepForm(request.POST, choices=choices)
            if step_form.is_valid():
                data = step_form.cleaned_data
                try:
                    services.case_step(actor=request.user, case=case, to=data["to"], opinion=data["opinion"],
                                       date=data["date"], expected_version=parse_int(request.POST.get("version")))
                except ValidationError as exc:
                    apply_errors(step_form, exc)
                else:
                    messages.success(request, _("已办理：%(s)s") % {"s": rules.step_label(data["to"])})
                    return redirect("village_exit_detail", case.pk)
        elif action == "notice":
            if not may_publish:
                raise PermissionDenied(_("您不能发布该公示"))
            notice_form = NoticeForm(request.POST)
            if notice_form.is_valid():
                try:
                    services.notice_publish(actor=request.user, kind=notice_kind, area=_notice_area(case, notice_kind),
                                            cases=[case], year=case.year, **notice_form.cleaned_data)
                except ValidationError as exc:
                    apply_errors(notice_form, exc)
                else:
                    messages.success(request, _("已发布%(n)s") % {"n": NoticeKind(notice_kind).label})
                    return redirect("village_exit_detail", case.pk)
        else:
            raise Http404
    (township,) = villages.figures(root=case.area, year=case.year, user=request.user, live=True)
    return render(request, "identification/village_exit_detail.html", {
        "case": case, "events": case.events.select_related("actor").order_by("created_at", "id"),
        "entries": entries, "row": township.villages[0], "step_form": step_form if choices else None,
        "notice_form": notice_form if may_publish else None,
        "notice_label": NoticeKind(notice_kind).label if notice_kind else "",
        "blocker": services.notice_blocker(case, case.step) if notice_kind else None,
        "path": [(s, rules.step_label(s)) for s in rules.PATHS[CaseKind.VILLAGE_EXIT]],
        "marks": _marks(township.villages[0].indicators),
    })


def _marks(record: VillageIndicators | None) -> list[tuple[str, bool]]:
    """Each indicator by its name (通硬化路 …) and whether it is met, for the case page."""
    if record is None:
        return []
    return [(str(VillageIndicators._meta.get_field(name).verbose_name), getattr(record, name))
            for name in villages.INDICATOR_FIELDS]
