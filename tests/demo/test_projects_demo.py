"""The demo's projects and funds (fupin.demo.projects_demo, issue 16): the ledger reconciles exactly — the
invariants of fupin.projects.models' docstring checked on the generated rows — every stage, kind, asset
class and slip is there, and every figure the demo prints matches the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from fupin.accounts import policy
from fupin.accounts.models import Role, User
from fupin.areas.models import Area, Level
from fupin.assistance.models import UnitKind
from fupin.demo.loader import load_demo
from fupin.demo.projects_demo import ALIASES, build_projects, split_fen, summary_lines
from fupin.projects.models import (
    Allocation,
    Asset,
    AssetIncome,
    Beneficiary,
    DepartmentStaff,
    Disclosure,
    DisclosureKind,
    FundDocument,
    IncomeShare,
    NegativeUse,
    Payment,
    Project,
    ProjectEvent,
    SubsidyBatch,
    SubsidyLine,
)
from fupin.projects.rules import LEAD_DEPARTMENTS, PATH, AssetKind, BatchStatus, Category, PaymentKind, Stage
from fupin.projects.rules import Level as FundLevel
from fupin.registry.choices import Status

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(households=300, seed=11, cases=False, findings=False)
        county = Area.objects.filter(level=Level.COUNTY).order_by("path").first()
        result = build_projects(county=county, seed=11, today=TODAY)
        yield county, result
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def sums(model, key: str, **filters) -> dict[int, Decimal]:
    return {row[key]: row["s"] for row in model.objects.filter(**filters).values(key).annotate(s=Sum("amount")).order_by()}


def test_the_ledger_reconciles_exactly(demo):
    # FundDocument.amount ≥ Σ Allocation.amount (a source never goes negative)
    allocated = sums(Allocation, "document_id")
    for doc in FundDocument.objects.all():
        assert allocated.get(doc.pk, Decimal(0)) <= doc.amount, doc.number
    # Allocation.amount ≥ Σ Payment.amount of that allocation; a payment is of the allocation's project
    paid = sums(Payment, "allocation_id")
    for a in Allocation.objects.all():
        assert paid.get(a.pk, Decimal(0)) <= a.amount, a.pk
    assert not Payment.objects.exclude(project_id=models_f("allocation__project_id")).exists()
    # Payment (到户补助) = Σ SubsidyLine.amount of its batch; the batch's own total and count say the same
    lines = {row["batch_id"]: (row["s"], row["n"]) for row in
             SubsidyLine.objects.values("batch_id").annotate(s=Sum("amount"), n=Count("pk")).order_by()}
    for batch in SubsidyBatch.objects.all():
        assert lines[batch.pk] == (batch.total, batch.lines_count), batch.title
        payment = Payment.objects.filter(batch=batch).first()
        if batch.status == BatchStatus.PAID:
            assert payment.amount == batch.total and payment.kind == PaymentKind.SUBSIDY
            assert payment.allocation_id == batch.allocation_id and payment.project_id == batch.project_id
        else:
            assert payment is None
    assert not Payment.objects.filter(kind=PaymentKind.SUBSIDY, batch__isnull=True).exists()
    assert not Payment.objects.filter(kind=PaymentKind.CONTRACT, contract__isnull=True).exists()
    # contracts never paid beyond their amount
    for contract_id, s in sums(Payment, "contract_id", contract__isnull=False).items():
        assert s <= Payment.objects.filter(contract_id=contract_id).first().contract.amount
    # a subsidy reaches only the project's beneficiaries, never a cancelled household
    beneficiaries = set(Beneficiary.objects.values_list("project_id", "household_id"))
    for project_id, household_id, status in SubsidyLine.objects.values_list("batch__project_id", "household_id",
                                                                              "household__status"):
        assert (project_id, household_id) in beneficiaries
        assert status != Status.CANCELLED
    assert not Beneficiary.objects.filter(household__status=Status.CANCELLED).exists()
    # an income's shares sum to its distributable part, exactly
    shares = sums(IncomeShare, "income_id")
    for income in AssetIncome.objects.all():
        assert shares.get(income.pk, Decimal("0.00")) == income.distributable
        assert income.distributable <= income.amount
    # no payment before its allocation, no allocation before its document arrived, money only in payable stages
    assert not Payment.objects.filter(paid_on__lt=models_f("allocation__allocated_on")).exists()
    assert not Allocation.objects.filter(allocated_on__lt=models_f("document__issued_on")).exists()
    assert not Payment.objects.exclude(project__stage__in=[Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.ANNOUNCED,
                                                            Stage.HANDED_OVER, Stage.OPERATING]).exists()
    assert not Payment.objects.filter(paid_on__gt=TODAY).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


def test_every_kind_stage_level_class_and_slip_is_there(demo):
    county, result = demo
    assert set(Project.objects.values_list("category", flat=True)) == set(LEAD_DEPARTMENTS)
    for category, name in LEAD_DEPARTMENTS.items():
        leads = {p.lead.name for p in Project.objects.filter(category=category).select_related("lead")}
        assert leads == {name} or leads == {ALIASES.get(name)}, (category, leads)
    assert all(u.kind == UnitKind.DEPARTMENT for u in {p.lead for p in Project.objects.select_related("lead")})
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Project.objects.values_list("year", flat=True)) == set(range(2015, TODAY.year + 1))
    assert set(FundDocument.objects.values_list("level", flat=True)) == set(FundLevel.values)
    assert len(set(FundDocument.objects.values_list("channel", flat=True))) >= 4
    assert FundDocument.objects.filter(synthetic=False).count() == 0 and Project.objects.filter(synthetic=False).count() == 0
    assert Allocation.objects.filter(area__level=Level.TOWNSHIP).exists()
    assert set(Asset.objects.values_list("kind", flat=True)) == set(AssetKind.values)
    assert IncomeShare.objects.exists() and Asset.objects.filter(maintenance__isnull=False).exists()
    # each event chain follows the lifecycle in order, dates never going back
    for project in Project.objects.all():
        events = list(ProjectEvent.objects.filter(project=project).exclude(source=models_f("target")).order_by("on", "id"))
        targets = [e.target for e in events]
        assert targets[-1] == project.stage
        assert [t for t in targets if t != Stage.CANCELLED] == list(PATH[:len([t for t in targets if t != Stage.CANCELLED])])
    # disclosures hang at least 10 days (the first and the last included)
    for d in Disclosure.objects.all():
        assert (d.ends_on - d.starts_on).days + 1 >= 10
    assert set(Disclosure.objects.values_list("kind", flat=True)) == set(DisclosureKind.values)
    # the slips the alerts must find
    stuck = [a for a in Allocation.objects.filter(area__level=Level.TOWNSHIP, allocated_on__lt=TODAY - datetime.timedelta(days=90))
             if not a.payments.exists()]
    assert stuck
    assert Project.objects.filter(stage=Stage.IMPLEMENTING, progress__lt=50, ends_on__lt=TODAY).exists()
    assert Project.objects.filter(stage=Stage.IMPLEMENTING, ends_on__lt=TODAY - datetime.timedelta(days=30)).exists()
    assert SubsidyBatch.objects.filter(status=BatchStatus.DRAFT, drawn_on__lt=TODAY - datetime.timedelta(days=30)).exists()
    disclosed = set(Disclosure.objects.filter(kind=DisclosureKind.ALLOCATION).values_list("document_id", flat=True))
    assert Allocation.objects.exclude(document_id__in=disclosed).filter(
        allocated_on__lt=TODAY - datetime.timedelta(days=15)).exists()
    words = [w for n in NegativeUse.objects.filter(active=True) for w in n.words()]
    assert any(w in p.purpose for p in Payment.objects.all() for w in words)
    assert all(result.slips.get(k) for k in ("stuck", "behind", "overdue", "acceptance_late", "unpaid_batch",
                                                "undisclosed", "negative")), result.slips


def test_the_department_login_and_the_summary(demo):
    county, result = demo
    user = User.objects.get(username="department")
    assert user.role == Role.DEPARTMENT
    staff = DepartmentStaff.objects.get(user=user)
    assert staff.department.name == LEAD_DEPARTMENTS[Category.ROADS]
    assert Project.objects.filter(lead=staff.department).exists()
    assert result.projects == Project.objects.count()
    assert result.documents == FundDocument.objects.count()
    assert result.allocated == Allocation.objects.aggregate(s=Sum("amount"))["s"]
    assert result.paid == Payment.objects.aggregate(s=Sum("amount"))["s"]
    text = "\n".join(summary_lines(result))
    assert f"项目 {result.projects} 个" in text and f"资金文件 {result.documents} 份" in text


def test_split_to_the_fen():
    assert split_fen(1001, 3) == [334, 334, 333] and sum(split_fen(7, 10)) == 7


@pytest.mark.parametrize("username", ["county", "auditor"])
def test_every_alert_finds_a_demo_slip(demo, username):
    """Each of the six alerts of /projects/alerts/ lists at least one of the demo's deliberate slips, for the
    county office and for the auditor (who follow the same county)."""
    from fupin.projects import alerts

    county, result = demo
    user = User.objects.get(username=username)
    found = alerts.report(user=user, area=county, today=TODAY)
    assert set(found) == {a.key for a in alerts.ALERTS}
    assert {key: len(items) for key, items in found.items() if not items} == {}, {k: len(v) for k, v in found.items()}
    subjects = {key: " ".join(i.subject + " " + i.detail for i in items) for key, items in found.items()}
    assert all(code in subjects["stuck_funds"] for code in result.slips["stuck"])
    assert all(code in subjects["behind_schedule"] for code in result.slips["behind"] + result.slips["overdue"])
    assert all(code in subjects["acceptance_late"] for code in result.slips["acceptance_late"])
    assert all(title in subjects["subsidy_unpaid"] for title in result.slips["unpaid_batch"])
    assert all(number in subjects["undisclosed"] for number in result.slips["undisclosed"])
    assert all(code in subjects["negative_use"] for code in result.slips["negative"])


def test_every_project_walked_the_workflow_table(demo):
    """Each demo project's events are a path of the lifecycle's transition table (fupin.projects.services_library
    .PROCESS): 村级申报 first, then every step allowed from the stage before it, taken by an account whose role has
    the step's capability and whose scope covers the project (the engine's own ``may`` and scope check), dated in
    order and never after today; progress reports only while 实施中, never backwards; the guards the bulk writer
    does not ask are met by the rows written with it (notices over, works finished, an asset); and the row's
    ``version`` is its number of steps and reports, its stage and stage date the last step's."""
    from fupin import workflow
    from fupin.projects.rules import STEP_CAPABILITY
    from fupin.projects.services_library import PROCEDURE, PROCESS, PROGRESS

    walked = 0
    for project in Project.objects.select_related("area", "lead"):
        events = list(ProjectEvent.objects.filter(project=project).select_related("actor__area").order_by("id"))
        first, rest = events[0], events[1:]
        assert (first.source, first.target) == ("", Stage.PROPOSED), project.code
        assert first.actor is not None and policy.can(first.actor, "project_propose")
        assert project.area.path.startswith(first.actor.area.path) and project.created_by_id == first.actor_id
        stage, stage_on, last, progress = Stage.PROPOSED, first.on, first.on, 0
        for e in rest:
            assert last <= e.on <= TODAY, (project.code, e.target, e.on)
            last = e.on
            assert e.actor is not None, (project.code, e.target)
            PROCESS.check_scope(e.actor, project)  # raises when the account may not act on the project
            if e.source == e.target:  # a progress report
                assert e.target == stage == Stage.IMPLEMENTING and e.data["kind"] == PROGRESS, project.code
                assert e.data["progress"] >= progress and policy.can(e.actor, "project_implement")
                progress = e.data["progress"]
                continue
            assert e.source == stage, (project.code, e.source, stage)
            t = PROCESS.table.find(e.source, e.target)
            assert t is not None, (project.code, e.source, e.target)
            assert t.may(e.actor, project), (project.code, e.target, e.actor.username)
            if e.target in STEP_CAPABILITY:
                assert policy.can(e.actor, STEP_CAPABILITY[e.target]), (project.code, e.target, e.actor.username)
            step = workflow.Step(process=PROCESS, transition=t, actor=e.actor, obj=project, source=e.source,
                                 target=e.target, reason=e.reason, date=e.on, procedure=PROCEDURE)
            assert [g(step) for g in t.guards] == [None] * len(t.guards), (project.code, e.target)
            stage, stage_on = e.target, e.on
            walked += 1
        assert stage == project.stage and stage_on == project.stage_on, project.code
        assert project.version == len(rest), (project.code, project.version, len(rest))
    assert walked > 900


def test_every_disclosure_is_what_the_publish_service_freezes(demo):
    """The demo's notices were built by services_disclosures.notice_content, the function ``publish`` freezes a
    notice with: each one's content is exactly what it makes of the notice's subject, board and period."""
    from fupin.projects.services_disclosures import notice_content

    shown = 0
    for d in Disclosure.objects.select_related("area", "project__area", "project__lead", "document", "batch__project"):
        made = notice_content(kind=d.kind, area=d.area, place=d.place, starts_on=d.starts_on, ends_on=d.ends_on,
                              hotline=d.hotline, project=d.project, document=d.document, batch=d.batch)
        assert d.content == made, d.title
        assert d.title == made["title"][:200] and d.content["tables"], d.title
        # published by an account of the board's area or above whose role may publish
        assert policy.can(d.published_by, "disclose") and d.area_path.startswith(d.published_by.area.path), d.title
        shown += 1
    assert shown == Disclosure.objects.count() > 100


def test_no_demo_housing_batch_pays_every_household_one_amount(demo):
    """Seed 002's “不得将补助金平均分配”: the demo's 危房改造 batches are graded (D级 / C级), none flagged; a batch's sum
    is still its allocation's part exactly (the ledger reconciles: test above)."""
    from fupin.projects import services_funds
    from fupin.projects.models import SubsidyBatch
    from fupin.projects.rules import NOT_EVENLY

    batches = list(SubsidyBatch.objects.filter(project__category__in=NOT_EVENLY, lines_count__gte=2)
                   .select_related("project"))
    assert batches and not [b.title for b in batches if services_funds.even_split_warning(b)]
