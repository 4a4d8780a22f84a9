"""Microcredit fixtures: two banks of 罗平县 (one with a 银行 account), the county's risk fund, and
registered households rated through the real services (ARCHITECTURE habit 10)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from fupin.accounts.models import Role
from fupin.credit import services
from fupin.registry.choices import Status
from tests import factories

SCORES_AAA = {"integrity": 28, "labour": 23, "income": 22, "assets": 18}  # 91
SCORES_A = {"integrity": 20, "labour": 15, "income": 15, "assets": 12}  # 62
SCORES_B = {"integrity": 10, "labour": 10, "income": 10, "assets": 5}  # 35


@pytest.fixture
def banks(tree):
    return {"rcc": services.bank_create(actor=None, name="罗平县农村信用合作联社", code="RCC", area=tree["county"]),
            "psbc": services.bank_create(actor=None, name="邮储银行罗平县支行", code="PSBC", area=tree["county"])}


@pytest.fixture
def banker(tree, banks):
    user = factories.user("banker_rcc", Role.BANK, tree["county"], display_name="信用社 刘晓燕")
    services.bank_staff_link(actor=None, user=user, bank=banks["rcc"])
    return user


@pytest.fixture
def other_banker(tree, banks):
    user = factories.user("banker_psbc", Role.BANK, tree["county"], display_name="邮储 王")
    services.bank_staff_link(actor=None, user=user, bank=banks["psbc"])
    return user


@pytest.fixture
def fund(tree):
    f = services.fund_setup(actor=None, area=tree["county"], loss_share=Decimal("0.7"), min_overdue_days=90)
    services.fund_deposit(actor=None, fund=f, amount="100000.00", on=datetime.date(2024, 1, 1))
    return f


def rate(household, bank, year=2024, scores=None):
    return services.rating_record(actor=None, household=household, year=year, scores=scores or SCORES_AAA,
                                  rated_on=datetime.date(year, 1, 15), village_rep="村委 张", team_rep="工作队 李",
                                  bank=bank, bank_rep="银行 王")


def lend(household, bank, *, principal="10000.00", term=12, on=datetime.date(2024, 3, 1), contract="C-1",
         actor=None, method="bullet"):
    return services.loan_create(actor=actor, household=household, bank=bank, contract_no=contract, borrower="",
                                principal=principal, term_months=term, disbursed_on=on, purpose="breeding",
                                method=method)


@pytest.fixture
def poor(tree):
    return factories.household(tree["village_a1"], number="5303241002010501", status=Status.POOR)


@pytest.fixture
def rated(poor, banks):
    rate(poor, banks["rcc"])
    return poor


@pytest.fixture
def compensated(rated, banks, fund):
    """A 12,345.67 loan of 2024-03-01 never repaid, compensated on 2024-12-01: the fund (70 %) paid 8,641.97,
    the bank bore 3,703.70."""
    loan = lend(rated, banks["rcc"], principal="12345.67")
    services.loan_compensate(actor=None, loan=loan, on=datetime.date(2024, 12, 1))
    return loan


def web(user) -> Client:
    """A browser signed in as ``user``."""
    c = Client()
    c.force_login(user)
    return c
