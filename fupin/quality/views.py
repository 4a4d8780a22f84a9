"""数据质量疑点: the per-area list and marking one resolved."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.registry import selectors as registry_selectors

from . import display, selectors, services
from .forms import FindingFilterForm, ResolveForm
from .selectors import FindingFilters


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    root = registry_selectors.browse_root(user=user)
    if root is None:
        return render(request, "web/no_scope.html",
                      {"by_households": registry_selectors.scoped_by_households(user)})
    areas = list(registry_selectors.browse_areas(user=user)
                 .filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]).order_by("path"))
    form = FindingFilterForm(request.GET or None, areas=areas, rules=selectors.visible_rules(user))
    filters = FindingFilters()
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        if cd["area"]:
            filters.area = registry_selectors.browse_area_get(user=user, code=cd["area"])
        filters.rule, filters.category, filters.state = cd["rule"], cd["category"], cd["state"] or filters.state
        filters.source = cd["source"]
    page = Paginator(selectors.finding_list(user=user, filters=filters), settings.FUPIN_PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    for finding in page.object_list:
        finding.rule_title = display.rule_title(finding)
        finding.value_rows = display.value_rows(finding, user)
    counts = selectors.finding_counts(user=user, filters=filters)
    params = request.GET.copy()
    params.pop("page", None)
    rule_params = params.copy()
    rule_params.pop("rule", None)
    area_params = params.copy()
    area_params.pop("area", None)
    return render(request, "quality/finding_list.html", {
        "form": form, "page": page, "filters": filters, "root": root, "counts": counts,
        "area_counts": selectors.area_counts(user=user, filters=filters, root=root),
        "total": sum(c.count for c in counts), "query": params.urlencode(), "rule_query": rule_params.urlencode(),
        "area_query": area_params.urlencode(), "can_write": policy.can_write(user), "next": request.get_full_path(),
    })


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def finding_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """处理疑点: the cadre verified the values and fixed them, or explains why they are true."""
    finding = selectors.finding_get(user=request.user, pk=pk)
    if not policy.can_write(request.user):
        raise PermissionDenied(_("您的角色只能查看，不能处理疑点"))
    back = _next_url(request, reverse("household_detail", args=[finding.household_id]) + "#quality")
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_resolve(actor=request.user, finding=finding, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("note" if hasattr(exc, "error_dict") else None, message)
        else:
            messages.success(request, _("已处理疑点：%(m)s") % {"m": finding.message})
            return redirect(back)
    return render(request, "quality/resolve.html", {"finding": finding, "form": form, "h": finding.household,
                                                    "next": back, "rule_title": display.rule_title(finding),
                                                    "value_rows": display.value_rows(finding, request.user)})
