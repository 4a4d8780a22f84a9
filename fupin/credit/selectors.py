"""Every read of the microcredit records, scoped by the policy: the households the user may see
(``policy.household_q``) and, for a 银行, its own bank's rows only (``policy.organisation_q``). An object
outside the scope is a 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fupin.accounts import policy

from . import rules
from .models import (
    Bank,
    BankStaff,
    CreditTerms,
    FundEntry,
    FundEntryKind,
    Loan,
    LoanStatus,
    Rating,
    RatingScheme,
    RiskFund,
)
from .money import ZERO

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.registry.models import Household


# --- the policy's providers -------------------------------------------------------------------------

def staff_bank_id(user: User) -> int | None:
    """The bank a 银行 account acts for (None: not linked to a bank yet — it then sees nothing)."""
    return BankStaff.objects.filter(user_id=user.pk).values_list("bank_id", flat=True).first()


def bank_client_ids(user: User) -> QuerySet:
    """The households a 银行 account may see: those its bank lent to or took part in rating."""
    bank = staff_bank_id(user)
    household = apps.get_model("registry", "Household")
    return household.objects.filter(Q(pk__in=Loan.objects.filter(bank_id=bank).values("household_id"))
                                    | Q(pk__in=Rating.objects.filter(bank_id=bank).values("household_id"))
                                    ).values("pk")


# --- reads ------------------------------------------------------------------------------------------

def banks_for(user: User) -> QuerySet[Bank]:
    """The banks the user may choose or read about: a bank's account only its own; others the banks of
    their area's county (or every bank for a global administrator)."""
    path = policy.scope_path(user)
    qs = Bank.objects.filter(policy.organisation_q(user, "pk"))
    if path is None:
        return qs.none() if policy.organisation_of(user) is None else qs
    # a bank serves a county: the user's county is a prefix of their own area (or below their area)
    return qs.filter(Q(area__path__subtree=path) | Q(area__path__in=[path[:n] for n in range(1, len(path) + 1)]))


def loans_for(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(policy.household_q(user) & policy.organisation_q(user, "bank"))


def loan_get(user: User, pk: int) -> Loan:
    return get_object_or_404(loans_for(user).select_related("household__area", "bank", "rating"), pk=pk)


def ratings_for(user: User) -> QuerySet[Rating]:
    return Rating.objects.filter(policy.household_q(user) & policy.organisation_q(user, "bank"))


def rating_get(user: User, pk: int) -> Rating:
    return get_object_or_404(ratings_for(user).select_related("household__area", "bank", "scheme"), pk=pk)


def schemes_for(user: User) -> QuerySet[RatingScheme]:
    """Schemes the user may read: the national ones, those above their area and those of their subtree."""
    return RatingScheme.objects.filter(policy.standards_q(user)).select_related("area")


def scheme_get(user: User, pk: int) -> RatingScheme:
    return get_object_or_404(schemes_for(user), pk=pk)


def terms_for(user: User) -> QuerySet[CreditTerms]:
    return CreditTerms.objects.filter(policy.standards_q(user)).select_related("area")


def _ancestors(area: Area) -> list[str]:
    return [area.path[:n] for n in range(1, len(area.path) + 1)]


def scheme_for(area: Area, year: int) -> RatingScheme | None:
    """The scheme a household of ``area`` is rated by in ``year``: the latest starting year up to
    ``year``, the most specific area at that year, the newest version."""
    candidates = RatingScheme.objects.filter(Q(area__isnull=True) | Q(area__path__in=_ancestors(area)),
                                             year__lte=year).select_related("area")
    return max(candidates, key=lambda s: (s.year, len(s.area.path) if s.area else 0, s.version), default=None)


def terms_of(area: Area, year: int) -> CreditTerms | None:
    """The year's terms for a loan in ``area``: the most specific area's."""
    candidates = CreditTerms.objects.filter(Q(area__isnull=True) | Q(area__path__in=_ancestors(area)), year=year)
    return max(candidates, key=lambda t: len(t.area.path) if t.area else 0, default=None)


def rating_in_force(household: Household, on: datetime.date) -> Rating | None:
    """The household's rating that covers ``on``: the latest rating whose year, plus its scheme's
    validity, reaches ``on``'s year."""
    for rating in Rating.objects.filter(household=household, year__lte=on.year).select_related("scheme") \
            .order_by("-year"):
        if on.year < rating.year + rating.scheme.valid_years:
            return rating
        break
    return None


def outstanding_principal(loan: Loan, on: datetime.date | None = None) -> Decimal:
    paid = loan.repayments.filter(**({"paid_on__lte": on} if on else {})).aggregate(p=Sum("principal"))["p"]
    return loan.principal - (paid or ZERO)


def available_line(rating: Rating, household: Household, *, exclude: int | None = None) -> Decimal:
    """What is left of the household's credit line: the line less the principal still owed on its
    other loans under way."""
    owed = ZERO
    for loan in Loan.objects.filter(household=household, status=LoanStatus.ACTIVE).exclude(pk=exclude):
        owed += outstanding_principal(loan)
    return rating.credit_line - owed


def loan_standing(loan: Loan, today: datetime.date | None = None) -> rules.Standing:
    """The loan's periods, paid and overdue, on ``today`` (payments made up to that day). A loan the risk fund
    compensated stands as it stood on the day of 代偿: it is closed, its overdue days stop growing (what is paid
    after is a recovery, not a repayment)."""
    today = today or timezone.localdate()
    if loan.status == LoanStatus.COMPENSATED and loan.closed_on is not None and loan.closed_on < today:
        today = loan.closed_on
    # .all(): the lists prefetch repayments and installments, so a page of loans costs no query per row
    reps = [r for r in loan.repayments.all() if r.paid_on <= today]
    dues = [rules.Due(i.number, i.due_on, i.principal, i.interest) for i in loan.installments.all()]
    return rules.standing(dues, sum((r.principal for r in reps), ZERO), sum((r.interest for r in reps), ZERO), today)


def overdue_q(today: datetime.date) -> Q:
    """A first filter for loans that may be overdue on ``today`` (a period past due and the loan not
    closed); ``loan_standing`` decides."""
    return Q(status=LoanStatus.ACTIVE, installments__due_on__lt=today)


def fund_for(user: User, area: Area | None = None) -> RiskFund | None:
    """The risk fund of the user's county (or of ``area``'s county, inside the user's scope)."""
    funds = RiskFund.objects.filter(policy.area_q(user, "area__path")).select_related("area")
    if area is not None:
        return funds.filter(area__path__in=_ancestors(area)).first()
    path = policy.scope_path(user)
    if path:
        own = RiskFund.objects.filter(area__path__in=_ancestors_path(path)).select_related("area").first()
        if own is not None:
            return own
    return funds.order_by("area__path").first()


def _ancestors_path(path: str) -> list[str]:
    return [path[:n] for n in range(1, len(path) + 1)]


#: The fund's entries that take money out of it (the others put money in).
FUND_OUTFLOWS = frozenset({FundEntryKind.COMPENSATION, FundEntryKind.RECOVERY_REVERSAL})


def fund_balance(fund: RiskFund, on: datetime.date | None = None) -> Decimal:
    entries = fund.entries.filter(**({"on__lte": on} if on else {}))
    total = ZERO
    for row in entries.values("kind").annotate(s=Sum("amount")):
        total += -row["s"] if row["kind"] in FUND_OUTFLOWS else row["s"]
    return total


def fund_entries(fund: RiskFund) -> QuerySet[FundEntry]:
    return fund.entries.select_related("loan__household", "loan__bank").order_by("-on", "-id")


# --- the monthly statement of a bank ------------------------------------------------------------------

@dataclass
class StatementRow:
    loan: Loan
    opening: Decimal
    disbursed: Decimal
    repaid: Decimal
    closing: Decimal
    interest: Decimal
    subsidy: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_days: int
    #: 追偿 after 代偿 this month: what was recovered and how it was returned (to the fund, to the bank);
    #: outside the balance (a compensated loan's balance is the bank's book, the recovery its own ledger)
    recovered: Decimal = ZERO
    recovered_fund: Decimal = ZERO
    recovered_bank: Decimal = ZERO


@dataclass
class Statement:
    bank: Bank
    year: int
    month: int
    start: datetime.date
    end: datetime.date
    rows: list[StatementRow] = field(default_factory=list)

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {n: self.total(n) for n in ("opening", "disbursed", "repaid", "closing", "interest", "subsidy",
                                           "overdue_principal", "overdue_interest", "recovered", "recovered_fund",
                                           "recovered_bank")}

    @property
    def overdue_loans(self) -> int:
        return sum(1 for r in self.rows if r.overdue_days > 0)

    @property
    def balanced(self) -> bool:
        """期初余额 + 本期发放 − 本期收回 = 期末余额, for each loan and in total, to the fen; the closing
        balance computed from the ledger up to the month's end, independently of the opening."""
        t = self.totals
        return (all(r.opening + r.disbursed - r.repaid == r.closing for r in self.rows)
                and t["opening"] + t["disbursed"] - t["repaid"] == t["closing"]
                # 追偿: what was recovered is returned whole, to the fund and the bank
                and all(r.recovered_fund + r.recovered_bank == r.recovered for r in self.rows)
                and t["recovered_fund"] + t["recovered_bank"] == t["recovered"])


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    return start, rules.add_months(start, 1) - datetime.timedelta(days=1)


def statement(user: User, bank: Bank, year: int, month: int) -> Statement:
    """The bank's loans in the user's scope over one month: balances, what was lent and repaid, the
    interest paid, the subsidy paid, and what was overdue at the month's end."""
    start, end = month_bounds(year, month)
    st = Statement(bank, year, month, start, end)
    # prefetch: each row sums its repayments and subsidies and walks its schedule
    loans = (loans_for(user).filter(bank=bank, disbursed_on__lte=end).select_related("household__area")
             .prefetch_related("repayments", "subsidies", "installments", "recoveries").order_by("household__area_path", "id"))
    for loan in loans:
        reps = list(loan.repayments.all())
        before = sum((r.principal for r in reps if r.paid_on < start), ZERO)
        upto = sum((r.principal for r in reps if r.paid_on <= end), ZERO)
        in_month = [r for r in reps if start <= r.paid_on <= end]
        opening = loan.principal - before if loan.disbursed_on < start else ZERO
        disbursed = loan.principal if start <= loan.disbursed_on <= end else ZERO
        closing = loan.principal - upto
        recovered = [r for r in loan.recoveries.all() if start <= r.on <= end]
        if opening == 0 and disbursed == 0 and not in_month and not recovered:
            continue  # repaid before the month: not on this month's statement
        dues = [rules.Due(i.number, i.due_on, i.principal, i.interest) for i in loan.installments.all()]
        paid_i = sum((r.interest for r in reps if r.paid_on <= end), ZERO)
        stand = rules.standing(dues, upto, paid_i, end)
        st.rows.append(StatementRow(
            loan=loan, opening=opening, disbursed=disbursed, repaid=sum((r.principal for r in in_month), ZERO),
            closing=closing, interest=sum((r.interest for r in in_month), ZERO),
            subsidy=sum((s.amount for s in loan.subsidies.all() if start <= s.paid_on <= end), ZERO),
            overdue_principal=stand.overdue_principal, overdue_interest=stand.overdue_interest,
            overdue_days=stand.overdue_days,
            recovered=sum((r.amount for r in recovered), ZERO),
            recovered_fund=sum((r.fund_share for r in recovered), ZERO),
            recovered_bank=sum((r.bank_share for r in recovered), ZERO)))
    return st


def bank_get(user: User, pk: int) -> Bank:
    bank = banks_for(user).filter(pk=pk).first()
    if bank is None:
        raise Http404
    return bank


def bank_account_candidates(user: User, bank: Bank) -> list[Any]:
    """The accounts ``user`` may link to ``bank`` (for the page's list; the service decides): active 银行
    accounts they manage, placed at the bank's county, not already this bank's; each with ``current``,
    the bank it acts for now (None: none)."""
    from fupin.accounts.models import User as UserModel

    role = policy.role_fit_for("be_bank_staff")
    accounts = (UserModel.objects.filter(policy.manageable_users_q(user), role=role, is_active=True, area=bank.area)
                .exclude(bank_staff__bank=bank).select_related("bank_staff__bank").order_by("username"))
    out = []
    for account in accounts:
        account.current = getattr(getattr(account, "bank_staff", None), "bank", None)
        out.append(account)
    return out
