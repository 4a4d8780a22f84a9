"""The demo's cases are deterministic: two builds on the same day give the same cases, steps, notices and
objections (fupin.demo.cases); and a build in the first days of January, whose weeks of history reach
back into the year before, still covers every step."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction

from fupin.demo.loader import load_demo
from fupin.identification import rules
from fupin.identification.models import Case, CaseKind, Notice, Objection, Step

from .conftest import SEED, SMALL

pytestmark = pytest.mark.django_db

CST = datetime.timezone(datetime.timedelta(hours=8))


def fingerprint() -> list:
    """The cases as a person reads them (no primary keys: a rolled-back build leaves sequences moved)."""
    cases = [(c.kind, c.household.number, c.household.head_name, c.step, c.year, c.reason,
              [(e.from_step, e.to_step, e.date, e.opinion, e.votes_for, e.present) for e in c.events.all()])
             for c in Case.objects.select_related("household").prefetch_related("events")]
    notices = [(n.kind, n.area.code, n.starts_on, n.ends_on,
                [(e.position, e.name, e.id_masked, e.reason) for e in n.entries.all()])
               for n in Notice.objects.select_related("area").prefetch_related("entries")]
    objections = [(o.notice.kind, o.entry.name, o.received_on, o.content, o.status, o.resolution)
                  for o in Objection.objects.select_related("notice", "entry")]
    return sorted(map(repr, cases)) + sorted(map(repr, notices)) + sorted(map(repr, objections))


def test_two_builds_give_the_same_cases():
    with time_machine.travel(datetime.datetime(2026, 9, 20, 16, tzinfo=CST), tick=False):
        with transaction.atomic():
            first = load_demo(households=SMALL, seed=SEED)
            before = fingerprint()
            transaction.set_rollback(True)
        assert not Case.objects.exists()
        second = load_demo(households=SMALL, seed=SEED)
        assert fingerprint() == before
    assert first.cases.steps == second.cases.steps and first.cases.refused == second.cases.refused
    assert len(before) > 40


def test_a_build_in_early_january_covers_every_step():
    with time_machine.travel(datetime.datetime(2027, 1, 3, 9, tzinfo=CST), tick=False):
        load_demo(households=SMALL, seed=SEED)
    for kind in (CaseKind.IDENTIFICATION, CaseKind.EXIT):
        for step in rules.PATHS[kind]:
            assert Case.objects.filter(kind=kind, step=step, year=2027).exists(), (kind, step)
    assert Case.objects.filter(step=Step.REJECTED).exists()
