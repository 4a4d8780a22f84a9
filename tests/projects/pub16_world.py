"""A small projects world for pub16's tests (disclosures, alerts, assets): rows made directly through the
models (the library and funds services are written in parallel), households through the registry's
services. ``build()`` returns a dict of what it made."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fupin.accounts.models import Role
from fupin.assistance.models import HelpingUnit
from fupin.projects.models import Allocation, Beneficiary, FundDocument, Payment, Project
from fupin.projects.rules import Category, Channel, Level, PaymentKind, Stage
from tests import factories


def unit(area, name: str = "县农业局") -> HelpingUnit:
    return HelpingUnit.objects.get_or_create(name=name, area=area)[0]


def project(area, code: str, *, stage: str = Stage.IMPLEMENTING, year: int = 2025, lead=None, **fields) -> Project:
    fields.setdefault("name", f"{area.name}{code}产业路")
    fields.setdefault("category", Category.ROADS)
    fields.setdefault("budget", Decimal("300000.00"))
    fields.setdefault("starts_on", datetime.date(year, 3, 1))
    fields.setdefault("ends_on", datetime.date(year, 10, 31))
    return Project.objects.create(area=area, code=code, stage=stage, year=year, lead=lead, **fields)


def document(area, number: str = "曲财农〔2025〕12号", amount: str = "1000000.00", year: int = 2025) -> FundDocument:
    return FundDocument.objects.create(area=area, number=number, title=f"{number}衔接资金", level=Level.CITY,
                                       channel=Channel.SPECIAL, purpose="产业发展", year=year,
                                       amount=Decimal(amount), issued_on=datetime.date(year, 2, 1))


def allocate(doc: FundDocument, proj: Project, amount: str, on: datetime.date, area=None) -> Allocation:
    return Allocation.objects.create(document=doc, project=proj, area=area or doc.area, amount=Decimal(amount),
                                     allocated_on=on)


def pay(alloc: Allocation, amount: str, on: datetime.date, purpose: str = "工程款") -> Payment:
    return Payment.objects.create(allocation=alloc, project=alloc.project, kind=PaymentKind.OTHER,
                                  amount=Decimal(amount), paid_on=on, payee="某某建筑公司", purpose=purpose)


def build(tree) -> dict:
    county = tree["county"]
    h1 = factories.household(tree["village_a1"])
    h2 = factories.household(tree["village_a1"])
    h3 = factories.household(tree["village_a1"])
    lead = unit(county)
    p = project(tree["village_a1"], "XM-A1-01", stage=Stage.APPROVED, lead=lead,
                targets=[{"indicator": "新建道路", "unit": "公里", "target": "3.5", "actual": ""}])
    for h in (h1, h2, h3):
        Beneficiary.objects.create(project=p, household=h, people=h.member_count, note="道路受益")
    other = project(tree["village_b1"], "XM-B1-01", stage=Stage.IMPLEMENTING)
    doc = document(county)
    a1 = allocate(doc, p, "200000.00", datetime.date(2025, 3, 1))
    a2 = allocate(doc, other, "100000.00", datetime.date(2025, 3, 2), area=tree["township_b"])
    return {"households": [h1, h2, h3], "project": p, "other": other, "document": doc, "allocations": [a1, a2],
            "lead": lead, "county_user": factories.user("c16", Role.COUNTY, county),
            "village_user": factories.user("v16", Role.VILLAGE, tree["village_a1"]),
            "township_b_user": factories.user("tb16", Role.TOWNSHIP, tree["township_b"])}
