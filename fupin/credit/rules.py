"""扶贫小额信贷 rules (REFERENCE §10), pure: the rating scheme's checks and its scoring, the loan limits,
the repayment schedule, the interest subsidy and what is overdue. The services, the forms, the API, the
demo and the tests all call these; the values that differ by place and year (indicators, grades, credit
lines, rates, subsidy shares, the risk fund's share) are data (models), not constants here.

Money is Decimal to the fen (fupin.credit.money). Interest accrues by the day at the annual rate / 360
(日利率 = 年利率 ÷ 360, the banks' convention), for the actual days of each period.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fupin.registry.choices import Status

from .money import ZERO, shown, yuan

#: 扶贫小额信贷's national limits: at most 50,000 yuan, at most 3 years, no guarantee or collateral.
LOAN_MAX = Decimal("50000.00")
TERM_MAX_MONTHS = 36
#: Months between interest dates (按季结息).
PERIOD_MONTHS = 3
#: Day-count basis of the daily rate.
DAYS_BASIS = 360
#: 建档立卡户 who may borrow: the registered poor, those returned to poverty, and the exited, who keep
#: the policy through the transition period (脱贫不脱政策). An applicant not yet identified, a cancelled
#: household and a household only under monitoring (never registered) may not.
ELIGIBLE_STATUSES = frozenset({Status.POOR, Status.RETURNED, Status.EXITED, Status.EXITED_STABLE})
#: A scheme's indicators add up to this many points.
SCHEME_TOTAL = 100


# --- the rating scheme -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    grade: str
    min_score: int
    line: Decimal


def grades_of(data: Iterable[dict[str, Any]]) -> list[Grade]:
    """The scheme's grades, highest threshold first."""
    out = [Grade(str(g["grade"]), int(g["min"]), yuan(g["line"])) for g in data]
    return sorted(out, key=lambda g: -g.min_score)


def scheme_errors(indicators: Sequence[dict[str, Any]], grades: Sequence[dict[str, Any]]) -> list[str]:
    """Why a scheme cannot be saved (empty: it can): indicators with a key, a name and positive points
    adding up to 100; grades with a name, a threshold and a credit line of 0–50,000 yuan, one of them
    starting at 0 points so that every total has a grade; a higher grade never a lower line."""
    errors: list[str] = []
    keys = [str(i.get("key", "")).strip() for i in indicators]
    if not indicators:
        errors.append(_("至少需要一项评级指标"))
    if len(set(keys)) != len(keys) or "" in keys:
        errors.append(_("评级指标的代码不能为空，也不能重复"))
    total = 0
    for n, ind in enumerate(indicators, start=1):
        try:
            points = int(ind.get("max"))
        except (TypeError, ValueError):
            errors.append(_("第 %(n)d 项指标的分值不是整数") % {"n": n})
            continue
        if points <= 0:
            errors.append(_("第 %(n)d 项指标的分值须大于 0") % {"n": n})
        if not str(ind.get("label", "")).strip():
            errors.append(_("第 %(n)d 项指标没有名称") % {"n": n})
        total += points
    if indicators and total != SCHEME_TOTAL:
        errors.append(_("各项指标分值合计应为 %(t)d 分，现为 %(s)d 分") % {"t": SCHEME_TOTAL, "s": total})
    errors += _grade_errors(grades)
    return errors


def _grade_errors(grades: Sequence[dict[str, Any]]) -> list[str]:
    errors: list[str] = []
    names = [str(g.get("grade", "")).strip() for g in grades]
    if not grades:
        return [_("至少需要一个信用等级")]
    if len(set(names)) != len(names) or "" in names:
        errors.append(_("信用等级的名称不能为空，也不能重复"))
    try:
        parsed = grades_of(grades)
    except (TypeError, ValueError, ArithmeticError, KeyError):
        return [*errors, _("信用等级的起点分或授信额度不是数字")]
    for g in parsed:
        if not 0 <= g.min_score <= SCHEME_TOTAL:
            errors.append(_("等级 %(g)s 的起点分应在 0–100 之间") % {"g": g.grade})
        if not ZERO <= g.line <= LOAN_MAX:
            errors.append(_("等级 %(g)s 的授信额度应在 0–%(m)s 元之间") % {"g": g.grade, "m": shown(LOAN_MAX)})
    if len({g.min_score for g in parsed}) != len(parsed):
        errors.append(_("两个信用等级的起点分相同"))
    if parsed and parsed[-1].min_score != 0:
        errors.append(_("最低一个等级的起点分应为 0，使每个总分都有等级"))
    if any(a.line < b.line for a, b in zip(parsed, parsed[1:], strict=False)):
        errors.append(_("较高等级的授信额度不能低于较低等级"))
    return errors


def score_errors(indicators: Sequence[dict[str, Any]], scores: dict[str, Any]) -> dict[str, str]:
    """Per indicator key, why its score is refused: missing, not a whole number, or outside 0–max."""
    errors = {}
    for ind in indicators:
        key, top = ind["key"], int(ind["max"])
        raw = scores.get(key)
        try:
            value = int(raw)
            if str(raw).strip() != str(value):
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = _("“%(l)s”的得分须为 0–%(m)d 的整数") % {"l": ind["label"], "m": top}
            continue
        if not 0 <= value <= top:
            errors[key] = _("“%(l)s”的得分须为 0–%(m)d 的整数") % {"l": ind["label"], "m": top}
    return errors


def rate(indicators: Sequence[dict[str, Any]], grades: Sequence[dict[str, Any]],
         scores: dict[str, Any]) -> tuple[int, Grade]:
    """The total of the scores (already checked by score_errors) and the grade it reaches: the highest
    grade whose threshold the total meets."""
    total = sum(int(scores[i["key"]]) for i in indicators)
    for g in grades_of(grades):
        if total >= g.min_score:
            return total, g
    raise ValueError("a scheme's lowest grade starts at 0")  # scheme_errors guarantees one


# --- loans -------------------------------------------------------------------------------------------

def eligibility_error(status: str, status_label: str) -> str | None:
    """Why a household of ``status`` may not borrow (None: it may)."""
    if status in ELIGIBLE_STATUSES:
        return None
    return _("该户不是建档立卡户（当前状态：%(s)s），不能发放扶贫小额信贷") % {"s": status_label}


def loan_limit_errors(*, principal: Decimal, term_months: int, available: Decimal | None,
                      grade: str = "") -> dict[str, str]:
    """The limits of one loan: 50,000 yuan and 36 months at most, and no more than the household's
    credit line still available (None: no rating — refused elsewhere)."""
    errors: dict[str, str] = {}
    if principal <= 0:
        errors["principal"] = _("贷款金额须大于 0")
    elif principal > LOAN_MAX:
        errors["principal"] = _("贷款金额 %(a)s 元超过扶贫小额信贷上限 %(m)s 元") % {
            "a": shown(principal), "m": shown(LOAN_MAX)}
    elif available is not None and principal > available:
        errors["principal"] = (_("评级为 %(g)s，没有授信额度，不能发放扶贫小额信贷") % {"g": grade} if available <= 0
                               else _("贷款金额 %(a)s 元超过该户可用授信额度 %(m)s 元") % {
                                   "a": shown(principal), "m": shown(available)})
    if term_months <= 0:
        errors["term_months"] = _("贷款期限须至少 1 个月")
    elif term_months > TERM_MAX_MONTHS:
        errors["term_months"] = _("贷款期限 %(t)d 个月超过扶贫小额信贷上限 %(m)d 个月（3 年）") % {
            "t": term_months, "m": TERM_MAX_MONTHS}
    return errors


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class Method:
    """How principal is repaid (interest is paid each quarter either way)."""

    BULLET = "bullet"  # 按季付息、到期还本
    EQUAL_PRINCIPAL = "equal_principal"  # 按季付息、等额还本


@dataclass(frozen=True)
class Period:
    number: int
    start: datetime.date
    due: datetime.date
    principal: Decimal
    interest: Decimal

    @property
    def days(self) -> int:
        return (self.due - self.start).days


def interest(amount: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """Interest on ``amount`` at ``annual_rate`` percent a year for ``days`` days, to the fen."""
    return yuan(amount * annual_rate / 100 * days / DAYS_BASIS)


def schedule(*, principal: Decimal, annual_rate: Decimal, start: datetime.date, term_months: int,
             method: str = Method.BULLET) -> list[Period]:
    """The repayment plan: a period every three months from ``start`` (the last one ends at maturity),
    interest on what is owed during the period; principal at maturity (BULLET) or in equal parts each
    period, the fen left over in the last (EQUAL_PRINCIPAL). The parts add up to ``principal`` exactly."""
    principal = yuan(principal)
    ends = [add_months(start, m) for m in range(PERIOD_MONTHS, term_months, PERIOD_MONTHS)]
    ends.append(add_months(start, term_months))
    n = len(ends)
    if method == Method.EQUAL_PRINCIPAL:
        part = yuan(principal / n)
        parts = [part] * (n - 1) + [principal - part * (n - 1)]
    else:
        parts = [ZERO] * (n - 1) + [principal]
    periods, owed, begin = [], principal, start
    for i, (due, part) in enumerate(zip(ends, parts, strict=True), start=1):
        periods.append(Period(i, begin, due, part, interest(owed, annual_rate, (due - begin).days)))
        owed -= part
        begin = due
    return periods


def subsidy(interest_due: Decimal, share: Decimal) -> Decimal:
    """The poverty funds' part of one period's interest (贴息): the interest × the loan's share."""
    return yuan(interest_due * share)


# --- what is paid and what is overdue ---------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    number: int
    due: datetime.date
    principal: Decimal
    interest: Decimal


@dataclass(frozen=True)
class PeriodState:
    number: int
    due: datetime.date
    principal_paid: Decimal
    interest_paid: Decimal
    settled: bool  # principal and interest of this period fully covered
    interest_settled: bool
    overdue_days: int  # 0 unless past due and not settled


@dataclass(frozen=True)
class Standing:
    periods: list[PeriodState]
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_days: int  # of the oldest unsettled period past due; 0 when nothing is overdue
    overdue_since: datetime.date | None

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def standing(dues: Sequence[Due], principal_paid: Decimal, interest_paid: Decimal,
             today: datetime.date) -> Standing:
    """Each period's state on ``today``: payments (principal and interest, each summed up to today)
    settle the periods in order (oldest first). A period is overdue from the day after its due date
    while not settled; the amounts overdue are what was due by today and not paid."""
    states, left_p, left_i = [], principal_paid, interest_paid
    due_p = due_i = ZERO
    oldest: Due | None = None
    for d in sorted(dues, key=lambda x: x.number):
        paid_p, paid_i = min(left_p, d.principal), min(left_i, d.interest)
        left_p, left_i = left_p - paid_p, left_i - paid_i
        settled = paid_p == d.principal and paid_i == d.interest
        late = d.due < today and not settled
        if d.due < today:
            due_p, due_i = due_p + d.principal, due_i + d.interest
        if late and oldest is None:
            oldest = d
        states.append(PeriodState(d.number, d.due, paid_p, paid_i, settled, paid_i == d.interest,
                                  (today - d.due).days if late else 0))
    over_p = max(ZERO, due_p - principal_paid)
    over_i = max(ZERO, due_i - interest_paid)
    days = (today - oldest.due).days if oldest is not None else 0
    return Standing(states, over_p, over_i, days, oldest.due if oldest is not None else None)


# --- recovery after compensation ----------------------------------------------------------------------

def recovery_fund_part(*, loss: Decimal, fund_paid: Decimal, recovered_before: Decimal, fund_before: Decimal,
                       amount: Decimal) -> Decimal:
    """The fund's part of ``amount`` recovered on a compensated loan: the loss was shared fund_paid :
    (loss − fund_paid), and so is what is recovered, cumulatively (the fund's share of everything
    recovered so far, to the fen, less what it had back before). Recovering the whole loss in any
    number of parts returns ``fund_paid`` to the fund exactly.

    After a reversal (a recovery recorded in error taken back, its own parts exactly) the fund's part
    so far may sit a fen or so off its share of what is left recovered: the part is then kept between
    0 and ``amount`` (neither share ever negative) and the next recoveries bring it back, so that the
    whole loss recovered still returns ``fund_paid`` exactly (tests/credit/test_recovery_reversal.py
    proves it with hypothesis)."""
    if loss <= 0:
        return ZERO
    part = yuan((recovered_before + amount) * fund_paid / loss) - fund_before
    return min(max(part, ZERO), amount)
