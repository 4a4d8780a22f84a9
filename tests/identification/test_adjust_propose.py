"""The yearly adjustment's proposal: one background job, set-based, each kind with its reason and evidence."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.accounts.models import Role
from fupin.identification import adjustment
from fupin.identification.models import CaseKind
from fupin.identification.models_adjustment import Proposal, ProposalKind, RunStatus
from fupin.jobs.models import JobState
from fupin.registry.choices import CancelReason
from fupin.standards.models import RuleSet
from tests import factories

from . import adjust_helpers as make
from .helpers import applicant, clock, walk_to_township

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user, township_b_user):
    return {"village": village_user, "township": township_a_user, "county": county_user,
            "outsider": township_b_user}


@pytest.fixture(autouse=True)
def _sync_jobs(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path


def kinds_of(run) -> dict[int, str]:
    return dict(run.proposals.values_list("household_id", "kind"))


def test_each_kind_is_proposed_with_its_reason(users, tree):
    county = users["county"]
    with clock() as t:
        ready = make.exit_ready(county, tree["village_a1"])
        poor = make.still_poor(county, tree["village_a1"])
        back = make.fallen_back(county, tree["village_a2"])
        dead = make.all_dead(county, tree["village_b1"])
        entrant, case = make.entrant(users, tree["village_a1"], t)  # a case of 2026: not in 2019's run
        run = adjustment.run_start(actor=county, year=2019, area=tree["county"])
        later = adjustment.run_start(actor=county, year=2026, area=tree["county"])
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.job.state == JobState.DONE
    assert kinds_of(run) == {ready.pk: ProposalKind.EXIT, back.pk: ProposalKind.RETURN,
                             dead.pk: ProposalKind.REMOVAL}
    assert poor.pk not in kinds_of(run)
    assert {k: run.counts[k] for k in ("entrant", "exit", "return", "removal")} == {
        "entrant": 0, "exit": 1, "return": 1, "removal": 1}
    assert kinds_of(later)[entrant.pk] == ProposalKind.ENTRANT
    assert later.proposals.get(kind=ProposalKind.ENTRANT).details["case"] == case.pk
    exit_ = run.proposals.get(kind=ProposalKind.EXIT)
    criteria = RuleSet.objects.get(kind="exit_criteria", year=2019, area=None)
    assert exit_.details["ruleset"] == criteria.pk and exit_.details["ruleset_version"] == criteria.version
    assert "达到脱贫退出标准" in exit_.reason
    assert "不高于当年扶贫标准" in run.proposals.get(kind=ProposalKind.RETURN).reason
    removal = run.proposals.get(kind=ProposalKind.REMOVAL)
    assert removal.details["cancel_reason"] == CancelReason.ALL_DEAD and "全户死亡" in removal.reason
    # The national 七不进 of 2019 (standards 0004) holds for none of these households: no exclusion removal.
    assert not any("七不进" in note for note in run.counts["notes"])


def test_an_entrant_waits_for_its_second_notice(users, tree):
    with clock() as t:
        case, _ = walk_to_township(users, applicant(tree["village_a1"]), t)
        run = adjustment.run_start(actor=users["county"], year=2026, area=tree["county"])
    assert not run.proposals.filter(kind=ProposalKind.ENTRANT).exists()
    assert adjustment.entrant_cases(tree["county"], 2026).count() == 0
    from fupin.identification.services import notice_blocker

    assert notice_blocker(case, "township") is not None


def test_the_proposal_is_set_based(users, tree):
    county = users["county"]
    for _ in range(6):
        make.exit_ready(county, tree["village_a1"])
        make.fallen_back(county, tree["village_a2"])
    run = adjustment.run_start(actor=county, year=2019, area=tree["county"], background=False)
    with CaptureQueriesContext(connection) as few:
        adjustment.propose(run)
    for _ in range(20):
        make.exit_ready(county, tree["village_a1"])
        make.fallen_back(county, tree["village_a2"])
    with CaptureQueriesContext(connection) as many:
        counts = adjustment.propose(run)
    assert counts["exit"] == 26 and counts["return"] == 26
    assert len(many) == len(few)  # the same number of queries for 12 or 52 households


def test_only_adjusters_start_a_run_inside_their_scope(users, tree):
    with pytest.raises(PermissionDenied):
        adjustment.run_start(actor=users["village"], year=2019, area=tree["village_a1"])
    with pytest.raises(PermissionDenied):
        adjustment.run_start(actor=users["township"], year=2019, area=tree["township_a"])
    other = factories.user("county_b", Role.COUNTY, tree["township_b"])
    with pytest.raises((PermissionDenied, ValidationError)):
        adjustment.run_start(actor=other, year=2019, area=tree["township_a"])


def test_a_cancelled_run_keeps_no_proposal(users, tree, monkeypatch):
    from fupin.jobs import runner

    make.exit_ready(users["county"], tree["village_a1"])
    asked = iter([False])  # the runner's own check before the handler; then every report sees the cancel
    monkeypatch.setattr(runner, "cancel_requested", lambda job_id: next(asked, True))
    run = adjustment.run_start(actor=users["county"], year=2019, area=tree["county"])
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.job.state == JobState.CANCELLED
    assert not Proposal.objects.filter(run=run).exists()


def test_a_household_on_an_open_exit_case_is_left_to_its_case(users, tree):
    from fupin.identification import services

    county = users["county"]
    ready = make.exit_ready(county, tree["village_a1"])
    services.case_open(actor=users["village"], kind=CaseKind.EXIT, household=ready, year=2019, reason="务工稳定",
                       votes={"representatives": 30, "present": 24, "votes_for": 20})
    run = adjustment.run_start(actor=county, year=2019, area=tree["county"], background=False)
    adjustment.propose(run)
    assert ready.pk not in kinds_of(run)
