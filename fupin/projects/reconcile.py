"""Reconcile the fund ledger (issue 16 #3, ``fupin funds reconcile [--area CODE] [--year YYYY]``): the totals
at every level of the money trail — source (资金文件), project (分配), payment (支付), household (到户补助
明细) — and every break of the invariants of fupin.projects.models, each named (which row, which sums).

Scope: ``year`` keeps the documents of that fund year (资金年度) and the money that came from them;
``area`` keeps the allocations to projects sited in the area's subtree (and their documents, payments,
batches). A document's balance is checked against all its allocations, wherever they went: a county
document over-allocated is a break for every township it funds. Exact to the fen (Decimal sums of the
database); a handful of grouped queries whatever the size of the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from fupin.lib.money import ZERO, shown

from .models import Allocation, Contract, FundDocument, Payment, SubsidyBatch, SubsidyLine
from .rules import BatchStatus, Channel, Level, PaymentKind


@dataclass
class Row:
    label: str
    count: int
    amount: Decimal
    parts: list[tuple[str, Decimal | int]] = field(default_factory=list)


@dataclass
class Report:
    area: object | None
    year: int | None
    rows: list[Row] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def lines(self) -> list[str]:
        head = _("资金对账") + (f" · {self.area.name}" if self.area is not None else "") + \
            (f" · {self.year} 年" if self.year else "")
        out = [head]
        for r in self.rows:
            out.append(f"{r.label:<12}{r.count:>8}  {shown(r.amount):>20}")
            out.extend(f"    {name:<16}{value if isinstance(value, int) else shown(value):>20}" for name, value in r.parts)
        if self.ok:
            out.append(_("对账通过：各级合计一致，没有负余额。"))
        else:
            out.append(_("对账不通过，%(n)d 处不符：") % {"n": len(self.breaks)})
            out.extend(f"  ✗ {b}" for b in self.breaks)
        return out


def _sums(qs: QuerySet, key: str, value: str = "amount") -> dict[int, tuple[Decimal, int]]:
    return {r[key]: (r["s"] or ZERO, r["n"]) for r in qs.values(key).annotate(s=Sum(value), n=Count("pk")).order_by()}


def reconcile(*, area: Any = None, year: int | None = None) -> Report:
    report = Report(area=area, year=year)
    allocations = Allocation.objects.all()
    if year:
        allocations = allocations.filter(document__year=year)
    if area is not None:
        allocations = allocations.filter(project__area_path__startswith=area.path)
    doc_q = Q(pk__in=allocations.values("document_id"))
    local = Q()
    if year:
        local &= Q(year=year)
    if area is not None:
        local &= Q(area_path__startswith=area.path)
    documents = FundDocument.objects.filter(doc_q | local)
    payments = Payment.objects.filter(allocation__in=allocations)
    batches = SubsidyBatch.objects.filter(allocation__in=allocations)

    # --- totals at every level
    docs = list(documents.values("pk", "number", "amount", "level", "channel"))
    by_level, by_channel = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for d in docs:
        by_level[d["level"]] += d["amount"]
        by_channel[d["channel"]] += d["amount"]
    source = sum((d["amount"] for d in docs), ZERO)
    report.rows.append(Row(_("资金来源"), len(docs), source,
                           [(str(Level(k).label), v) for k, v in by_level.items()]
                           + [(str(Channel(k).label), v) for k, v in by_channel.items()]))
    alloc_rows = list(allocations.values("pk", "document_id", "project_id", "amount", "project__code"))
    allocated = sum((a["amount"] for a in alloc_rows), ZERO)
    report.rows.append(Row(_("分配到项目"), len(alloc_rows), allocated,
                           [(_("未分配余额"), source - allocated)] if area is None else []))
    kinds = {r["kind"]: (r["s"] or ZERO, r["n"]) for r in payments.values("kind")
             .annotate(s=Sum("amount"), n=Count("pk")).order_by()}
    paid = sum((s for s, _n in kinds.values()), ZERO)
    report.rows.append(Row(_("支付"), sum(n for _s, n in kinds.values()), paid,
                           [(str(PaymentKind(k).label), s) for k, (s, _n) in kinds.items()]
                           + [(_("未支付余额"), allocated - paid)]))
    lines = SubsidyLine.objects.filter(batch__in=batches.filter(status=BatchStatus.PAID))
    agg = lines.aggregate(s=Sum("amount"), n=Count("pk"), h=Count("household_id", distinct=True))
    to_households = agg["s"] or ZERO
    report.rows.append(Row(_("到户"), agg["n"], to_households, [(_("户数"), agg["h"])]))

    _document_breaks(report.breaks, documents, docs)
    _payment_breaks(report.breaks, allocations, alloc_rows, payments)
    _batch_breaks(report.breaks, batches, payments)
    subsidy_paid = kinds.get(PaymentKind.SUBSIDY, (ZERO, 0))[0]
    if subsidy_paid != to_households:
        report.breaks.append(_("到户补助支付合计 %(p)s 元 ≠ 到户明细合计 %(h)s 元") % {
            "p": shown(subsidy_paid), "h": shown(to_households)})
    return report


def _document_breaks(b: list[str], documents: QuerySet, docs: list[dict]) -> None:
    all_allocated = _sums(Allocation.objects.filter(document__in=documents), "document_id")
    for d in docs:
        used = all_allocated.get(d["pk"], (ZERO, 0))[0]
        if d["amount"] <= 0:
            b.append(_("资金文件 %(n)s：金额 %(a)s 元不为正") % {"n": d["number"], "a": shown(d["amount"])})
        if used > d["amount"]:
            b.append(_("资金文件 %(n)s：分配合计 %(u)s 元超过文件金额 %(a)s 元（余额为负 %(x)s 元）") % {
                "n": d["number"], "u": shown(used), "a": shown(d["amount"]), "x": shown(used - d["amount"])})


def _payment_breaks(b: list[str], allocations: QuerySet, alloc_rows: list[dict], payments: QuerySet) -> None:
    paid_of = _sums(Payment.objects.filter(allocation__in=allocations), "allocation_id")
    for a in alloc_rows:
        out = paid_of.get(a["pk"], (ZERO, 0))[0]
        if out > a["amount"]:
            b.append(_("资金分配 #%(i)d（项目 %(p)s）：支付合计 %(u)s 元超过分配金额 %(a)s 元") % {
                "i": a["pk"], "p": a["project__code"], "u": shown(out), "a": shown(a["amount"])})
    for p in payments.exclude(project_id=F("allocation__project_id")).values("pk", "project__code"):
        b.append(_("支付 #%(i)d：项目 %(p)s 与其资金分配的项目不同") % {"i": p["pk"], "p": p["project__code"]})
    contract_paid = _sums(Payment.objects.filter(contract__isnull=False, allocation__in=allocations), "contract_id")
    for c in Contract.objects.filter(pk__in=list(contract_paid)).values("pk", "number", "amount", "project_id"):
        if contract_paid[c["pk"]][0] > c["amount"]:
            b.append(_("合同 %(n)s：支付合计 %(u)s 元超过合同金额 %(a)s 元") % {
                "n": c["number"], "u": shown(contract_paid[c["pk"]][0]), "a": shown(c["amount"])})


def _batch_breaks(b: list[str], batches: QuerySet, payments: QuerySet) -> None:
    line_sums = _sums(SubsidyLine.objects.filter(batch__in=batches), "batch_id")
    pay_of_batch = {p["batch_id"]: p for p in payments.filter(kind=PaymentKind.SUBSIDY)
                    .values("pk", "batch_id", "amount", "allocation_id")}
    for bt in batches.values("pk", "title", "status", "total", "lines_count", "allocation_id"):
        s, n = line_sums.get(bt["pk"], (ZERO, 0))
        name = f"#{bt['pk']} {bt['title']}"
        if s != bt["total"] or n != bt["lines_count"]:
            b.append(_("补助批次 %(t)s：合计 %(a)s 元 %(c)d 户，明细 %(s)s 元 %(n)d 户") % {
                "t": name, "a": shown(bt["total"]), "c": bt["lines_count"], "s": shown(s), "n": n})
        pay = pay_of_batch.get(bt["pk"])
        if bt["status"] == BatchStatus.PAID:
            if pay is None:
                b.append(_("补助批次 %(t)s：已发放但没有对应的支付") % {"t": name})
            elif pay["amount"] != s:
                b.append(_("补助批次 %(t)s：支付 %(p)s 元 ≠ 明细合计 %(s)s 元") % {
                    "t": name, "p": shown(pay["amount"]), "s": shown(s)})
            elif pay["allocation_id"] != bt["allocation_id"]:
                b.append(_("补助批次 %(t)s：支付出自另一笔资金分配") % {"t": name})
        elif pay is not None:
            b.append(_("补助批次 %(t)s：状态为“%(s)s”却已有支付") % {"t": name, "s": BatchStatus(bt["status"]).label})
    for p in payments.filter(kind=PaymentKind.SUBSIDY, batch__isnull=True).values("pk"):
        b.append(_("支付 #%(i)d：到户补助没有补助批次") % {"i": p["pk"]})

