"""``{% case_panel h %}``: the "识别与退出" panel of a household's page (fupin.identification.views
.household_panel), so that the registry's template shows it without the registry importing this app."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("identification/_case_household_panel.html", takes_context=True)
def case_panel(context: template.Context, household: Any) -> dict[str, Any]:
    from fupin.identification.views import household_panel

    request = context.get("request")
    return {**household_panel(request.user, household), "request": request,
            "csrf_token": context.get("csrf_token")}
