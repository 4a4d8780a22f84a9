"""扶贫小额信贷 for the demo county (issue 15 #7 and #8), through the real services: two lending banks (the
demo ``bank`` account linked to the first), the county's risk-compensation fund with a deposit, ratings of
registered households of the demo village and its neighbours by the three parties, loans to most rated
households over the past three years, repayments as households pay (most on time, some stopping — now
overdue —, some early), the interest subsidy paid a fortnight after each paid period (the latest ones left
to pay, so the pages have work), and one long-overdue loan compensated by the fund.

Dates are relative to today, so the pages show loans under way, overdue and repaid whenever the demo is
loaded; the choices come from one ``random.Random`` seeded with the demo's seed, households in id order:
the same day and seed give the same ledger. Every name is synthetic.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.credit import rules, selectors, services
from fupin.credit.models import Loan, LoanStatus, Purpose, RepaymentMethod
from fupin.registry.models import Household

#: How many registered households are rated.
RATED = 160
BANKS = (("罗平县农村信用合作联社（演示）", "DEMO-RCC"), ("中国邮政储蓄银行罗平县支行（演示）", "DEMO-PSBC"))
NAMES = ("张国富", "李春兰", "王建军", "赵秀英", "刘志强", "陈玉梅", "杨光明", "黄丽华", "周德明", "吴小燕")


@dataclass
class CreditResult:
    ratings: int = 0
    loans: int = 0
    repayments: int = 0
    subsidies: int = 0
    overdue: int = 0
    compensated: int = 0


def _scores(rng: Random, indicators: list[dict]) -> dict[str, int]:
    # Mostly good payers (seed 000: 一次性授信 for every registered household), a few weak ones.
    level = rng.choices([0.95, 0.85, 0.72, 0.5], weights=[3, 4, 3, 1])[0]
    return {i["key"]: max(0, min(int(i["max"]), round(int(i["max"]) * (level + rng.uniform(-0.06, 0.06)))))
            for i in indicators}


def _households(county: Area, village: Area) -> list[Household]:
    near = village.parent.path if village.parent else village.path
    qs = Household.objects.filter(area_path__startswith=near, status__in=rules.ELIGIBLE_STATUSES).select_related("area")
    return list(qs.order_by("id")[:RATED])


def _pay(loan: Loan, rng: Random, today: datetime.date, result: CreditResult) -> None:
    """Pay the loan's periods due by today: on time (most), stopping after a few (overdue now), or all at
    once early (a few)."""
    behaviour = rng.choices(["good", "stop", "early"], weights=[12, 3, 2])[0]
    periods = list(loan.installments.order_by("number"))
    stop_after = rng.randint(0, max(0, len(periods) - 2)) if behaviour == "stop" else len(periods)
    for n, inst in enumerate(periods):
        if inst.due_on > today or n >= stop_after:
            break
        if behaviour == "early" and n == 1:
            owed = selectors.outstanding_principal(loan)
            rest = sum((p.interest for p in periods[n:]), Decimal("0"))
            services.repayment_record(actor=None, loan=loan, paid_on=inst.due_on - datetime.timedelta(days=3),
                                      principal=owed, interest=rest, note="提前结清")
            result.repayments += 1
            break
        services.repayment_record(actor=None, loan=loan, paid_on=inst.due_on - datetime.timedelta(days=rng.randint(0, 5)),
                                  principal=inst.principal, interest=inst.interest)
        result.repayments += 1


def build_credit(*, county: Area, seed: int, demo_village: Area) -> CreditResult:
    rng = Random(seed * 7 + 15)
    today = timezone.localdate()
    result = CreditResult()
    banks = [services.bank_create(actor=None, name=name, code=code, area=county) for name, code in BANKS]
    staff = User.objects.filter(username="bank").first()
    if staff is not None:
        services.bank_staff_link(actor=None, user=staff, bank=banks[0])
    fund = services.fund_setup(actor=None, area=county, loss_share=Decimal("0.7"), min_overdue_days=90,
                               note="县级建立信贷扶贫风险补偿金（罗平县 2015）；分担比例 70% 为演示值，种子文件未规定（演示）")
    services.fund_deposit(actor=None, fund=fund, amount="3000000.00", on=rules.add_months(today, -36).replace(day=1),
                          note="县财政注入风险补偿金（演示）")
    for n, household in enumerate(_households(county, demo_village)):
        disbursed = today - datetime.timedelta(days=rng.randint(40, 34 * 30))
        if selectors.terms_of(household.area, disbursed.year) is None:
            continue
        scheme = selectors.scheme_for(household.area, disbursed.year)
        bank = banks[0] if n % 4 else banks[1]
        services.rating_record(
            actor=None, household=household, year=disbursed.year, scores=_scores(rng, scheme.indicators),
            rated_on=disbursed - datetime.timedelta(days=rng.randint(10, 40)), village_rep=rng.choice(NAMES),
            team_rep=rng.choice(NAMES), bank=bank, bank_rep=rng.choice(NAMES), note="演示数据")
        result.ratings += 1
        rating = selectors.rating_in_force(household, disbursed)
        if rating.credit_line <= 0 or rng.random() < 0.3:
            continue
        amount = min(rating.credit_line, Decimal(rng.choice([10000, 20000, 30000, 50000])))
        loan = services.loan_create(
            actor=None, household=household, bank=bank, contract_no=f"{bank.code}-{disbursed:%Y%m}-{n:04d}",
            borrower=household.head_name, principal=amount, term_months=rng.choice([12, 24, 36, 36]),
            disbursed_on=disbursed, purpose=rng.choice(Purpose.values),
            method=RepaymentMethod.BULLET if rng.random() < 0.7 else RepaymentMethod.EQUAL_PRINCIPAL, synthetic=True)
        result.loans += 1
        _pay(loan, rng, today, result)
    _subsidies(today, result)
    _compensate(today, result)
    return result


def _subsidies(today: datetime.date, result: CreditResult) -> None:
    """Subsidy paid a fortnight after each paid period; the last month's left for the county to pay."""
    loans = Loan.objects.filter(synthetic=True)
    for inst in services.subsidy_payable(loans, today):
        paid_on = inst.due_on + datetime.timedelta(days=15)
        if paid_on <= today - datetime.timedelta(days=30):
            services.subsidy_pay(actor=None, installment=inst, paid_on=paid_on)
            result.subsidies += 1


def _compensate(today: datetime.date, result: CreditResult) -> None:
    """The fund compensates the loan overdue longest (if beyond the fund's days); the rest stay overdue."""
    late = []
    for loan in Loan.objects.filter(synthetic=True, status=LoanStatus.ACTIVE).prefetch_related("installments", "repayments"):
        days = selectors.loan_standing(loan, today).overdue_days
        if days:
            late.append((days, loan.pk, loan))
    result.overdue = len(late)
    if late:
        days, _pk, loan = max(late)
        if days >= 90:
            services.loan_compensate(actor=None, loan=loan, on=today)
            result.compensated = 1
            result.overdue -= 1
