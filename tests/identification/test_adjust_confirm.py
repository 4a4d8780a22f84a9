"""Confirming the adjustment: each proposal a workflow transition, audited; a refused one named, the others
go through; 不采纳 needs a reason; the command line does the same and prints the reconciliation."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from fupin.audit.models import AuditEvent
from fupin.identification import adjustment
from fupin.identification.models import Step
from fupin.identification.models_adjustment import ProposalKind, ProposalState, RunStatus
from fupin.registry.choices import CancelReason, Procedure, Status
from fupin.registry.models import Household
from fupin.standards.models import Decision

from . import adjust_helpers as make
from .helpers import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


@pytest.fixture(autouse=True)
def _sync_jobs(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path


def test_confirming_moves_every_household_and_names_the_refused(users, tree):
    county = users["county"]
    with clock():
        ready = make.exit_ready(county, tree["village_a1"])
        back = make.fallen_back(county, tree["village_a2"])
        dead = make.all_dead(county, tree["village_b1"])
        changed = make.fallen_back(county, tree["village_a1"])
        run = adjustment.run_start(actor=county, year=2019, area=tree["county"])
        # Someone corrects one household after the run: its proposal is refused, by name.
        Household.objects.filter(pk=changed.pk).update(version=changed.version + 1)
        outcome = adjustment.proposals_confirm(actor=county, run=run)
    assert outcome.confirmed == 3
    assert [name for name, _why in outcome.refused] == [f"{changed.number} {changed.head_name}"]
    statuses = dict(Household.objects.values_list("pk", "status"))
    assert statuses[ready.pk] == Status.EXITED and statuses[back.pk] == Status.RETURNED
    assert statuses[dead.pk] == Status.CANCELLED and statuses[changed.pk] == Status.EXITED
    assert Household.objects.get(pk=dead.pk).cancel_reason == CancelReason.ALL_DEAD
    assert Household.objects.get(pk=ready.pk).status_changes.filter(procedure=Procedure.ADJUSTMENT).exists()
    decision = Decision.objects.get(household=ready)
    assert decision.passed and decision.ruleset.used and decision.ruleset_version == decision.ruleset.version
    assert AuditEvent.objects.filter(summary__contains="动态调整：确认").count() == 3
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW  # one proposal still waits
    adjustment.proposals_decline(actor=county, run=run, note="已核实，户信息更正后不再返贫")
    run.refresh_from_db()
    assert run.status == RunStatus.CONFIRMED
    assert run.proposals.get(household=changed).state == ProposalState.DECLINED


def test_an_entrant_is_confirmed_by_the_county(users, tree):
    with clock() as t:
        household, case = make.entrant(users, tree["village_a1"], t)
        run = adjustment.run_start(actor=users["county"], year=2026, area=tree["county"])
        outcome = adjustment.proposals_confirm(actor=users["county"], run=run, kind=ProposalKind.ENTRANT)
    assert outcome.confirmed == 1 and not outcome.refused
    case.refresh_from_db()
    household.refresh_from_db()
    assert case.step == Step.COUNTY and household.status == Status.POOR


def test_declining_needs_a_reason_and_the_capability(users, tree):
    with clock():
        make.exit_ready(users["county"], tree["village_a1"])
        run = adjustment.run_start(actor=users["county"], year=2019, area=tree["county"])
    with pytest.raises(ValidationError, match="理由"):
        adjustment.proposals_decline(actor=users["county"], run=run, note=" ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        adjustment.proposals_confirm(actor=users["township"], run=run)
    assert run.proposals.get().state == ProposalState.PENDING


def test_the_command_proposes_confirms_and_reconciles(users, tree):
    with clock():
        ready = make.exit_ready(users["county"], tree["village_a1"])
        make.fallen_back(users["county"], tree["village_a2"])
        out = io.StringIO()
        call_command("adjust", "--year", "2019", "--user", "county_officer", "--confirm", stdout=out)
    text = out.getvalue()
    assert "脱贫：1 户" in text and "返贫：1 户" in text and "已确认 2 户" in text
    assert "平衡" in text and "不平衡" not in text
    assert Household.objects.get(pk=ready.pk).status == Status.EXITED


def test_the_command_refuses_a_user_without_the_capability_or_outside_the_scope(users, tree, township_b_user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="动态调整"):
        call_command("adjust", "--year", "2019", "--user", "township_a", stdout=io.StringIO())
    from fupin.accounts.models import Role
    from tests import factories

    factories.user("county_b", Role.COUNTY, tree["township_b"])
    with pytest.raises(CommandError, match="不在"):
        call_command("adjust", "--year", "2019", "--user", "county_b", "--area", tree["township_a"].code,
                     stdout=io.StringIO())
