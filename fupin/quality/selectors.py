"""Reads of the data-quality findings, scoped to the households the user may see.

Scope and the health question go through fupin.accounts.policy (``household_q``, ``sees``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from fupin.accounts import policy
from fupin.areas.models import Area
from fupin.registry.models import Household

from .models import Finding
from .rules import HEALTH_RULES, RULES, Rule

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

OPEN, RESOLVED, ALL = "open", "resolved", "all"


def _scoped(user: User | AnonymousUser) -> QuerySet[Finding]:
    qs = Finding.objects.filter(policy.household_q(user, "household"))
    if not policy.sees(user, "health"):
        # "健康状况为残疾，但没有残疾证号" tells a member's disability: hidden like the health column.
        qs = qs.exclude(rule__in=HEALTH_RULES)
    return qs


def visible_rules(user: User | AnonymousUser) -> list[Rule]:
    """The rules whose findings the user may see (for the filter's drop-down)."""
    return [r for r in RULES.values() if policy.sees(user, "health") or not r.health]


def household_findings(*, user: User | AnonymousUser, household: Household) -> list[Finding]:
    """The open findings of one household, for its page (members loaded with them: one query)."""
    return list(_scoped(user).filter(household=household, resolved_at__isnull=True)
                .select_related("member").order_by("id"))


@dataclass
class FindingFilters:
    area: Area | None = None
    rule: str = ""
    category: str = ""
    state: str = OPEN
    source: str = ""  # Source: 数据导入 lists the import warnings


def _filtered(user: User | AnonymousUser, filters: FindingFilters, *, with_rule: bool = True) -> QuerySet[Finding]:
    qs = _scoped(user)
    if filters.area is not None:
        qs = qs.filter(area_path__subtree=filters.area.path)
    if filters.state == OPEN:
        qs = qs.filter(resolved_at__isnull=True)
    elif filters.state == RESOLVED:
        qs = qs.filter(resolved_at__isnull=False)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if with_rule and filters.rule:
        qs = qs.filter(rule=filters.rule)
    return qs


def finding_list(*, user: User | AnonymousUser, filters: FindingFilters) -> QuerySet[Finding]:
    # The page shows the household's number, head and area, the member's name and the resolver:
    # joined here, one query per page whatever its length.
    return (_filtered(user, filters)
            .select_related("household", "household__area", "household__area__parent", "member", "resolved_by")
            .order_by("area_path", "household__number", "id"))


@dataclass(frozen=True)
class RuleCount:
    code: str
    title: str
    category: str
    category_label: str
    count: int


def finding_counts(*, user: User | AnonymousUser, filters: FindingFilters) -> list[RuleCount]:
    """Findings per rule under the filters other than the rule itself, in REFERENCE §6's order;
    rules with none are left out."""
    from .models import Category

    rows = dict(_filtered(user, filters, with_rule=False).order_by().values_list("rule")
                .annotate(n=Count("id")).values_list("rule", "n"))
    out = []
    for code, r in RULES.items():
        if rows.get(code):
            out.append(RuleCount(code, str(r.title), r.category, str(Category(r.category).label), rows[code]))
    for code, n in rows.items():  # a rule retired since its findings were stored
        if code not in RULES and n:
            out.append(RuleCount(code, code, "", "", n))
    return out


def finding_get(*, user: User | AnonymousUser, pk: int) -> Finding:
    """One finding the user may see, or 404 (its existence is not revealed)."""
    finding = _scoped(user).filter(pk=pk).select_related("household", "member").first()
    if finding is None:
        raise Http404
    return finding



def open_count(*, user: User | AnonymousUser) -> int:
    """The open findings the user may see (the 待办 panel)."""
    return _scoped(user).filter(resolved_at__isnull=True).count()


@dataclass(frozen=True)
class AreaCount:
    area: Area
    households: int
    findings: int


def area_counts(*, user: User | AnonymousUser, filters: FindingFilters, root: Area) -> list[AreaCount]:
    """Per area one level below the chosen one (``filters.area``, else ``root``): the households with
    findings under the filters and the findings — one query; areas with none are left out. The areas
    are those the user may browse (registry's ``browse_areas``)."""
    parent = filters.area or root
    from fupin.registry.selectors import browse_areas

    children = list(browse_areas(user=user).filter(parent=parent).order_by("code"))
    if not children:
        return []
    width = len(children[0].path)
    rows = {row["prefix"]: row for row in _filtered(user, filters).order_by()
            .annotate(prefix=Substr("area_path", 1, width)).values("prefix")
            .annotate(findings=Count("id"), households=Count("household_id", distinct=True))}
    return [AreaCount(a, rows[a.path]["households"], rows[a.path]["findings"]) for a in children if a.path in rows]
