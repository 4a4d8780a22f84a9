"""A small fund ledger for the funds tests (money16): 罗平县's documents, projects created directly through
the models (the lifecycle services are life16's), beneficiaries, contracts. Households through the real
registry services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl

from fupin.projects.models import Beneficiary, Contract, FundDocument, Project
from fupin.projects.rules import Category, Channel, Level, Stage
from tests import factories

D = datetime.date


def document(area, number="罗财农〔2024〕1号", amount="1000000.00", year=2024, level=Level.CENTRAL,
             channel=Channel.SPECIAL) -> FundDocument:
    return FundDocument.objects.create(area=area, number=number, title=f"{number} 资金", level=level, channel=channel,
                                       purpose="产业发展", year=year, amount=Decimal(amount), issued_on=D(year, 3, 1))


def project(area, code="P2024-001", name="甲一村肉牛养殖", stage=Stage.IMPLEMENTING, year=2024,
            category=Category.INDUSTRY, **extra) -> Project:
    return Project.objects.create(area=area, code=code, name=name, category=category, stage=stage, year=year,
                                  budget=Decimal("500000.00"), tasks=extra.pop("tasks", "养殖肉牛 100 头"), **extra)


def contract(p: Project, number="HT-1", amount="200000.00") -> Contract:
    return Contract.objects.create(project=p, number=number, party="罗平县建工公司", amount=Decimal(amount),
                                   signed_on=D(2024, 4, 1))


def beneficiaries(p: Project, households) -> None:
    Beneficiary.objects.bulk_create([Beneficiary(project=p, household=h, people=h.member_count) for h in households])


def head_id(h) -> str:
    return h.members.get(relation="head").id_number


def sheet(rows: list[list], header=("序号", "户主姓名", "证件号码", "一卡通账号", "补助金额（元）", "补助内容"),
          title="甲一村 2024 年产业到户补助发放清单") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    ws.append(["合计", "", "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def households(village, n=3, **fields):
    return [factories.household(village, **fields) for _ in range(n)]
