"""The reconciliation: start + entered − exited − removed + returned = end, by households and by people,
each figure the length of the list it links to — on the demo county after running the adjustment."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fupin.areas.models import Area
from fupin.demo.loader import load_demo
from fupin.identification import reconciliation
from fupin.registry import services
from fupin.registry.choices import Procedure, Status
from tests import factories

pytestmark = pytest.mark.django_db


def assert_reconciles(area, year):
    rec = reconciliation.reconcile(area, year)
    assert rec.balanced, reconciliation.as_text(rec)
    for figure in rec.figures:
        rows = list(reconciliation.rows(area, year, figure.key))
        assert figure.households == len(rows), figure
        assert figure.people == sum(r.people for r in rows), figure
    return rec


def test_the_demo_county_reconciles_after_the_adjustment(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    load_demo(households=300, seed=11)
    county = Area.objects.get(level="county")
    call_command("adjust", "--year", "2019", "--confirm", stdout=open(tmp_path / "out.txt", "w"))
    for year in (2015, 2016, 2019, 2020, timezone.localdate().year):
        rec = assert_reconciles(county, year)
    assert reconciliation.reconcile(county, 2016).get("exited").households > 0
    assert rec.get("returned").households > 0  # the adjustment's 返贫, dated today
    # The page shows the same figures, and each list page the same count.
    admin = factories.user("root", "admin", None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("reconciliation"), {"area": county.code, "year": 2016}).content.decode()
    rec = reconciliation.reconcile(county, 2016)
    for figure in rec.figures:
        assert f'data-figure="{figure.key}">{figure.households:,}</a>' in page
        listing = client.get(reverse("reconciliation_list"),
                             {"area": county.code, "year": 2016, "figure": figure.key}).content.decode()
        total = re.search(r"共 ([\d,]+) 户 · ([\d,]+) 人", listing)
        assert (int(total[1].replace(",", "")), int(total[2].replace(",", ""))) == (figure.households, figure.people)


def test_each_flow_is_counted_from_the_status_history(tree, county_user):
    def move(household, to, day, **extra):
        services.household_status_transition(actor=county_user, household=household, to_status=to, reason="测试",
                                            procedure=Procedure.ADJUSTMENT, date=day, **extra)

    stays = factories.household(tree["village_a1"], actor=county_user, status=Status.POOR, identified_year=2014)
    leaves = factories.household(tree["village_a1"], actor=county_user, status=Status.POOR, identified_year=2014)
    dies = factories.household(tree["village_a2"], actor=county_user, status=Status.POOR, identified_year=2014)
    move(leaves, Status.EXITED, datetime.date(2019, 6, 1), exit_year=2019)
    leaves.refresh_from_db()
    move(leaves, Status.RETURNED, datetime.date(2019, 9, 1))
    move(dies, Status.CANCELLED, datetime.date(2019, 10, 1), cancel_reason="all_dead")
    rec = assert_reconciles(tree["county"], 2019)
    got = {f.key: (f.households, f.people) for f in rec.figures}
    assert got == {"start": (3, 6), "entered": (0, 0), "exited": (1, 2), "removed": (1, 2), "returned": (1, 2),
                   "end": (2, 4)}
    assert stays.pk in {h.pk for h in reconciliation.rows(tree["county"], 2019, "end")}
