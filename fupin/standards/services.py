"""Writers and readers of rule sets (issue 13 item 2): create, revise (a used version is never changed:
a new version is made), resolve the one in force for a kind, year and area, and record a decision with
the version it used. Writes ask the policy (check_standards_write: ``manage_standards`` and the area in
the actor's subtree); reads are scoped by the pages (fupin.standards.selectors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.audit.services import audit_create, audit_update, snapshot
from fupin.registry import rules
from fupin.registry.models import Household

from . import engine
from .models import DEFAULT_MATCH, Decision, RuleKind, RuleSet


def ruleset_for(kind: str, year: int, area: Area | None) -> RuleSet | None:
    """The rule set in force: the most specific area on ``area``'s path (nearest first, national last)
    that has one for ``kind`` and ``year``, and of that area the latest version."""
    prefixes = rules.path_prefixes(area.path) if area is not None else []
    return (RuleSet.objects.filter(kind=kind, year=year)
            .filter(Q(area__isnull=True) | Q(area__path__in=prefixes))
            .annotate(depth=Coalesce(Length("area__path"), 0))
            .order_by("-depth", "-version").first())


def rulesets_within(kind: str, year: int, area: Area | None) -> list[RuleSet]:
    """Every rule set that decides for some household inside ``area``: the one in force at ``area``
    and the latest version of each deeper area's own, deepest first (one query)."""
    prefixes = rules.path_prefixes(area.path) if area is not None else []
    inside = Q(area__path__startswith=area.path) if area is not None else Q(area__isnull=False)
    candidates = (RuleSet.objects.filter(kind=kind, year=year)
                  .filter(Q(area__isnull=True) | Q(area__path__in=prefixes) | inside)
                  .select_related("area").order_by("area__path", "-version"))
    latest: dict[str, RuleSet] = {}
    for ruleset in candidates:
        latest.setdefault(ruleset.area.path if ruleset.area else "", ruleset)
    here = area.path if area is not None else ""
    above = [p for p in latest if here.startswith(p)]
    chosen = [latest[p] for p in latest if p.startswith(here) and p != here]
    if above:
        chosen.append(latest[max(above, key=len)])
    return sorted(chosen, key=lambda r: len(r.area.path) if r.area else 0, reverse=True)


def governed(kind: str, year: int, area: Area | None, households: QuerySet[Household] | None = None
             ) -> list[tuple[RuleSet, QuerySet[Household]]]:
    """Each rule set of rulesets_within() with the households (of ``households``, inside ``area``) it
    decides for: those under its own area and under no deeper rule set's — the same split as
    area_outcomes()' CASE, as separate querysets, so that each can be judged with its conditions in the
    WHERE clause (engine.holding)."""
    households = households if households is not None else Household.objects.all()
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    chosen = rulesets_within(kind, year, area)
    out: list[tuple[RuleSet, QuerySet[Household]]] = []
    for ruleset in chosen:
        own = ruleset.area.path if ruleset.area else ""
        qs = households.filter(area_path__startswith=own) if own else households
        for deeper in chosen:
            path = deeper.area.path if deeper.area else ""
            if len(path) > len(own) and path.startswith(own):
                qs = qs.exclude(area_path__startswith=path)
        out.append((ruleset, qs))
    return out


def area_outcomes(kind: str, year: int, area: Area | None, households: QuerySet[Household] | None = None,
                  lines: rules.PovertyLines | None = None) -> QuerySet[Household]:
    """The households inside ``area``, each judged by the rule set in force at its own area (a village's
    own rules before the county's), as one query: ``std_holds`` and ``std_ruleset`` (the rule set's id,
    None where no rule set applies — such a household does not hold). Three queries in all: the rule
    sets, the poverty lines (unless given), the households."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    households = households if households is not None else Household.objects.all()
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    holds: list[When] = []
    which: list[When] = []
    default_holds: Any = Value(False)
    default_which: Any = Value(None)
    for ruleset in rulesets_within(kind, year, area):
        prefix = f"r{ruleset.pk}"
        households = engine.annotate(households, conditions_of(ruleset), ruleset.match, year, lines, prefix=prefix)
        if ruleset.area is None:  # the national rule set: every household no area's own rules cover
            default_holds, default_which = F(f"{prefix}_holds"), Value(ruleset.pk)
            continue
        where = Q(area_path__startswith=ruleset.area.path)
        holds.append(When(where, then=F(f"{prefix}_holds")))
        which.append(When(where, then=Value(ruleset.pk)))
    return households.annotate(
        std_holds=Case(*holds, default=default_holds, output_field=BooleanField()),
        std_ruleset=Case(*which, default=default_which, output_field=IntegerField()))


def _next_version(kind: str, year: int, area: Area | None) -> int:
    latest = RuleSet.objects.filter(kind=kind, year=year, area=area).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


@transaction.atomic
def ruleset_create(*, actor: User | None, kind: str, year: int, area: Area | None, name: str,
                   conditions: list[dict[str, Any]], match: str | None = None, note: str = "") -> RuleSet:
    """A new rule set (version 1 for its kind, year and area, or the next version when one exists)."""
    policy.check_standards_write(actor, area)
    if kind not in RuleKind.values:
        raise ValidationError({"kind": _("未知的规则类别“%(k)s”") % {"k": kind}})
    ruleset = RuleSet(kind=kind, year=year, area=area, name=name, conditions=conditions,
                      match=match or DEFAULT_MATCH[RuleKind(kind)], note=note, created_by=actor,
                      version=_next_version(kind, year, area))
    ruleset.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            ruleset.save()
    except IntegrityError as exc:  # two people saved a version of the same rules at once
        raise ValidationError(_("规则集“%(n)s”%(y)d 年第 %(v)d 版刚被他人保存，请刷新后重试") % {
            "n": name, "y": year, "v": ruleset.version}) from exc
    audit_create(actor=actor, obj=ruleset, area_path=area.path if area else "",
                 summary=_("新建规则集“%(n)s”%(y)d 年第 %(v)d 版") % {"n": name, "y": year, "v": ruleset.version})
    return ruleset


@transaction.atomic
def ruleset_revise(*, actor: User | None, ruleset: RuleSet, conditions: list[dict[str, Any]],
                   match: str | None = None, note: str | None = None, name: str | None = None) -> RuleSet:
    """Change the conditions (and the name, match, note). A version no decision has used is changed in
    place; a used one stays as it was and the change becomes the next version (returned)."""
    policy.check_standards_write(actor, ruleset.area)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.used:
        return ruleset_create(actor=actor, kind=ruleset.kind, year=ruleset.year, area=ruleset.area,
                              name=name or ruleset.name, conditions=conditions, match=match or ruleset.match,
                              note=ruleset.note if note is None else note)
    before = snapshot(ruleset)
    ruleset.conditions = conditions
    ruleset.match = match or ruleset.match
    if note is not None:
        ruleset.note = note
    if name:
        ruleset.name = name
    ruleset.full_clean()
    ruleset.save()
    audit_update(actor=actor, obj=ruleset, before=before, after=snapshot(ruleset),
                 area_path=ruleset.area.path if ruleset.area else "",
                 summary=_("修改规则集“%(n)s”第 %(v)d 版") % {"n": ruleset.name, "v": ruleset.version})
    return ruleset


def conditions_of(ruleset: RuleSet) -> list[engine.Condition]:
    return engine.parse_conditions(ruleset.conditions, scoring=ruleset.scoring)


def evaluate_household(ruleset: RuleSet, household: Household, year: int,
                       lines: rules.PovertyLines | None = None) -> engine.Result:
    """The rule set for one household, each condition with its reason."""
    return engine.evaluate(conditions_of(ruleset), ruleset.match, engine.facts_for(household, year, lines))


def households_holding(ruleset: RuleSet, households: QuerySet[Household], year: int,
                       lines: rules.PovertyLines | None = None) -> QuerySet[Household]:
    """The households of ``households`` for which the rule set holds, as one query."""
    return engine.holding(households, conditions_of(ruleset), ruleset.match, year, lines)


def bulk_outcomes(ruleset: RuleSet, households: QuerySet[Household], year: int,
                  lines: rules.PovertyLines | None = None) -> dict[int, tuple[bool, tuple[bool, ...]]]:
    return engine.outcomes_by_household(households, conditions_of(ruleset), ruleset.match, year, lines)


def preview_revision(ruleset: RuleSet, conditions: list[dict[str, Any]], households: QuerySet[Household],
                     year: int, match: str | None = None, lines: rules.PovertyLines | None = None) -> engine.Preview:
    """How many of ``households`` an edit of ``ruleset`` would change, before it is saved (one query).
    The edited conditions are validated first (ValidationError naming the condition)."""
    new = (engine.parse_conditions(conditions, scoring=ruleset.scoring), match or ruleset.match)
    return engine.preview(households, (conditions_of(ruleset), ruleset.match), new, year, lines)


def preview_households(ruleset: RuleSet, households: QuerySet[Household]) -> QuerySet[Household]:
    """The households of ``households`` that ``ruleset``'s rules decide for: inside its area (all, for a
    national one), less those under a deeper area that has rules of its own for the same kind and year."""
    if ruleset.area is not None:
        households = households.filter(area_path__startswith=ruleset.area.path)
    deeper = [r.area.path for r in rulesets_within(ruleset.kind, ruleset.year, ruleset.area)
              if r.area is not None and r.area_id != ruleset.area_id]
    for path in deeper:
        households = households.exclude(area_path__startswith=path)
    return households


def outcome_rows(result: engine.Result) -> list[dict[str, Any]]:
    return [{"label": o.label, "holds": o.holds, "reason": o.reason} for o in result.outcomes]


@transaction.atomic
def decision_record(*, actor: User | None, household: Household, ruleset: RuleSet, year: int) -> Decision:
    """Judge ``household`` by ``ruleset`` and keep the answer with the version used and every reason.
    The version is frozen from now on (RuleSet.used)."""
    # Locked: a concurrent in-place edit (ruleset_revise on an unused version) waits, then sees it used.
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    result = evaluate_household(ruleset, household, year)
    if not ruleset.used:
        RuleSet.objects.filter(pk=ruleset.pk).update(used=True)
        ruleset.used = True
    decision = Decision.objects.create(household=household, ruleset=ruleset, ruleset_version=ruleset.version,
                                       year=year, passed=result.holds, outcomes=outcome_rows(result),
                                       decided_by=actor)
    audit_create(actor=actor, obj=decision, area_path=household.area_path,
                 summary=_("户 %(h)s 按“%(n)s”第 %(v)d 版判定：%(r)s") % {
                     "h": household.number, "n": ruleset.name, "v": ruleset.version,
                     "r": _("符合") if result.holds else _("不符合")})
    return decision


def failed_labels(outcomes: Sequence[dict[str, Any]]) -> list[str]:
    return [o["label"] for o in outcomes if not o["holds"]]
