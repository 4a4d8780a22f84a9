"""registry 0002: the national poverty lines 2011–2020 and the 2021 monitoring line exist after
migrating, and the data migration can run again or be reversed."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from fupin.registry.models import PovertyLine
from fupin.registry.services import poverty_line_for

migration = importlib.import_module("fupin.registry.migrations.0002_national_poverty_lines")

NATIONAL = {2011: 2536, 2012: 2625, 2013: 2736, 2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995,
            2019: 3218, 2020: 4000}

pytestmark = pytest.mark.django_db


def national() -> dict[int, Decimal]:
    return dict(PovertyLine.objects.filter(kind="national", area=None).values_list("year", "amount"))


def test_the_national_lines_exist_after_migrating():
    assert national() == {year: Decimal(amount) for year, amount in NATIONAL.items()}


def test_each_national_line_says_what_it_is_and_the_doubtful_ones_say_so():
    notes = dict(PovertyLine.objects.filter(kind="national", area=None).values_list("year", "note"))
    for year, note in notes.items():
        assert note.startswith("国家扶贫标准（2010年不变价2300元）")
        assert ("待核实" in note) == (year in {2017, 2018, 2020}), year


def test_the_2021_monitoring_line_is_6000():
    line = PovertyLine.objects.get(kind="monitoring", area=None)
    assert (line.year, line.amount) == (2021, Decimal("6000"))


def test_a_village_without_its_own_line_uses_the_national_one(tree):
    assert poverty_line_for(2016, tree["village_a1"]).amount == Decimal("2952")


def test_running_the_migration_again_adds_nothing_and_keeps_corrections():
    PovertyLine.objects.filter(year=2020, kind="national").update(amount=Decimal("3747"))
    count = PovertyLine.objects.count()

    migration.add_lines(apps, None)

    assert PovertyLine.objects.count() == count
    assert national()[2020] == Decimal("3747")


def test_reversing_removes_only_those_lines(tree):
    own = PovertyLine.objects.create(year=2017, kind="provincial", area=tree["county"], amount=Decimal("3335"))

    migration.remove_lines(apps, None)

    assert list(PovertyLine.objects.all()) == [own]
    migration.add_lines(apps, None)
    assert national() == {year: Decimal(amount) for year, amount in NATIONAL.items()}


@pytest.mark.django_db(transaction=True)
def test_the_lines_survive_the_flush_that_ends_a_transactional_test():
    """tests/conftest.py puts the migration's rows back after a flush: without that, a test that ran
    after a transactional one on the same xdist worker found no national lines (seen on PostgreSQL)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert national() == {year: Decimal(amount) for year, amount in NATIONAL.items()}
