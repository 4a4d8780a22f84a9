"""Exit (REFERENCE §4) on the workflow engine: proposed only when the exit criteria hold (naming the one
that fails), 户认可, notice, township review, announcement, 销号 judging again; the decision keeps its
rule version."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from fupin.identification import services
from fupin.identification.models import CaseKind, NoticeKind, Step
from fupin.registry.choices import Status
from fupin.standards import services as standards
from fupin.standards.models import RuleKind
from tests.standards.helpers import household as household_with

from .helpers import VOTES, clock, publish

pytestmark = pytest.mark.django_db
YEAR = 2020  # the seeded national exit criteria and lines reach 2020 (4000 yuan)


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


def propose(users, household):
    return services.case_open(actor=users["village"], kind=CaseKind.EXIT, household=household, year=YEAR,
                              reason="务工收入稳定", votes=VOTES)


def test_exit_is_refused_one_yuan_at_the_line_and_naming_the_criterion(users, tree):
    household = household_with(tree["village_a1"], income="8000", people=2, year=YEAR)  # 4000 a head
    with pytest.raises(ValidationError, match="一超"):
        propose(users, household)


def test_a_full_exit_round_ends_in_exited_with_the_rule_version(users, tree):
    household = household_with(tree["village_a1"], income="8002", people=2, year=YEAR)  # 4001 a head
    with clock("2026-05-04") as t:
        case = propose(users, household)
        assert case.decision.ruleset_version == 1 and case.decision.passed
        case = services.case_step(actor=users["village"], case=case, to=Step.AGREED, opinion="户主签字认可")
        publish(users["village"], NoticeKind.EXIT_NOTICE, tree["village_a1"], [case], datetime.date(2026, 5, 4))
        t.shift(datetime.timedelta(days=8))
        case = services.case_step(actor=users["township"], case=case, to=Step.REVIEWED, opinion="公示无异议")
        publish(users["county"], NoticeKind.EXIT_ANNOUNCEMENT, tree["county"], [case], datetime.date(2026, 5, 12))
        # A county revises the criteria meanwhile: the appraisal's decision keeps version 1.
        national = standards.ruleset_for(RuleKind.EXIT, YEAR, None)
        revised = [*national.conditions[:-1], {**national.conditions[-1], "label": "饮水不困难（修订）"}]
        standards.ruleset_revise(actor=None, ruleset=national, conditions=revised)
        first = case.decision
        t.shift(datetime.timedelta(days=8))
        case = services.case_step(actor=users["county"], case=case, to=Step.CLOSED, opinion="销号")
    household.refresh_from_db()
    assert (household.status, household.exit_year) == (Status.EXITED, YEAR)
    first.refresh_from_db()
    assert first.ruleset_id == national.pk and first.ruleset_version == 1
    assert case.decision.passed and case.decision.ruleset_version == 2


def test_closing_judges_again_and_refuses_when_a_criterion_now_fails(users, tree):
    household = household_with(tree["village_a1"], income="9000", people=2, year=YEAR)
    with clock("2026-05-04") as t:
        case = propose(users, household)
        case = services.case_step(actor=users["village"], case=case, to=Step.AGREED, opinion="认可")
        publish(users["village"], NoticeKind.EXIT_NOTICE, tree["village_a1"], [case], datetime.date(2026, 5, 4))
        t.shift(datetime.timedelta(days=8))
        case = services.case_step(actor=users["township"], case=case, to=Step.REVIEWED, opinion="审核")
        publish(users["county"], NoticeKind.EXIT_ANNOUNCEMENT, tree["county"], [case], datetime.date(2026, 5, 12))
        t.shift(datetime.timedelta(days=8))
        type(household).objects.filter(pk=household.pk).update(danger_grade="D")
        with pytest.raises(ValidationError, match="危房"):
            services.case_step(actor=users["county"], case=case, to=Step.CLOSED, opinion="销号")
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.step == Step.REVIEWED and household.status == Status.POOR
