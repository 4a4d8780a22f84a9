"""Quantified scoring (四看/五看, REFERENCE §3 "Quantified scoring", issue 13 item 2): a rule set of kind
SCORING whose conditions each carry ``points`` and a ``group`` (一看房, 二看粮 …). A household's score is
the sum of the points of the conditions that hold; a lower score means a poorer household, and
households are ranked within their village (rank 1 = the poorest).

The score is computed twice, as the rest of the engine is: in Python for one household with every
condition's reason (``score_breakdown``), and in SQL for a queryset of households as one query
(``annotate_scores``, ``village_ranking``: a sum of CASE WHEN over the condition flags, RANK() over the
village). The tests assert both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import Rank, Substr

from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.registry import rules
from fupin.registry.models import Household

from . import engine, services
from .models import RuleKind, RuleSet

POINTS_FIELD = DecimalField(max_digits=8, decimal_places=1)
VILLAGE_PATH = PATH_LENGTH[Level.VILLAGE]


def village_path(area_path: str) -> str:
    """The village a household belongs to (its own area, or the village of its 村民小组)."""
    return area_path[:VILLAGE_PATH]


def score_expression(conditions: Sequence[engine.Condition], prefix: str) -> Any:
    """The sum of the points of the conditions that hold, over the flags engine.annotate made with
    ``prefix`` (``{prefix}_c0`` …)."""
    total: Any = Value(Decimal(0), output_field=POINTS_FIELD)
    for i, condition in enumerate(conditions):
        total = total + Case(When(Q(**{f"{prefix}_c{i}": True}), then=Value(condition.points)),
                             default=Value(Decimal(0)), output_field=POINTS_FIELD)
    return total


def annotate_scores(households: QuerySet[Household], year: int, area: Area | None = None,
                    lines: rules.PovertyLines | None = None, name: str = "score") -> QuerySet[Household]:
    """``households`` with ``name`` (the score) and ``{name}_scheme`` (the scheme's id; None where no
    scheme applies, the score then 0), each household scored by the scheme in force at its own area:
    one query however many households and schemes."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    scores: list[When] = []
    which: list[When] = []
    default_score: Any = Value(Decimal(0), output_field=POINTS_FIELD)
    default_which: Any = Value(None)
    for ruleset in services.rulesets_within(RuleKind.SCORING, year, area):
        prefix = f"s{ruleset.pk}"
        conditions = services.conditions_of(ruleset)
        households = engine.annotate(households, conditions, ruleset.match, year, lines, prefix=prefix)
        expression = score_expression(conditions, prefix)
        if ruleset.area is None:
            default_score, default_which = expression, Value(ruleset.pk)
            continue
        where = Q(area_path__startswith=ruleset.area.path)
        scores.append(When(where, then=expression))
        which.append(When(where, then=Value(ruleset.pk)))
    return households.annotate(**{
        name: Case(*scores, default=default_score, output_field=POINTS_FIELD),
        f"{name}_scheme": Case(*which, default=default_which)})


def village_ranking(households_qs: QuerySet[Household], year: int, area: Area | None = None,
                    lines: rules.PovertyLines | None = None) -> QuerySet[Household]:
    """``households_qs`` with ``score``, ``rank`` (1 = the lowest score of its village among
    ``households_qs``; equal scores share a rank) and ``village_size`` (how many of ``households_qs``
    are in its village), ordered by village and rank: one query."""
    village = Substr("area_path", 1, VILLAGE_PATH)
    return (annotate_scores(households_qs, year, area, lines)
            .annotate(rank=Window(Rank(), partition_by=[village], order_by=F("score").asc()),
                      village_size=Window(Count("pk"), partition_by=[village]))
            .order_by("area_path", "rank", "number"))


@dataclass(frozen=True)
class Item:
    label: str
    holds: bool
    points: Decimal
    reason: str


def breakdown(ruleset: RuleSet, facts: engine.Facts) -> dict[str, Any]:
    """The score of one household by ``ruleset``, by group and condition (no rank)."""
    conditions = services.conditions_of(ruleset)
    groups: dict[str, dict[str, Any]] = {}
    for i, condition in enumerate(conditions):
        outcome = engine.evaluate_condition(condition, facts, i)
        group = groups.setdefault(condition.group, {"group": condition.group, "points": Decimal(0),
                                                    "max": Decimal(0), "items": []})
        earned = condition.points if outcome.holds else Decimal(0)
        group["points"] += earned
        group["max"] += condition.points
        group["items"].append({"label": outcome.label, "holds": outcome.holds, "points": earned,
                               "max": condition.points, "reason": outcome.reason})
    order = {g: n for n, g in enumerate(engine.SCORING_GROUPS)}
    ordered = sorted(groups.values(), key=lambda g: order.get(g["group"], len(order)))
    return {"total": sum((g["points"] for g in ordered), Decimal(0)),
            "max": sum((g["max"] for g in ordered), Decimal(0)), "groups": ordered}


def score_breakdown(household: Household, year: int, among: QuerySet[Household] | None = None,
                    lines: rules.PovertyLines | None = None) -> dict[str, Any] | None:
    """``{total, max, scheme, groups: [{group, points, max, items: [{label, holds, points, max, reason}]}],
    rank, of}`` for one household in ``year``: the scheme in force at its area, each condition with its
    reason, and its rank among the households of its village in ``among`` (default: every household of
    the village; rank 1 = the poorest). None when no scheme applies."""
    from fupin.registry.services import poverty_lines

    lines = lines or poverty_lines()
    area = household.area
    ruleset = services.ruleset_for(RuleKind.SCORING, year, area)
    if ruleset is None:
        return None
    result = breakdown(ruleset, engine.facts_for(household, year, lines))
    village = village_path(household.area_path)
    among = among if among is not None else Household.objects.all()
    peers = among.filter(area_path__startswith=village) | Household.objects.filter(pk=household.pk)
    ranked = {pk: (rank, size) for pk, rank, size in
              village_ranking(peers, year, area, lines).values_list("pk", "rank", "village_size")}
    rank, of = ranked.get(household.pk, (None, None))
    return {**result, "scheme": ruleset, "rank": rank, "of": of}


@dataclass(frozen=True)
class ScorePreview:
    total: int
    changed: int
    up: int
    down: int
    average_before: Decimal | None
    average_after: Decimal | None


def preview(ruleset: RuleSet, conditions: list[dict[str, Any]], households: QuerySet[Household], year: int,
            lines: rules.PovertyLines | None = None) -> ScorePreview:
    """How an edit of a scoring scheme would change the scores of ``households`` (one query)."""
    old = services.conditions_of(ruleset)
    new = engine.parse_conditions(conditions, scoring=True)
    total = changed = up = down = 0
    before = after = Decimal(0)
    for (old_answers, new_answers), n in engine.grouped_answers(households, [old, new], year, lines):
        was = sum((c.points for c, holds in zip(old, old_answers, strict=True) if holds), Decimal(0))
        now = sum((c.points for c, holds in zip(new, new_answers, strict=True) if holds), Decimal(0))
        total += n
        changed += n if was != now else 0
        up += n if now > was else 0
        down += n if now < was else 0
        before += was * n
        after += now * n
    counts = {"total": total, "changed": changed, "up": up, "down": down,
              "average_before": before / total if total else None, "average_after": after / total if total else None}
    return ScorePreview(**counts)
