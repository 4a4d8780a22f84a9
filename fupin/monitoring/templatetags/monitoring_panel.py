"""``{% monitoring_panel h %}``: the 防返贫监测 panel of a household's page (its monitoring episodes), and
``{% monitoring_object_of case as obj %}``: the monitoring object a case belongs to, for the case page — so that
the registry's and the identification app's templates show them without importing this app. Both read
through fupin.monitoring.selectors_objects (scoped like the rest of the page)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("monitoring/_household_panel.html", takes_context=True)
def monitoring_panel(context: template.Context, household: Any) -> dict[str, Any]:
    from fupin.monitoring import selectors_objects as selectors
    from fupin.monitoring.models import risk_labels

    request = context.get("request")
    episodes = selectors.household_episodes(request.user, household)
    for obj in episodes:
        obj.risk_text = risk_labels(obj.risk_types)
    return {"episodes": episodes, "request": request}


@register.simple_tag(takes_context=True)
def monitoring_object_of(context: template.Context, case: Any) -> Any:
    from fupin.monitoring import selectors_objects as selectors

    return selectors.object_of_case(context["request"].user, case)
