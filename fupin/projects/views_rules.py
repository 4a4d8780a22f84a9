"""规则与阈值 (/projects/rules/, namespace "projects"): the thresholds of issue 16 (rules.RULE_DEFAULTS as
ProjectRule rows) for one area — each with its meaning, unit, default, the value in force (read by
thresholds_pub16.standing, the same reader as the alerts and the disclosures) and who set it when — an
edit form per rule and the history of changes. Capability ``project_rules`` (else 403); which areas a user
may open and set is the policy's (``rule_areas_q``: a county office its own county, a 系统管理员 any area of
their subtree or 全国); another area → 404. Writes: services_rules (atomic, audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.audit.models import AuditEvent

from . import services_rules
from .rules import RULE_DEFAULTS, RULE_LABELS, RULE_MEANINGS, RULE_RANGES, RULE_UNITS
from .thresholds_pub16 import standing

#: The levels a 系统管理员 may choose on the page (a rule of a village would be unusual: not offered).
CHOOSABLE_LEVELS = ("province", "city", "county", "township")
HISTORY = 50


def _require(request: HttpRequest) -> None:
    policy.require(request.user, "project_rules", _("您的角色不能查看或修改项目资金规则"))


def _choices(user: Any) -> tuple[bool, list[Area]]:
    """(whether 全国 may be chosen, the areas that may be chosen)."""
    allowed = policy.rule_areas_q(user)
    if allowed is None:
        return True, list(Area.objects.filter(level__in=CHOOSABLE_LEVELS).order_by("code")[:2000])
    return False, list(Area.objects.filter(allowed).filter(level__in=CHOOSABLE_LEVELS).order_by("code")[:2000])


def _area(user: Any, code: str) -> Area | None:
    """The area the page is about: ``code`` if the user may set it (else 404); without a code the user's own
    area (a county office), 全国 for an administrator who may set it, else their first choosable area."""
    allowed = policy.rule_areas_q(user)
    if code:
        qs = Area.objects.filter(code=code)
        if allowed is not None:
            qs = qs.filter(allowed)
        area = qs.first()
        if area is None:
            raise Http404
        return area
    if allowed is None:
        return None
    own = getattr(user, "area", None)
    if own is not None and Area.objects.filter(allowed, pk=own.pk).exists():
        return own
    area = Area.objects.filter(allowed).order_by("path").first()
    if area is None:
        raise Http404
    return area


def _rows(area: Area | None, errors: dict[str, str], typed: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for s in standing(area):
        low, high = RULE_RANGES[s.key]
        source = s.source
        if source is None:
            origin = _("系统默认值")
        elif source.area_id is None:
            origin = _("全国设置")
        elif area is not None and source.area_id == area.pk:
            origin = _("本级设置")
        else:
            origin = _("沿用%(a)s的设置") % {"a": source.area.name}
        rows.append({"key": s.key, "label": RULE_LABELS[s.key], "meaning": RULE_MEANINGS[s.key],
                     "unit": RULE_UNITS[s.key], "default": s.default, "everywhere": s.everywhere, "value": s.value,
                     "origin": origin, "source": source, "own": s.own, "low": low, "high": high,
                     "error": errors.get(s.key, ""), "typed": typed.get(s.key, "")})
    return rows


def _history(user: Any, area: Area | None) -> list[AuditEvent]:
    """The changes of the thresholds under the page's area (all of them at 全国), newest first."""
    qs = AuditEvent.objects.filter(entity="projects.projectrule").select_related("actor")
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    allowed = policy.rule_areas_q(user)
    if allowed is not None:
        paths = list(Area.objects.filter(allowed).values_list("path", flat=True))
        qs = qs.filter(area_path__in=paths) if paths else qs.none()
    return list(qs.order_by("-at", "-pk")[:HISTORY])


def _render(request: HttpRequest, area: Area | None, *, errors: dict[str, str] | None = None,
            typed: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    everywhere, areas = _choices(request.user)
    return render(request, "projects/rules/page.html", {
        "SECTION": "projects", "section": "rules", "area": area, "area_code": area.code if area else "",
        "area_label": services_rules.area_name(area), "may_everywhere": everywhere, "areas": areas,
        "rows": _rows(area, errors or {}, typed or {}), "history": _history(request.user, area),
    }, status=status)


@login_required
@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _render(request, _area(request.user, request.GET.get("area", "").strip()))


@login_required
@require_POST
def rule_set(request: HttpRequest, key: str) -> HttpResponse:
    """Save (``value``) or clear (``clear``) one rule of the area posted (``area``: a code, empty for 全国)."""
    _require(request)
    if key not in RULE_DEFAULTS:
        raise Http404
    code = request.POST.get("area", "").strip()
    area = _area(request.user, code)
    if code == "" and area is not None:
        raise Http404  # 全国 asked by a user who may not set it
    try:
        if "clear" in request.POST:
            now = services_rules.rule_clear(actor=request.user, key=key, area=area)
            messages.success(request, _("已取消%(a)s“%(f)s”的本级设置，现行值 %(v)s 天") % {
                "a": services_rules.area_name(area), "f": RULE_LABELS[key], "v": now})
        else:
            row = services_rules.rule_set(actor=request.user, key=key, area=area, value=request.POST.get("value", ""))
            messages.success(request, _("已保存：%(a)s“%(f)s”为 %(v)s 天") % {
                "a": services_rules.area_name(area), "f": RULE_LABELS[key], "v": row.value})
    except ValidationError as exc:
        text = "；".join(m for msgs in exc.message_dict.values() for m in msgs) if hasattr(exc, "error_dict") \
            else "；".join(exc.messages)
        return _render(request, area, errors={key: text}, typed={key: request.POST.get("value", "")}, status=400)
    url = reverse("projects:rules") + (f"?area={area.code}" if area is not None else "")
    return redirect(f"{url}#rule-{key}")
