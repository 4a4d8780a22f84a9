"""公告公示 pages (issue 16 item 5, namespace ``disclosures``): the list of an area's notices (running, ended,
withdrawn), publishing one for a project, a fund document or a subsidy batch, a notice's page with its A4
PDF, withdrawing it. Reads through selectors.disclosures_for (outside the scope: 404); writes through
services_disclosures (check_action "disclose" on the board's area)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fupin.accounts import policy
from fupin.areas import selectors as area_selectors
from fupin.areas.models import Area
from fupin.web.forms import StyledMixin, apply_errors
from fupin.web.views import no_scope

from . import selectors
from . import services_disclosures as svc
from .models import Disclosure, DisclosureKind
from .services_assets import ACCEPTED_STAGES
from .thresholds_pub16 import threshold

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PublishForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=DisclosureKind.choices)
    area = forms.ChoiceField(label=gettext_lazy("发布区划（公示栏）"))
    place = forms.CharField(label=gettext_lazy("公示地点"), max_length=200,
                            help_text=gettext_lazy("县级及以上在政府网站，乡村在公示栏"))
    starts_on = forms.DateField(label=gettext_lazy("公示开始"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("公示结束"), widget=DATE)
    hotline = forms.CharField(label=gettext_lazy("监督举报电话"), max_length=30)

    def __init__(self, *args: Any, areas: list[Area], kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.full_name() or a.name) for a in areas]
        self.fields["kind"].choices = [(k, DisclosureKind(k).label) for k in kinds]


def _subject(request: HttpRequest) -> dict[str, Any]:
    """The project, document or batch a notice is about (?project= / ?document= / ?batch=), in scope."""
    user = request.user
    for key, qs in (("batch", selectors.batches_for(user)), ("project", selectors.projects_for(user)),
                    ("document", selectors.documents_for(user))):
        raw = request.GET.get(key) or request.POST.get(key)
        if raw:
            try:
                obj = qs.get(pk=int(raw))
            except (ValueError, qs.model.DoesNotExist):
                raise Http404 from None
            return {key: obj}
    raise Http404


def _boards(user: Any, path: str) -> list[Area]:
    """The boards a notice about something at ``path`` may hang on: its area and those above, in the user's
    subtree (a county office publishes on the county's website or a village's board)."""
    scope = policy.scope_path(user)
    if scope is None:
        return []
    prefixes = [path[:n] for n in (6, 9, 12) if n <= len(path)]
    areas = Area.objects.filter(path__in=prefixes, path__startswith=scope).order_by("path")
    return list(areas)


@login_required
@require_safe
def disclosure_list(request: HttpRequest) -> HttpResponse:
    root = area_selectors.area_root(user=request.user)
    if root is None:
        return no_scope(request)
    code = request.GET.get("area")
    area = area_selectors.area_get(user=request.user, code=code) if code else root
    today = timezone.localdate()
    qs = selectors.disclosures_for(request.user).filter(area_path__startswith=area.path).select_related(
        "area", "project")
    kind = request.GET.get("kind", "")
    if kind in DisclosureKind.values:
        qs = qs.filter(kind=kind)
    state = request.GET.get("state", "")
    if state == "running":
        qs = qs.filter(withdrawn=False, starts_on__lte=today, ends_on__gte=today)
    elif state == "ended":
        qs = qs.filter(withdrawn=False, ends_on__lt=today)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn=True)
    page = Paginator(qs.order_by("-starts_on", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "projects/disclosures/list.html", {
        "area": area, "children": area_selectors.area_children(user=request.user, area=area), "page": page,
        "kinds": DisclosureKind.choices, "kind": kind, "state": state, "today": today,
        "notice_days": threshold("notice_days", area),
        "up": area.parent if area.parent_id and policy.visible_areas(request.user).filter(pk=area.parent_id).exists()
        else None})


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "disclose", _("您的角色不能发布公告公示"))
    subject = _subject(request)
    (key, obj), = subject.items()
    path = obj.area_path
    kinds = ([DisclosureKind.ALLOCATION] if key == "document" else
             [DisclosureKind.BENEFICIARIES] if key == "batch" else
             [DisclosureKind.PLAN, DisclosureKind.ALLOCATION, DisclosureKind.COMPLETION, DisclosureKind.BENEFICIARIES])
    areas = _boards(request.user, path)
    today = timezone.localdate()
    days = threshold("notice_days", areas[-1]) if areas else 10
    # the kind offered first: asked for, else the one the project's stage waits for (an accepted project its
    # 项目竣工公告, for 公告公示完成), else the first
    first = DisclosureKind.COMPLETION if key == "project" and obj.stage in ACCEPTED_STAGES else kinds[0]
    initial = {"starts_on": today, "ends_on": today + datetime.timedelta(days=days - 1),
               "area": areas[-1].code if areas else "", "kind": request.GET.get("kind", first)}
    form = PublishForm(request.POST or None, areas=areas, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(a for a in areas if a.code == data["area"])
        try:
            disclosure = svc.publish(actor=request.user, kind=data["kind"], area=area, place=data["place"],
                                     starts_on=data["starts_on"], ends_on=data["ends_on"], hotline=data["hotline"],
                                     **subject)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("disclosures:detail", disclosure.pk)
    return render(request, "projects/disclosures/form.html", {
        "form": form, "subject": obj, "subject_key": key, "notice_days": days,
        "status": 400 if request.method == "POST" else 200}, status=400 if request.method == "POST" else 200)


def _get(request: HttpRequest, pk: int) -> Disclosure:
    return get_object_or_404(selectors.disclosures_for(request.user).select_related("area", "project", "published_by"),
                             pk=pk)


@login_required
@require_safe
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = _get(request, pk)
    today = timezone.localdate()
    return render(request, "projects/disclosures/detail.html", {
        "d": d, "c": svc.for_display(d.content), "today": today, "running": not d.withdrawn and d.starts_on <= today <= d.ends_on,
        "may_withdraw": not d.withdrawn and policy.can(request.user, "disclose")
        and policy.in_write_scope(request.user, d.area)})


@login_required
@require_safe
def disclosure_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    d = _get(request, pk)
    response = HttpResponse(svc.disclosure_pdf(d), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{d.title}.pdf")
    return response


@login_required
@require_POST
def disclosure_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    d = _get(request, pk)
    if not policy.can(request.user, "disclose"):
        raise PermissionDenied
    try:
        svc.withdraw(actor=request.user, disclosure=d, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        today = timezone.localdate()
        return render(request, "projects/disclosures/detail.html", {
            "d": d, "c": svc.for_display(d.content), "today": today, "running": False, "may_withdraw": True,
            "withdraw_errors": exc.messages}, status=400)
    return redirect("disclosures:detail", d.pk)
