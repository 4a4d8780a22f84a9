"""``{% visit_panel h %}``: the 帮扶走访 section of a household's page (the latest visits, the way to log
one), so that the registry's template shows it without the registry importing this app."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from fupin.accounts import policy

register = template.Library()

#: Visits shown on the household's page (the rest on its visits page).
PANEL_VISITS = 5


@register.inclusion_tag("assistance/_visit_panel.html", takes_context=True)
def visit_panel(context: template.Context, household: Any) -> dict[str, Any]:
    from fupin.assistance import rules
    from fupin.assistance.models import RuleKey
    from fupin.assistance.selectors_visits import household_visits

    request = context.get("request")
    visits = household_visits(household=household)
    latest = list(visits[:PANEL_VISITS])
    # One query for a household never visited; the count, the interval and the photos only when needed.
    count = len(latest) if len(latest) < PANEL_VISITS else visits.count()
    last = latest[0].on if latest else None
    interval = rules.threshold(RuleKey.VISIT_INTERVAL_DAYS, household.area) if last else None
    days = (timezone.localdate() - last).days if last else None
    return {"household": household, "visits": latest, "count": count, "last": last, "days": days,
            "interval": interval, "due": days is not None and days >= interval, "user": request.user,
            "can_log": policy.can(request.user, "log_visit"), "request": request}
