"""Hypothesis (issue 16 tests): random allocations, payments and subsidy batches, valid or not, never break
the sums or leave a balance negative — each write either goes through with the balance covering it or is
refused with a ValidationError, and ``reconcile`` passes after every sequence. Two clerks allocating the
last money of a document at once on PostgreSQL: one wins, the other is refused (the row lock)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.projects import reconcile
from fupin.projects import services_funds as funds
from fupin.projects.models import Allocation, FundDocument, Payment, SubsidyBatch
from fupin.projects.rules import PaymentKind, Stage
from tests.threads import in_two_threads

from . import funds_world as w

D = datetime.date
CENT = Decimal("0.01")

amounts = st.integers(min_value=-100, max_value=400_000).map(lambda fen: Decimal(fen) * CENT)
ops = st.lists(st.one_of(
    st.tuples(st.just("alloc"), st.integers(0, 1), st.integers(0, 1), amounts),
    st.tuples(st.just("pay"), st.integers(0, 5), st.booleans(), amounts),
    st.tuples(st.just("batch"), st.integers(0, 5), st.integers(1, 3), amounts),
), min_size=1, max_size=14)


@pytest.fixture
def base(tree):
    docs = [w.document(tree["county"], number=f"文-{i}", amount=amt) for i, amt in enumerate(("3000.00", "1234.56"))]
    projects = [w.project(tree["village_a1"], code=f"P-{i}", name=f"项目{i}") for i in range(2)]
    projects[1].stage = Stage.PLANNED  # allocatable, not payable
    projects[1].save()
    hs = w.households(tree["village_a1"], 3)
    w.beneficiaries(projects[0], hs)
    w.beneficiaries(projects[1], hs)
    return {"docs": docs, "projects": projects, "households": hs}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sequence=ops)
def test_random_ledger_never_breaks(base, sequence):
    with transaction.atomic():
        docs, projects, hs = base["docs"], base["projects"], base["households"]
        allocations: list[Allocation] = []
        for op in sequence:
            try:
                with transaction.atomic():
                    if op[0] == "alloc":
                        _kind, d, p, amount = op
                        before = funds.document_balance(docs[d])
                        a = funds.allocation_create(actor=None, document=docs[d], project=projects[p], amount=amount,
                                                    allocated_on=D(2024, 4, 1))
                        assert Decimal("0") < amount <= before
                        allocations.append(a)
                    elif op[0] == "pay" and allocations:
                        _kind, i, _other, amount = op
                        a = allocations[i % len(allocations)]
                        before = funds.allocation_balance(a)
                        funds.payment_create(actor=None, allocation=a, kind=PaymentKind.OTHER, amount=amount,
                                             paid_on=D(2024, 5, 1), payee="合作社", purpose="种苗")
                        assert Decimal("0") < amount <= before and a.project.stage == Stage.IMPLEMENTING
                    elif op[0] == "batch" and allocations:
                        _kind, i, n, amount = op
                        a = allocations[i % len(allocations)]
                        rows = [funds.ListRow(row=r + 3, id_number=w.head_id(h), amount=str(amount))
                                for r, h in enumerate(hs[:n])]
                        before = funds.allocation_balance(a)
                        batch = funds.batch_create(actor=None, allocation=a, title="批次", rows=rows, drawn_on=D(2024, 6, 1))
                        funds.batch_pay(actor=None, batch=batch, paid_on=D(2024, 6, 2))
                        assert Decimal("0") < amount and amount * n <= before
            except ValidationError:
                pass
            for doc in FundDocument.objects.all():
                assert funds.document_balance(doc) >= 0
            for a in Allocation.objects.all():
                assert funds.allocation_balance(a) >= 0
        report = reconcile.reconcile()
        assert report.ok, report.breaks
        paid = sum((p.amount for p in Payment.objects.all()), Decimal("0"))
        assert report.rows[2].amount == paid
        assert report.rows[3].amount == sum((b.total for b in SubsidyBatch.objects.filter(status="paid")), Decimal("0"))
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_cannot_overdraw(tree, county_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    doc = w.document(tree["county"], amount="1000.00")
    project = w.project(tree["village_a1"])

    def allocate():
        return funds.allocation_create(actor=None, document=FundDocument.objects.get(pk=doc.pk),
                                       project=project, amount="700.00", allocated_on=D(2024, 4, 1))

    outcomes = in_two_threads(allocate)
    assert sorted(type(o).__name__ for o in outcomes) == ["Allocation", "ValidationError"]
    assert funds.document_balance(doc) == Decimal("300.00")
