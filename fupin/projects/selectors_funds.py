"""Reads of the fund ledger (money16), on top of fupin.projects.selectors' scoping: the documents ledger with
balances, allocations with what was paid, and the money trail (资金流向) as Sankey data — for one project
(documents → channels → the project → contracts / household subsidies / other / unpaid) and for an area
and a range of fund years (levels → channels → project categories → kinds of payment, with what is not
yet allocated or paid). Sums are grouped in the database: a few queries whatever the ledger's size."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from fupin.lib.money import ZERO

from . import selectors
from .models import Allocation, FundDocument, Payment, Project
from .rules import Category, Channel, Level, PaymentKind

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(qs: QuerySet, key: str) -> Subquery:
    return Coalesce(Subquery(qs.values(key).annotate(s=Sum("amount")).values("s")[:1], output_field=MONEY),
                    Value(ZERO), output_field=MONEY)


def documents_ledger(user: Any) -> QuerySet[FundDocument]:
    """The documents the user sees, each with ``allocated`` and ``paid`` (all of it, wherever it went:
    a document's balance is one figure) and ``balance``."""
    allocs = Allocation.objects.filter(document_id=OuterRef("pk")).order_by()
    pays = Payment.objects.filter(allocation__document_id=OuterRef("pk")).order_by()
    return selectors.documents_for(user).annotate(
        allocated=_sum_of(allocs, "document_id"), paid=_sum_of(pays, "allocation__document_id")).annotate(
        balance=ExpressionWrapper(F("amount") - F("allocated"), output_field=MONEY))


def allocations_ledger(qs: QuerySet[Allocation]) -> QuerySet[Allocation]:
    pays = Payment.objects.filter(allocation_id=OuterRef("pk")).order_by()
    return qs.annotate(paid=_sum_of(pays, "allocation_id")).annotate(
        balance=ExpressionWrapper(F("amount") - F("paid"), output_field=MONEY)).select_related("document", "project", "area")


# --- the money trail -------------------------------------------------------------------------------------

class Trail:
    """Sankey nodes and links; node names are unique (a prefix per column keeps 'other' apart)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.links: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)

    def node(self, key: str, label: str, column: int) -> str:
        self.nodes.setdefault(key, {"name": key, "label": label, "depth": column})
        return key

    def link(self, source: str, target: str, value: Decimal) -> None:
        if value > 0:
            self.links[(source, target)] += value

    def data(self) -> dict[str, Any]:
        used = {k for pair in self.links for k in pair}
        return {
            "nodes": [n for k, n in self.nodes.items() if k in used],
            "links": [{"source": s, "target": t, "value": float(v), "amount": f"{v:.2f}"}
                      for (s, t), v in self.links.items()],
        }


def project_trail(user: Any, project: Project) -> dict[str, Any]:
    """One project's money: each document (文号) → its channel → the project → each contract's payee,
    the household subsidy batches (households reached), other expenses, and what is not yet paid."""
    t = Trail()
    proj = t.node("p", project.name, 2)
    allocs = (selectors.allocations_for(user).filter(project=project)
              .values("document__number", "document__channel").annotate(s=Sum("amount")).order_by())
    allocated = ZERO
    for a in allocs:
        doc = t.node(f"d:{a['document__number']}", a["document__number"], 0)
        ch = t.node(f"c:{a['document__channel']}", str(Channel(a["document__channel"]).label), 1)
        t.link(doc, ch, a["s"])
        t.link(ch, proj, a["s"])
        allocated += a["s"]
    pays = selectors.payments_for(user).filter(project=project)
    paid = ZERO
    for r in pays.values("kind", "contract__number", "contract__party").annotate(s=Sum("amount")).order_by():
        if r["kind"] == PaymentKind.CONTRACT:
            key = t.node(f"k:{r['contract__number']}", f"{r['contract__party']}（{r['contract__number']}）", 3)
        elif r["kind"] == PaymentKind.SUBSIDY:
            n = pays.filter(kind=PaymentKind.SUBSIDY).aggregate(n=Sum("batch__lines_count"))["n"] or 0
            key = t.node("k:subsidy", _("到户补助（%(n)d 户次）") % {"n": n}, 3)
        else:
            key = t.node("k:other", str(PaymentKind.OTHER.label), 3)
        t.link(proj, key, r["s"])
        paid += r["s"]
    if allocated > paid:
        t.link(proj, t.node("k:unpaid", _("未支付结余"), 3), allocated - paid)
    return {**t.data(), "allocated": allocated, "paid": paid}


def area_trail(user: Any, area: Any, year_from: int, year_to: int) -> dict[str, Any]:
    """The money of the projects in ``area`` from documents of fund years ``year_from``–``year_to``:
    level → channel → project category → kind of payment (and unpaid); the unallocated balance of the
    documents of the area itself (documents ledgered there) from its channel."""
    t = Trail()
    allocs = selectors.allocations_for(user).filter(project__area_path__startswith=area.path,
                                                    document__year__gte=year_from, document__year__lte=year_to)
    totals = {"documents": ZERO, "allocated": ZERO, "paid": ZERO, "unallocated": ZERO}
    by_category = defaultdict(lambda: ZERO)
    for r in allocs.values("document__level", "document__channel", "project__category").annotate(s=Sum("amount")).order_by():
        lv = t.node(f"l:{r['document__level']}", str(Level(r["document__level"]).label), 0)
        ch = t.node(f"c:{r['document__channel']}", str(Channel(r["document__channel"]).label), 1)
        cat = t.node(f"g:{r['project__category']}", str(Category(r["project__category"]).label), 2)
        t.link(lv, ch, r["s"])
        t.link(ch, cat, r["s"])
        by_category[r["project__category"]] += r["s"]
        totals["allocated"] += r["s"]
    docs = selectors.documents_for(user).filter(area_path__startswith=area.path, year__gte=year_from, year__lte=year_to)
    used = {r["document_id"]: r["s"] for r in Allocation.objects.filter(document__in=docs).values("document_id")
            .annotate(s=Sum("amount")).order_by()}
    for d in docs.values("pk", "level", "channel", "amount"):
        totals["documents"] += d["amount"]
        left = d["amount"] - used.get(d["pk"], ZERO)
        if left > 0:
            lv = t.node(f"l:{d['level']}", str(Level(d["level"]).label), 0)
            ch = t.node(f"c:{d['channel']}", str(Channel(d["channel"]).label), 1)
            t.link(lv, ch, left)
            t.link(ch, t.node("g:unallocated", _("未分配结余"), 2), left)
            totals["unallocated"] += left
    paid_by = defaultdict(lambda: ZERO)
    pays = selectors.payments_for(user).filter(allocation__in=allocs)
    for r in pays.values("project__category", "kind").annotate(s=Sum("amount")).order_by():
        cat = f"g:{r['project__category']}"
        t.link(cat, t.node(f"k:{r['kind']}", str(PaymentKind(r["kind"]).label), 3), r["s"])
        paid_by[r["project__category"]] += r["s"]
        totals["paid"] += r["s"]
    for category, s in by_category.items():
        if s > paid_by[category]:
            t.link(f"g:{category}", t.node("k:unpaid", _("未支付结余"), 3), s - paid_by[category])
    households = (pays.filter(kind=PaymentKind.SUBSIDY).aggregate(n=Sum("batch__lines_count"))["n"] or 0)
    return {**t.data(), **totals, "households": households}
