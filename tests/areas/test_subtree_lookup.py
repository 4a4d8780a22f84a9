"""``path__subtree=P`` keeps exactly the rows ``path__startswith=P`` keeps, on both databases
(on PostgreSQL it is written as a byte range, fupin/areas/lookups.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from fupin.areas.models import Area
from fupin.registry.selectors import household_scope

pytestmark = pytest.mark.django_db

PATHS = ["5", "50", "59", "599", "5999", "59990", "6", "60", "600", "58", "589", "4", "49", "499", "9", "99"]


@pytest.fixture
def paths():
    # Bare rows (bulk_create skips save(), which derives the path from the code): only paths matter here.
    Area.objects.bulk_create([Area(code=f"x{p}", name=p, level="village", path=p) for p in PATHS])
    return PATHS


@pytest.mark.parametrize("prefix", ["5", "59", "599", "5999", "58", "6", "9", "99", "4", "49", "7", "0",
                                    "59990", "599900", "5%", "_9", ""])
def test_subtree_keeps_the_rows_startswith_keeps(paths, prefix):
    subtree = set(Area.objects.filter(path__subtree=prefix).values_list("path", flat=True))
    expected = {p for p in paths if p.startswith(prefix)}
    assert subtree == expected
    assert subtree == set(Area.objects.filter(path__startswith=prefix).values_list("path", flat=True))


def test_on_postgresql_it_is_the_pattern_index_range(paths):
    sql = str(Area.objects.filter(path__subtree="59").query)
    if connection.vendor == "postgresql":
        assert "~>=~ 59" in sql and "~<~ 5:" in sql and "LIKE" not in sql
    else:
        assert "LIKE" in sql


def test_the_registry_scope_uses_it(tree, county_user):
    sql = str(household_scope(county_user).query)
    assert ("~>=~" in sql) == (connection.vendor == "postgresql")
