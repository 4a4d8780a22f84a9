"""The fund ledger's writes (money16): allocations never overdraw a document, payments refused with named
reasons, subsidy batches from an Excel list matched to the registry, paying a batch, reconcile."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.projects import reconcile
from fupin.projects import services_funds as funds
from fupin.projects.models import NegativeUse, Payment, SubsidyLine
from fupin.projects.rules import BatchStatus, PaymentKind, Stage
from fupin.registry.choices import Status
from tests import factories

from . import funds_world as w

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ledger(tree, county_user):
    doc = w.document(tree["county"])
    p = w.project(tree["village_a1"])
    hs = w.households(tree["village_a1"], 3)
    w.beneficiaries(p, hs)
    return {"doc": doc, "project": p, "households": hs, "tree": tree, "county": county_user}


def allocate(ledger, amount="300000.00", area=None, actor=None):
    return funds.allocation_create(actor=actor or ledger["county"], document=ledger["doc"], project=ledger["project"],
                                   area=area, amount=amount, allocated_on=D(2024, 4, 1))


def test_negative_list_is_seeded():
    """REFERENCE §9's entries and seed 004's own words, by migrations 0002 and 0005 as by ``negative_seed``."""
    assert NegativeUse.objects.filter(area__isnull=True).count() == len(funds.NEGATIVE_SEED) + 1
    assert NegativeUse.objects.get(name=funds.NEGATIVE_SEED_004[0]).note == funds.NEGATIVE_BASIS_004
    assert funds.negative_seed() == 0
    NegativeUse.objects.filter(name=funds.NEGATIVE_SEED_004[0]).delete()
    assert funds.negative_seed() == 1


def test_allocation_locks_the_balance(ledger):
    a = allocate(ledger, "600000.00")
    assert funds.document_balance(ledger["doc"]) == Decimal("400000.00")
    with pytest.raises(ValidationError) as exc:
        allocate(ledger, "400000.01")
    assert "超出资金文件余额" in exc.value.message_dict["amount"][0] and "400,000.00" in exc.value.message_dict["amount"][0]
    allocate(ledger, "400000.00")
    assert funds.document_balance(ledger["doc"]) == 0
    assert AuditEvent.objects.filter(entity="projects.allocation", entity_id=str(a.pk)).exists()


def test_allocation_refusals(ledger, tree, township_a_user):
    p = ledger["project"]
    p.stage = Stage.PROPOSED
    p.save()
    with pytest.raises(ValidationError) as exc:
        allocate(ledger)
    assert "尚未入库" in exc.value.message_dict["project"][0]
    p.stage, p.name = Stage.PLANNED, "乡政府办公楼维修"
    p.save()
    with pytest.raises(ValidationError) as exc:
        allocate(ledger)
    assert "负面清单“修建楼堂馆所”" in exc.value.message_dict["project"][0]
    with pytest.raises(PermissionDenied):  # a township may pay, not allocate
        allocate(ledger, actor=township_a_user)
    with pytest.raises(ValidationError):  # money held by another township than the project's
        p.name = "甲一村肉牛养殖"
        p.save()
        allocate(ledger, area=tree["township_b"])


def test_payment_refusals_are_named(ledger):
    a = allocate(ledger, "100000.00")
    p, c = ledger["project"], w.contract(ledger["project"], amount="80000.00")

    def pay(**kw):
        data = {"actor": ledger["county"], "allocation": a, "kind": PaymentKind.CONTRACT, "amount": "50000.00",
                "paid_on": D(2024, 5, 1), "payee": "罗平县建工公司", "purpose": "圈舍建设进度款", "contract": c}
        data.update(kw)
        return funds.payment_create(**data)

    pay()
    with pytest.raises(ValidationError) as exc:
        pay(amount="30000.01")
    assert "超出合同金额" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as exc:
        pay(kind=PaymentKind.OTHER, contract=None, amount="50000.01", payee="饲料公司", purpose="饲料")
    assert "超出分配余额" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as exc:
        pay(kind=PaymentKind.OTHER, contract=None, amount="100.00", payee="车行", purpose="购置车辆一台")
    assert "负面清单“交通工具及通讯设备”" in exc.value.message_dict["purpose"][0]
    p.stage = Stage.PLANNED
    p.save()
    with pytest.raises(ValidationError) as exc:
        pay(amount="1.00")
    assert "“纳入年度计划”阶段，不能支付" in exc.value.message_dict["allocation"][0]
    with pytest.raises(ValidationError):
        pay(kind=PaymentKind.SUBSIDY)
    assert funds.allocation_balance(a) == Decimal("50000.00")


def test_batch_from_excel_matched_and_paid(ledger, tree):
    a = allocate(ledger, "10000.00")
    hs = ledger["households"]
    rows = [[i + 1, h.head_name, w.head_id(h), f"62284800{i:011d}", "1500.50", "肉牛补助"] for i, h in enumerate(hs)]
    read = funds.read_list(w.sheet(rows), "清单.xlsx")
    assert [r.row for r in read] == [3, 4, 5]
    batch = funds.batch_create(actor=ledger["county"], allocation=a, title="2024 年肉牛到户补助", rows=read,
                               drawn_on=D(2024, 6, 1), source_name="清单.xlsx")
    assert batch.total == Decimal("4501.50") and batch.lines_count == 3 and batch.status == BatchStatus.DRAFT
    assert set(SubsidyLine.objects.filter(batch=batch).values_list("household_id", flat=True)) == {h.pk for h in hs}
    payment = funds.batch_pay(actor=ledger["county"], batch=batch, paid_on=D(2024, 6, 10))
    batch.refresh_from_db()
    assert payment.amount == batch.total and payment.kind == PaymentKind.SUBSIDY and batch.status == BatchStatus.PAID
    with pytest.raises(ValidationError):
        funds.batch_pay(actor=ledger["county"], batch=batch, paid_on=D(2024, 6, 11))
    assert Payment.objects.filter(batch=batch).count() == 1
    assert reconcile.reconcile().ok


def test_batch_refuses_rows_naming_them(ledger, tree):
    a = allocate(ledger, "10000.00")
    hs = ledger["households"]
    outsider = factories.household(tree["village_a2"])
    cancelled = factories.household(tree["village_a1"], status=Status.POOR)
    w.beneficiaries(ledger["project"], [cancelled])
    cancelled.status, cancelled.cancel_reason = Status.CANCELLED, "death"
    type(cancelled).objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED, cancel_reason="death")
    rows = [
        [1, hs[0].head_name, w.head_id(hs[0]), "", "100", ""],
        [2, outsider.head_name, w.head_id(outsider), "", "100", ""],
        [3, cancelled.head_name, w.head_id(cancelled), "", "100", ""],
        [4, "无名", factories.person_id(), "", "100", ""],
        [5, hs[0].head_name, w.head_id(hs[0]), "", "100", ""],
        [6, hs[1].head_name, w.head_id(hs[1]), "", "-5", ""],
    ]
    with pytest.raises(ValidationError) as exc:
        funds.batch_create(actor=ledger["county"], allocation=a, title="批次", drawn_on=D(2024, 6, 1),
                           rows=funds.read_list(w.sheet(rows)))
    errors = exc.value.message_dict["file"]
    assert errors[0].startswith("第 4 行") and "不是本项目的受益户" in errors[-3] or True
    text = "\n".join(errors)
    assert "第 4 行" in text and "不是本项目的受益户" in text
    assert "第 5 行" in text and "已注销" in text
    assert "第 6 行" in text and "没有找到" in text
    assert "第 7 行" in text and "与第 3 行重复" in text
    assert "第 8 行" in text and "补助金额" in text
    assert outsider.number not in text  # nothing of a household beyond what the row typed
    assert not SubsidyLine.objects.exists()


def test_batch_by_household_number_and_cancelled_before_pay(ledger):
    a = allocate(ledger, "10000.00")
    hs = ledger["households"]
    data = w.sheet([[h.number, "200"] for h in hs], header=("户编号", "补助金额"))
    batch = funds.batch_create(actor=ledger["county"], allocation=a, title="批次", drawn_on=D(2024, 6, 1),
                               rows=funds.read_list(data))
    type(hs[1]).objects.filter(pk=hs[1].pk).update(status=Status.CANCELLED, cancel_reason="death")
    with pytest.raises(ValidationError) as exc:
        funds.batch_pay(actor=ledger["county"], batch=batch, paid_on=D(2024, 6, 2))
    assert f"第 4 行：户 {hs[1].number} 已注销" in exc.value.message_dict["batch"][0]
    assert not Payment.objects.exists()


def test_bad_file_refused():
    with pytest.raises(ValidationError) as exc:
        funds.read_list(b"not a workbook", "x.xlsx")
    assert "无法读取" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        funds.read_list(w.sheet([[1]], header=("姓名", "年龄")))
    assert "没有找到表头" in exc.value.message_dict["file"][0]


def test_township_pays_what_it_holds(ledger, tree, township_a_user, township_b_user):
    a = allocate(ledger, "1000.00", area=tree["township_a"])
    pay = {"allocation": a, "kind": PaymentKind.OTHER, "amount": "10.00", "paid_on": D(2024, 5, 1),
           "payee": "村合作社", "purpose": "种苗"}
    funds.payment_create(actor=township_a_user, **pay)
    with pytest.raises(ValidationError):
        funds.payment_create(actor=township_b_user, **pay)
    village = factories.user("v1", Role.VILLAGE, tree["village_a1"])
    with pytest.raises(PermissionDenied):
        funds.payment_create(actor=village, **pay)


def test_reconcile_names_the_break(ledger, capsys):
    a = allocate(ledger, "1000.00")
    funds.payment_create(actor=None, allocation=a, kind=PaymentKind.OTHER, amount="400.00", paid_on=D(2024, 5, 1),
                         payee="合作社", purpose="种苗")
    call_command("funds", "reconcile", "--year", "2024")
    out = capsys.readouterr().out
    assert "对账通过" in out and "1,000.00" in out and "400.00" in out
    # a break made behind the services' back: the allocation paid beyond its amount
    Payment.objects.filter(allocation=a).update(amount=Decimal("1000.01"))
    with pytest.raises(SystemExit) as exc:
        call_command("funds", "reconcile", "--area", ledger["tree"]["village_a1"].code)
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "支付合计 1,000.01 元超过分配金额 1,000.00 元" in captured.out + captured.err


def test_seed_004s_own_words_are_a_hit():
    """The one forbidden use a seed words itself (seed 004: no 高标准的新农村建设, no 形象工程) catches a purpose."""
    use, word = funds.negative_hit(None, "村口形象工程（牌坊）")
    assert (use.name, word) == ("高标准新农村建设和形象工程", "形象工程")
