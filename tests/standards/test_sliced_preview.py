"""A large preview is cut into slices of household ids run side by side in one shared snapshot
(fupin.lib.slices, PostgreSQL only): the slices together give exactly the single query's answer."""

from __future__ import annotations

import pytest
from django.db import connection

from fupin.lib import slices
from fupin.registry.models import Household
from fupin.registry.services import poverty_lines
from fupin.standards import engine

from .helpers import YEAR
from .test_bulk import varied_households

# Household fields, a yearly-record field and member fields, so that every join is sliced.
RULES = [{"field": "labour_count", "op": "ge", "value": 1},
         {"field": "per_capita_income", "op": "gt", "value": "@poverty_line"},
         {"field": "danger_grade", "op": "in", "value": ["C", "D"]},
         {"field": "any_school_age_child_out_of_school", "op": "is_true"}]
EDITED = [{"field": "labour_count", "op": "ge", "value": 2}, *RULES[1:]]


@pytest.mark.django_db
def test_the_id_ranges_cover_every_household_once(tree):
    made = varied_households(tree)
    ranges = slices.id_ranges(Household.objects.all(), slices=3, min_rows=1)
    assert len(ranges) == 3 and ranges[0][0] == min(h.pk for h in made) and ranges[-1][1] == max(h.pk for h in made) + 1
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert slices.id_ranges(Household.objects.all(), slices=3, min_rows=len(made) + 1) is None  # too few: one query


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="slices need PostgreSQL's exported snapshots")
def test_a_sliced_preview_equals_the_single_query(tree, settings):
    varied_households(tree)
    lines = poverty_lines()
    old, new = engine.parse_conditions(RULES), engine.parse_conditions(EDITED)
    settings.FUPIN_QUERY_SLICES = 1
    single = engine.preview(Household.objects.all(), (old, "any"), (new, "any"), YEAR, lines)
    settings.FUPIN_QUERY_SLICES, settings.FUPIN_SLICE_MIN_ROWS = 3, 1
    assert slices.available()
    sliced = engine.preview(Household.objects.all(), (old, "any"), (new, "any"), YEAR, lines)
    assert sliced == single
    # And both are what judging each household in Python says.
    was = {h.pk: engine.evaluate(old, "any", engine.facts_for(h, YEAR, lines)).holds for h in Household.objects.all()}
    now = {h.pk: engine.evaluate(new, "any", engine.facts_for(h, YEAR, lines)).holds for h in Household.objects.all()}
    assert (sliced.total, sliced.before, sliced.after) == (len(was), sum(was.values()), sum(now.values()))
    assert sliced.lost == sum(was[pk] and not now[pk] for pk in was) and 0 < sliced.before < sliced.total
