"""``{% funds_panel h %}``: the 项目资金 tab of a household's page (money16) — the projects the household
benefits from and every subsidy that reached its account (一卡通), with asset income shares; read through
fupin.projects.selectors.household_projects (scoped like the rest of the page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Exists, OuterRef

register = template.Library()


@register.inclusion_tag("projects/funds/_household_panel.html", takes_context=True)
def funds_panel(context: template.Context, household: Any) -> dict[str, Any]:
    from fupin.accounts import policy
    from fupin.lib.money import ZERO
    from fupin.projects.models import IncomeShare
    from fupin.projects.rules import BatchStatus
    from fupin.projects.selectors import (
        assets_for,
        batches_for,
        documents_for,
        household_projects,
        projects_for,
    )

    request = context.get("request")
    user = getattr(request, "user", None)
    found = household_projects(user, household.pk)
    projects, lines = list(found["projects"]), list(found["lines"])
    for line in lines:
        line.account_shown = policy.shown(user, "bank_account", line.bank_account)
    # asset income reaches the beneficiaries of projects: no query for a household without any
    # (each share knows, in the same query, whether the user may open its asset's page: ``asset_open``)
    shares = list(IncomeShare.objects.filter(household_id=household.pk).select_related("income__asset")
                  .annotate(asset_open=Exists(assets_for(user).filter(pk=OuterRef("income__asset_id"))))
                  .order_by("-income__year", "-income__received_on")) if projects or lines else []
    # the trail back (batch → payment → allocation → document, the project's page, a share's asset) is linked only where
    # the user may follow it: a household-scoped role (驻村干部, 银行) sees the tab, not the ledger
    follow = {
        "projects": set(projects_for(user).filter(pk__in={p.pk for p in projects} | {ln.batch.project_id for ln in lines})
                        .values_list("pk", flat=True)) if projects or lines else set(),
        "batches": set(batches_for(user).filter(pk__in={ln.batch_id for ln in lines}).values_list("pk", flat=True))
        if lines else set(),
        "documents": set(documents_for(user).filter(pk__in={ln.batch.allocation.document_id for ln in lines})
                         .values_list("pk", flat=True)) if lines else set(),
    }
    paid = sum((ln.amount for ln in lines if ln.batch.status == BatchStatus.PAID), ZERO)
    return {"projects": projects, "lines": lines, "paid": paid, "shares": shares,
            "shares_total": sum((s.amount for s in shares), ZERO), "request": request, "follow": follow}
