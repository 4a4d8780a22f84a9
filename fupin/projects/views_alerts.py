"""项目资金预警 (issue 16 item 4, namespace ``project_alerts``): /projects/alerts/?area=CODE — the six alerts of
fupin.projects.alerts counted per child area (each count a link to the items of that alert in that child
area), and with ``&alert=KEY`` the items themselves with their owner and deadline. Everyone who sees an area
sees its alerts, over what they see (the scoped selectors): a 行业部门 the projects its department leads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from fupin.accounts import policy
from fupin.areas import selectors as area_selectors
from fupin.web.views import no_scope

from . import alerts

#: Items listed on the page at most (the counts are whole).
LIST_LIMIT = 500


def alert_url(area_code: str, key: str | None = None) -> str:
    params = {"area": area_code, **({"alert": key} if key else {})}
    return reverse("project_alerts:page") + "?" + urlencode(params)


@login_required
@require_safe
def alerts_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    root = area_selectors.area_root(user=user)
    if root is None or policy.scoped_by_households(user) and not policy.acts_for(user, "department"):
        return no_scope(request)
    code = request.GET.get("area")
    area = area_selectors.area_get(user=user, code=code) if code else root
    key = request.GET.get("alert", "")
    key = key if key in alerts.FINDERS else ""
    today = timezone.localdate()
    found = alerts.report(user=user, area=area, today=today)
    children = list(area_selectors.area_children(user=user, area=area)) if area.level != "village" else []
    by_child = alerts.counts(found, [c.path for c in children])
    lines = [{"area": c, "cells": [{"n": by_child.get(c.path, {}).get(a.key, 0), "url": alert_url(c.code, a.key)}
                                   for a in alerts.ALERTS]} for c in children]
    own = [{"n": by_child.get(None, {}).get(a.key, 0), "url": alert_url(area.code, a.key)} for a in alerts.ALERTS]
    totals = [{"alert": a, "n": len(found[a.key]), "url": alert_url(area.code, a.key),
               "amount": sum((i.amount or 0 for i in found[a.key]), 0), "active": a.key == key} for a in alerts.ALERTS]
    items = found[key][:LIST_LIMIT] if key else []
    up = area.parent if area.parent_id and policy.visible_areas(user).filter(pk=area.parent_id).exists() else None
    return render(request, "projects/alerts/page.html", {
        "area": area, "up": up, "today": today, "lines": lines, "own": own if any(c["n"] for c in own) else None,
        "totals": totals, "key": key, "alert": alerts.BY_KEY.get(key), "items": items,
        "more": len(found[key]) - len(items) if key else 0})
