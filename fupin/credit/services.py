"""Every write of the microcredit records: keyword-only, atomic, checked by the policy, ``full_clean()``
before saving and an audit row in the same transaction (ARCHITECTURE habits 1–2). Money rows are
written under a lock on their loan (or fund), so two clerks recording at once never lose an amount or
pay a subsidy twice."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create, audit_status, audit_update, snapshot

from . import rules, selectors
from .models import (
    Bank,
    BankStaff,
    CreditTerms,
    FundEntry,
    FundEntryKind,
    Installment,
    Loan,
    LoanStatus,
    Rating,
    RatingScheme,
    Recovery,
    Repayment,
    RiskFund,
    SubsidyPayment,
)
from .money import ZERO, shown, yuan

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.registry.models import Household


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("%(l)s不是有效的金额") % {"l": label}}) from exc
    if amount != yuan(amount):
        raise ValidationError({field: _("%(l)s只能精确到分") % {"l": label}})
    if amount < 0:
        raise ValidationError({field: _("%(l)s不能为负数") % {"l": label}})
    return yuan(amount)


# --- banks ------------------------------------------------------------------------------------------

def _check_bank_area(area: Area) -> None:
    if area.level != "county":
        raise ValidationError({"area": _("承贷银行的所在区划须为县，“%(n)s”不是") % {"n": area.name}})


@transaction.atomic
def bank_create(*, actor: User | None, name: str, code: str, area: Area, active: bool = True) -> Bank:
    """A lending bank of a county (承贷银行), by the county office (credit_banks) in its subtree."""
    policy.check_action(actor, "credit_banks", area)
    _check_bank_area(area)
    bank = Bank(name=name.strip(), code=code.strip(), area=area, active=active)
    bank.full_clean()
    bank.save()
    audit_create(actor=actor, obj=bank, area_path=area.path, summary=_("承贷银行：%(n)s") % {"n": bank.name})
    return bank


@transaction.atomic
def bank_update(*, actor: User | None, bank: Bank, name: str, code: str, area: Area, active: bool) -> Bank:
    """Rename a bank, change its code, move it to another county of the actor's subtree or stop using it
    (在用 off: no new loans are offered with it; its loans and accounts stay)."""
    bank = Bank.objects.select_for_update().select_related("area").get(pk=bank.pk)
    policy.check_action(actor, "credit_banks", bank.area)
    policy.check_action(actor, "credit_banks", area)
    _check_bank_area(area)
    before = snapshot(bank)
    bank.name, bank.code, bank.area, bank.active = name.strip(), code.strip(), area, active
    bank.full_clean()
    bank.save()
    audit_update(actor=actor, obj=bank, before=before, after=snapshot(bank), area_path=area.path,
                 summary=_("修改承贷银行：%(n)s") % {"n": bank.name})
    return bank


@transaction.atomic
def bank_user_create(*, actor: User | None, bank: Bank, username: str, display_name: str, phone: str = "",
                     password: str | None = None) -> tuple[User, str | None]:
    """Give ``bank`` a 银行 account: created at the bank's county (fupin.accounts.services.user_create, its
    checks and audit row) and linked to the bank (audited). Returns the account and the temporary password
    to show once (None when the manager typed one)."""
    from fupin.accounts.services import user_create

    policy.check_action(actor, "credit_banks", bank.area)
    if not bank.active:
        raise ValidationError({"bank": _("银行“%(n)s”已停用，不能新建账号") % {"n": bank.name}})
    user, temporary = user_create(actor=actor, username=username, role=policy.role_fit_for("be_bank_staff"),
                                  area=bank.area, display_name=display_name, phone=phone, password=password)
    bank_staff_link(actor=actor, user=user, bank=bank)
    return user, temporary


@transaction.atomic
def bank_staff_link(*, actor: User | None, user: User, bank: Bank, moved_from: Bank | None = None) -> BankStaff:
    """Make ``user`` (a 银行 account) act for ``bank``: it then sees that bank's loans only."""
    policy.check_action(actor, "manage_users", bank.area)
    link, _created = BankStaff.objects.select_for_update().get_or_create(user=user, defaults={"bank": bank})
    before = snapshot(link)
    link.bank = bank
    link.full_clean()
    link.save()
    audit_update(actor=actor, obj=link, before=before if not _created else {}, after=snapshot(link),
                 area_path=bank.area.path, summary=(
                     _("银行账号 %(u)s：%(f)s → %(b)s") % {"u": user, "f": moved_from, "b": bank} if moved_from
                     else _("银行账号 %(u)s → %(b)s") % {"u": user, "b": bank}))
    return link


@transaction.atomic
def bank_staff_assign(*, actor: User | None, bank: Bank, username: str) -> BankStaff:
    """Link an existing account to ``bank``, or move it from another bank, from the bank pages: only an
    active account with the 银行 role (policy ``be_bank_staff``) that ``actor`` manages (policy.may_manage:
    in their subtree), placed at the bank's county (its area is its scope: it lends and records there).
    Each refusal names the account and why; the link is audited (before and after, the previous bank
    named in the summary)."""
    from fupin.accounts.models import User as UserModel

    policy.check_action(actor, "credit_banks", bank.area)
    name = str(username or "").strip()
    users = UserModel.objects.select_related("area")
    if actor is not None:
        users = users.filter(policy.users_q(actor))  # an account outside the manager's subtree: not found
    user = users.filter(username__iexact=name).first() if name else None
    if user is None:
        raise ValidationError({"username": _("没有找到账号“%(u)s”（或不在您的管理范围内）") % {"u": name}})
    if not policy.acts_for(user, "bank"):
        raise ValidationError({"username": _("账号 %(u)s 的角色为“%(r)s”：只有角色为“银行”的账号可以关联银行") % {
            "u": user.username, "r": user.get_role_display()}})
    if actor is not None and not policy.may_manage(actor, user):
        raise ValidationError({"username": _("您不能管理账号 %(u)s") % {"u": user.username}})
    if not user.is_active:
        raise ValidationError({"username": _("账号 %(u)s 已停用，请先在账号管理中启用") % {"u": user.username}})
    if user.area_id != bank.area_id:
        raise ValidationError({"username": _("账号 %(u)s 的所属区划为%(a)s，与%(b)s所在的%(c)s不同：请先在账号管理中修改其所属区划") % {
            "u": user.username, "a": user.area.name if user.area else _("（无）"), "b": bank.name, "c": bank.area.name}})
    current = BankStaff.objects.select_for_update().select_related("bank").filter(user=user).first()
    if current is not None and current.bank_id == bank.pk:
        raise ValidationError({"username": _("账号 %(u)s 已是%(b)s的账号") % {"u": user.username, "b": bank.name}})
    if current is not None:
        policy.check_action(actor, "credit_banks", current.bank.area)
    return bank_staff_link(actor=actor, user=user, bank=bank,
                           moved_from=current.bank if current is not None else None)


# --- the rating scheme and the yearly terms ----------------------------------------------------------

def _check_scheme_write(actor: User | None, area: Area | None) -> None:
    """County admins set their county's scheme and terms; the national ones only a global administrator."""
    if actor is None:
        return
    if area is not None:
        policy.check_action(actor, "credit_scheme", area)
        return
    policy.require(actor, "credit_scheme", _("您的角色不能修改评级授信方案"))
    if policy.scope_path(actor) != "":
        raise PermissionDenied(_("全国的方案由上级制定，您只能查看；可为本县另立方案"))


@transaction.atomic
def scheme_save(*, actor: User | None, area: Area | None, year: int, name: str, indicators: list[dict],
                grades: list[dict], valid_years: int = 1, note: str = "", scheme: RatingScheme | None = None
                ) -> RatingScheme:
    """Save a rating scheme. ``scheme`` given: edit it — in place while no rating used it, otherwise as
    its next version (the ratings keep the version they were made with). A scheme for the same year and
    area as ``scheme`` without it: a new version too."""
    _check_scheme_write(actor, area)
    indicators = [{"key": str(i["key"]).strip(), "label": str(i["label"]).strip(), "max": int(i["max"])}
                  for i in indicators]
    grades = [{"grade": str(g["grade"]).strip(), "min": int(g["min"]), "line": str(yuan(g["line"]))} for g in grades]
    if scheme is not None:
        scheme = RatingScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme is not None and not scheme.used and scheme.year == year and scheme.area_id == (area.pk if area else None):
        before = snapshot(scheme)
        scheme.name, scheme.indicators, scheme.grades = name.strip(), indicators, grades
        scheme.valid_years, scheme.note = valid_years, note.strip()
        scheme.full_clean()
        scheme.save()
        audit_update(actor=actor, obj=scheme, before=before, after=snapshot(scheme),
                     area_path=area.path if area else "", summary=_("修改评级授信方案：%(n)s") % {"n": scheme})
        return scheme
    latest = RatingScheme.objects.filter(year=year, area=area).aggregate(v=Max("version"))["v"] or 0
    new = RatingScheme(area=area, year=year, version=latest + 1, name=name.strip(), indicators=indicators,
                       grades=grades, valid_years=valid_years, note=note.strip(),
                       created_by=actor if getattr(actor, "pk", None) else None)
    new.full_clean()
    new.save()
    audit_create(actor=actor, obj=new, area_path=area.path if area else "",
                 summary=_("评级授信方案：%(n)s") % {"n": new})
    return new


@transaction.atomic
def terms_set(*, actor: User | None, area: Area | None, year: int, annual_rate: Decimal, subsidy_share: Decimal,
              note: str = "") -> CreditTerms:
    """Set the year's rate and subsidy share (loans already made keep theirs)."""
    _check_scheme_write(actor, area)
    terms = CreditTerms.objects.select_for_update().filter(year=year, area=area).first()
    before = snapshot(terms) if terms else None
    terms = terms or CreditTerms(year=year, area=area)
    terms.annual_rate, terms.subsidy_share, terms.note = annual_rate, subsidy_share, note.strip()
    terms.full_clean(validate_constraints=False)
    terms.save()
    path = area.path if area else ""
    if before is None:
        audit_create(actor=actor, obj=terms, area_path=path, summary=_("年度利率与贴息：%(t)s") % {"t": terms})
    else:
        audit_update(actor=actor, obj=terms, before=before, after=snapshot(terms), area_path=path,
                     summary=_("年度利率与贴息：%(t)s") % {"t": terms})
    return terms


# --- ratings ----------------------------------------------------------------------------------------

def _refuse_ineligible(household: Household) -> None:
    error = rules.eligibility_error(household.status, household.get_status_display())
    if error:
        raise ValidationError({"household": error})


@transaction.atomic
def rating_record(*, actor: User | None, household: Household, year: int, scores: dict[str, Any],
                  rated_on: datetime.date, village_rep: str, team_rep: str, bank: Bank, bank_rep: str,
                  note: str = "") -> Rating:
    """评级授信 of ``household`` for ``year`` by the scheme in force there; the three parties named. A
    second rating of the same year replaces the first's scores (audited), unless a loan was made on it."""
    policy.check_action(actor, "credit_rate", household.area)
    _refuse_ineligible(household)
    scheme = selectors.scheme_for(household.area, year)
    if scheme is None:
        raise ValidationError({"year": _("%(y)d 年没有适用于%(a)s的评级授信方案") % {"y": year, "a": household.area.name}})
    errors = rules.score_errors(scheme.indicators, scores)
    parties = {"village_rep": (village_rep, _("村委会评议人")), "team_rep": (team_rep, _("驻村工作队评议人")),
               "bank_rep": (bank_rep, _("银行评议人"))}
    for field, (value, label) in parties.items():
        if not str(value or "").strip():
            errors[field] = _("请填写%(l)s（评级由村委会、驻村工作队和银行共同评定）") % {"l": label}
    if errors:
        raise ValidationError(errors)
    total, grade = rules.rate(scheme.indicators, scheme.grades, scores)
    rating = Rating.objects.select_for_update().filter(household=household, year=year).first()
    before = snapshot(rating) if rating else None
    if rating is not None and rating.loans.exists():
        raise ValidationError({"year": _("该户 %(y)d 年的评级已用于发放贷款，不能修改") % {"y": year}})
    rating = rating or Rating(household=household, year=year)
    rating.scheme, rating.scheme_version = scheme, scheme.version
    rating.scores = {i["key"]: int(scores[i["key"]]) for i in scheme.indicators}
    rating.total, rating.grade, rating.credit_line = total, grade.grade, grade.line
    rating.rated_on, rating.bank = rated_on, bank
    rating.village_rep, rating.team_rep, rating.bank_rep = village_rep.strip(), team_rep.strip(), bank_rep.strip()
    rating.note = note.strip()
    rating.recorded_by = actor if getattr(actor, "pk", None) else None
    rating.full_clean(validate_constraints=False)
    rating.save()
    if not scheme.used:
        RatingScheme.objects.filter(pk=scheme.pk).update(used=True)
    summary = _("评级授信：%(n)s %(y)d 年 %(g)s（%(t)d 分，额度 %(l)s 元）") % {
        "n": household.number, "y": year, "g": grade.grade, "t": total, "l": shown(grade.line)}
    if before is None:
        audit_create(actor=actor, obj=rating, area_path=household.area_path, summary=summary)
    else:
        audit_update(actor=actor, obj=rating, before=before, after=snapshot(rating), area_path=household.area_path,
                     summary=summary)
    return rating


# --- loans ------------------------------------------------------------------------------------------

@transaction.atomic
def loan_create(*, actor: User | None, household: Household, bank: Bank, contract_no: str, borrower: str,
                principal: Any, term_months: int, disbursed_on: datetime.date, purpose: str,
                method: str = rules.Method.BULLET, synthetic: bool = False) -> Loan:
    """放款: a loan to a registered household with a rating in force that leaves enough of its credit
    line, within 50,000 yuan and 3 years, at the year's rate and subsidy share; its schedule stored."""
    policy.check_action(actor, "credit_lend", household.area)
    policy.check_organisation(actor, bank.pk, "bank", _("只能录入本行发放的贷款"))
    principal = _money(principal, "principal", _("贷款金额"))
    _refuse_ineligible(household)
    # Lock the household's other loans' rows: two loans recorded at once must not both fit the line.
    list(Loan.objects.select_for_update().filter(household=household).values_list("pk", flat=True))
    rating = selectors.rating_in_force(household, disbursed_on)
    errors = rules.loan_limit_errors(
        principal=principal, term_months=term_months, grade=rating.grade if rating else "",
        available=selectors.available_line(rating, household) if rating else None)
    if rating is None:
        errors.setdefault("household", _("该户 %(y)d 年未评级授信，不能发放扶贫小额信贷") % {"y": disbursed_on.year})
    terms = selectors.terms_of(household.area, disbursed_on.year)
    if terms is None:
        errors.setdefault("disbursed_on", _("%(y)d 年的利率与贴息比例尚未设定") % {"y": disbursed_on.year})
    if errors:
        raise ValidationError(errors)
    loan = Loan(household=household, area_path=household.area_path, bank=bank, rating=rating,
                contract_no=contract_no.strip(), borrower=borrower.strip() or household.head_name,
                principal=principal, term_months=term_months, annual_rate=terms.annual_rate,
                subsidy_share=terms.subsidy_share, method=method, purpose=purpose, disbursed_on=disbursed_on,
                maturity_on=rules.add_months(disbursed_on, term_months), synthetic=synthetic,
                created_by=actor if getattr(actor, "pk", None) else None)
    loan.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            loan.save()
    except IntegrityError as exc:
        raise ValidationError({"contract_no": _("合同编号 %(c)s 已存在") % {"c": loan.contract_no}}) from exc
    Installment.objects.bulk_create([
        Installment(loan=loan, number=p.number, start=p.start, due_on=p.due, principal=p.principal,
                    interest=p.interest, subsidy=rules.subsidy(p.interest, loan.subsidy_share))
        for p in rules.schedule(principal=principal, annual_rate=loan.annual_rate, start=disbursed_on,
                                term_months=term_months, method=method)])
    audit_create(actor=actor, obj=loan, area_path=household.area_path,
                 summary=_("放款：%(n)s %(b)s %(a)s 元 %(t)d 个月") % {
                     "n": household.number, "b": bank.name, "a": shown(principal), "t": term_months})
    return loan


@transaction.atomic
def repayment_record(*, actor: User | None, loan: Loan, paid_on: datetime.date, principal: Any = 0,
                     interest: Any = 0, note: str = "") -> Repayment:
    """还款: principal and interest paid on ``paid_on``. The loan is settled (已结清) when its principal
    and every period's interest are paid."""
    loan = Loan.objects.select_for_update().select_related("household__area", "bank").get(pk=loan.pk)
    policy.check_action(actor, "credit_lend", loan.household.area)
    policy.check_organisation(actor, loan.bank_id, "bank", _("只能录入本行贷款的还款"))
    principal = _money(principal or 0, "principal", _("归还本金"))
    interest = _money(interest or 0, "interest", _("支付利息"))
    errors: dict[str, str] = {}
    if principal == 0 and interest == 0:
        errors["principal"] = _("还款本金和利息不能都为 0")
    owed = selectors.outstanding_principal(loan)
    if principal > owed:
        errors["principal"] = _("归还本金 %(a)s 元超过未还本金 %(o)s 元") % {"a": shown(principal), "o": shown(owed)}
    if paid_on < loan.disbursed_on:
        errors["paid_on"] = _("还款日期不能早于放款日期 %(d)s") % {"d": loan.disbursed_on}
    if loan.status == LoanStatus.REPAID:
        errors["loan"] = _("该笔贷款已结清")
    elif loan.status == LoanStatus.COMPENSATED:
        errors["loan"] = _("该笔贷款已由风险补偿金代偿：此后收回的款项请登记为追偿")
    if errors:
        raise ValidationError(errors)
    rep = Repayment(loan=loan, paid_on=paid_on, principal=principal, interest=interest, note=note.strip(),
                    recorded_by=actor if getattr(actor, "pk", None) else None)
    rep.full_clean()
    rep.save()
    audit_create(actor=actor, obj=rep, area_path=loan.area_path,
                 summary=_("还款：%(c)s 本金 %(p)s 元 利息 %(i)s 元") % {
                     "c": loan.contract_no, "p": shown(principal), "i": shown(interest)})
    due_interest = loan.installments.aggregate(s=Sum("interest"))["s"] or ZERO
    paid_interest = loan.repayments.aggregate(s=Sum("interest"))["s"] or ZERO
    if owed - principal == 0 and paid_interest >= due_interest and loan.status == LoanStatus.ACTIVE:
        loan.status, loan.closed_on = LoanStatus.REPAID, paid_on
        loan.save(update_fields=["status", "closed_on"])
        audit_status(actor=actor, obj=loan, area_path=loan.area_path,
                     summary=_("贷款结清：%(c)s") % {"c": loan.contract_no},
                     data={"status": {"before": LoanStatus.ACTIVE, "after": LoanStatus.REPAID}})
    return rep


# --- interest subsidy -------------------------------------------------------------------------------

@transaction.atomic
def subsidy_pay(*, actor: User | None, installment: Installment, paid_on: datetime.date) -> SubsidyPayment:
    """贴息: pay one period's subsidy, once, after the household has paid that period's interest."""
    loan = Loan.objects.select_for_update().select_related("household__area").get(pk=installment.loan_id)
    policy.check_action(actor, "credit_subsidy", loan.household.area)
    if SubsidyPayment.objects.filter(installment=installment).exists():
        raise ValidationError({"installment": _("第 %(n)d 期的贴息已拨付") % {"n": installment.number}})
    state = next(p for p in selectors.loan_standing(loan, paid_on).periods if p.number == installment.number)
    if not state.interest_settled:
        raise ValidationError({"installment": _("第 %(n)d 期利息尚未付清，贴息须在借款户付息后拨付") % {
            "n": installment.number}})
    if installment.subsidy <= 0:
        raise ValidationError({"installment": _("第 %(n)d 期没有应贴息金额") % {"n": installment.number}})
    payment = SubsidyPayment(installment=installment, loan=loan, amount=installment.subsidy, paid_on=paid_on,
                             paid_by=actor if getattr(actor, "pk", None) else None)
    payment.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError as exc:  # a concurrent payment of the same period
        raise ValidationError({"installment": _("第 %(n)d 期的贴息已拨付") % {"n": installment.number}}) from exc
    audit_create(actor=actor, obj=payment, area_path=loan.area_path,
                 summary=_("拨付贴息：%(c)s 第 %(n)d 期 %(a)s 元") % {
                     "c": loan.contract_no, "n": installment.number, "a": shown(payment.amount)})
    return payment


def subsidy_payable(loans: Any, on: datetime.date) -> list[Installment]:
    """The periods of ``loans`` whose interest is paid by ``on`` and whose subsidy is not paid yet."""
    out = []
    for loan in loans.prefetch_related("installments__subsidy_payment", "repayments"):
        stand = selectors.loan_standing(loan, on)
        settled = {p.number for p in stand.periods if p.interest_settled}
        for inst in loan.installments.all():
            if inst.number in settled and inst.subsidy > 0 and not hasattr(inst, "subsidy_payment"):
                out.append(inst)
    return out


def subsidy_pay_due(*, actor: User | None, loans: Any, on: datetime.date) -> list[SubsidyPayment]:
    """Pay every payable period of ``loans`` (read through a scoped selector) on ``on``; each payment
    in its own transaction, so a refusal of one leaves the others paid."""
    return [subsidy_pay(actor=actor, installment=inst, paid_on=on) for inst in subsidy_payable(loans, on)]


# --- the risk-compensation fund ---------------------------------------------------------------------

@transaction.atomic
def fund_setup(*, actor: User | None, area: Area, loss_share: Decimal, min_overdue_days: int = 90,
               note: str = "") -> RiskFund:
    policy.check_action(actor, "credit_fund", area)
    fund = RiskFund.objects.select_for_update().filter(area=area).first()
    before = snapshot(fund) if fund else None
    fund = fund or RiskFund(area=area)
    fund.loss_share, fund.min_overdue_days, fund.note = loss_share, min_overdue_days, note.strip()
    fund.full_clean(validate_unique=False)
    fund.save()
    if before is None:
        audit_create(actor=actor, obj=fund, area_path=area.path, summary=_("风险补偿金：%(a)s") % {"a": area.name})
    else:
        audit_update(actor=actor, obj=fund, before=before, after=snapshot(fund), area_path=area.path)
    return fund


@transaction.atomic
def fund_deposit(*, actor: User | None, fund: RiskFund, amount: Any, on: datetime.date, note: str = "") -> FundEntry:
    fund = RiskFund.objects.select_for_update().select_related("area").get(pk=fund.pk)
    policy.check_action(actor, "credit_fund", fund.area)
    amount = _money(amount, "amount", _("注入金额"))
    if amount <= 0:
        raise ValidationError({"amount": _("注入金额须大于 0")})
    entry = FundEntry(fund=fund, kind=FundEntryKind.DEPOSIT, amount=amount, on=on, note=note.strip(),
                      recorded_by=actor if getattr(actor, "pk", None) else None)
    entry.full_clean()
    entry.save()
    audit_create(actor=actor, obj=entry, area_path=fund.area.path,
                 summary=_("风险补偿金注入 %(a)s 元") % {"a": shown(amount)})
    return entry


@transaction.atomic
def loan_compensate(*, actor: User | None, loan: Loan, on: datetime.date) -> FundEntry:
    """代偿: a loan overdue at least the fund's days; the loss is the principal still owed, of which the
    fund pays its share (to the fen) and the bank bears the rest. Refused when the fund's balance is short."""
    loan = Loan.objects.select_for_update().select_related("household__area", "bank").get(pk=loan.pk)
    policy.check_action(actor, "credit_fund", loan.household.area)
    fund = RiskFund.objects.select_for_update().filter(
        area__path__in=[loan.area_path[:n] for n in range(1, len(loan.area_path) + 1)]).first()
    if fund is None:
        raise ValidationError({"loan": _("该县尚未设立风险补偿金")})
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError({"loan": _("只有在贷的贷款可以代偿（当前：%(s)s）") % {"s": loan.get_status_display()}})
    stand = selectors.loan_standing(loan, on)
    if stand.overdue_days < fund.min_overdue_days:
        raise ValidationError({"loan": _("逾期 %(d)d 天，未达到代偿条件（逾期 %(m)d 天以上）") % {
            "d": stand.overdue_days, "m": fund.min_overdue_days}})
    loss = selectors.outstanding_principal(loan, on)
    amount = yuan(loss * fund.loss_share)
    balance = selectors.fund_balance(fund, on)
    if amount > balance:
        raise ValidationError({"loan": _("风险补偿金余额 %(b)s 元，不足以代偿 %(a)s 元") % {
            "b": shown(balance), "a": shown(amount)}})
    entry = FundEntry(fund=fund, kind=FundEntryKind.COMPENSATION, amount=amount, loss=loss, on=on, loan=loan,
                      note=_("损失 %(l)s 元，风险补偿金承担 %(s)s%%，银行承担其余") % {
                          "l": shown(loss), "s": f"{fund.loss_share * 100:.0f}"},
                      recorded_by=actor if getattr(actor, "pk", None) else None)
    entry.full_clean(validate_constraints=False)
    entry.save()
    loan.status, loan.closed_on = LoanStatus.COMPENSATED, on
    loan.save(update_fields=["status", "closed_on"])
    audit_status(actor=actor, obj=loan, area_path=loan.area_path,
                 summary=_("风险补偿金代偿：%(c)s %(a)s 元") % {"c": loan.contract_no, "a": shown(amount)},
                 data={"status": {"before": LoanStatus.ACTIVE, "after": LoanStatus.COMPENSATED},
                       "loss": str(loss), "fund_share": str(amount)})
    return entry


def _compensation_of(loan: Loan) -> FundEntry:
    comp = FundEntry.objects.select_related("fund__area").filter(loan=loan, kind=FundEntryKind.COMPENSATION).first()
    if loan.status != LoanStatus.COMPENSATED or comp is None:
        raise ValidationError({"loan": _("只有风险补偿金已代偿的贷款可以登记追偿（当前：%(s)s）") % {
            "s": loan.get_status_display()}})
    return comp


def _recovered_so_far(loan: Loan) -> tuple[Decimal, Decimal]:
    """What was recovered on ``loan`` and returned to the fund, net of reversals (a reversal's row is the
    recovery's negated)."""
    done = loan.recoveries.aggregate(a=Sum("amount"), f=Sum("fund_share"))
    return yuan(done["a"] or ZERO), yuan(done["f"] or ZERO)  # SQLite sums as floats


def _locked_recovery_loan(actor: User | None, loan: Loan, message: str) -> Loan:
    """The loan locked, with the checks every recovery write shares: ``credit_recover`` in the loan's
    area, and a bank's account only on its own bank's loans."""
    loan = Loan.objects.select_for_update().select_related("household__area", "bank").get(pk=loan.pk)
    policy.check_action(actor, "credit_recover", loan.household.area)
    policy.check_organisation(actor, loan.bank_id, "loan", message)
    return loan


@transaction.atomic
def recovery_record(*, actor: User | None, loan: Loan, amount: Any, on: datetime.date, note: str = "") -> Recovery:
    """追偿: ``amount`` recovered on a compensated loan on ``on``, by the county office or by the lending
    bank (a 银行 account: its own bank's loans; the recovery then names the bank). It is returned in the
    proportions the loss was shared at 代偿: the fund's part is credited to the fund (a RECOVERY entry, so
    its balance rises by exactly that), the rest is the bank's. Each part is the cumulative share of
    everything recovered so far, to the fen, less what was returned before: once the whole loss is
    recovered the fund has had back exactly what it paid and the bank exactly what it bore. Refused
    above the loss still unrecovered, before the compensation, or on a loan that was not compensated."""
    loan = _locked_recovery_loan(actor, loan, _("只能登记本行贷款的追偿"))
    amount = _money(amount, "amount", _("追回金额"))
    comp = _compensation_of(loan)
    fund = RiskFund.objects.select_for_update().get(pk=comp.fund_id)
    before_total, before_fund = _recovered_so_far(loan)
    left = comp.loss - before_total
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = _("追回金额须大于 0")
    elif amount > left:
        errors["amount"] = _("追回金额 %(a)s 元超过尚未追回的损失 %(l)s 元（损失 %(t)s 元，已追回 %(d)s 元）") % {
            "a": shown(amount), "l": shown(left), "t": shown(comp.loss), "d": shown(before_total)}
    if on < comp.on:
        errors["on"] = _("追回日期不能早于代偿日期 %(d)s") % {"d": comp.on}
    if errors:
        raise ValidationError(errors)
    fund_part = rules.recovery_fund_part(loss=comp.loss, fund_paid=comp.amount, recovered_before=before_total,
                                         fund_before=before_fund, amount=amount)
    by = actor if getattr(actor, "pk", None) else None
    bank = loan.bank if policy.acts_for(actor, "bank") else None
    entry = None
    if fund_part > 0:
        entry = FundEntry(fund=fund, kind=FundEntryKind.RECOVERY, amount=fund_part, on=on, loan=loan,
                          note=_("追偿 %(c)s：追回 %(a)s 元，按代偿时的分担比例退回%(by)s") % {
                              "c": loan.contract_no, "a": shown(amount),
                              "by": _("（%(b)s登记）") % {"b": bank.name} if bank else ""},
                          recorded_by=by)
        entry.full_clean(validate_constraints=False)
        entry.save()
    rec = Recovery(loan=loan, on=on, amount=amount, fund_share=fund_part, bank_share=amount - fund_part,
                   fund_entry=entry, note=note.strip(), bank=bank, recorded_by=by)
    rec.full_clean(validate_constraints=False)
    rec.save()
    audit_create(actor=actor, obj=rec, area_path=loan.area_path,
                 summary=_("代偿后追偿：%(c)s 追回 %(a)s 元，退回风险补偿金 %(f)s 元，归银行 %(b)s 元%(by)s") % {
                     "c": loan.contract_no, "a": shown(amount), "f": shown(fund_part), "b": shown(amount - fund_part),
                     "by": _("（%(b)s登记）") % {"b": bank.name} if bank else ""})
    return rec


@transaction.atomic
def recovery_reverse(*, actor: User | None, recovery: Recovery, reason: str, on: datetime.date) -> Recovery:
    """冲正: take back a recovery recorded in error, with ``reason``, on ``on`` (the day of the reversal).
    A second row negates the recovery's amount and both parts exactly, and a RECOVERY_REVERSAL entry takes
    its fund part out of the fund again: the loan's recovered sum and the fund's balance are what they
    were before it, to the fen; a closed month's statement is not rewritten (the reversal is this
    month's). By the county office, or by the bank that recorded it (policy.may_reverse_recovery); a
    reversal itself, or a recovery reversed already, is refused."""
    rec = Recovery.objects.select_related("loan").get(pk=recovery.pk)
    loan = _locked_recovery_loan(actor, rec.loan, _("只能冲正本行贷款的追偿"))
    rec = Recovery.objects.select_for_update(of=("self",)).select_related("bank").get(pk=rec.pk)  # bank: nullable
    if not policy.may_reverse_recovery(actor, rec.bank_id):
        raise PermissionDenied(_("这笔追偿由%(by)s登记，只有县扶贫办或登记的银行可以冲正") % {
            "by": rec.bank.name if rec.bank else _("县扶贫办")})
    errors: dict[str, str] = {}
    if rec.reverses_id is not None:
        errors["recovery"] = _("这是一笔冲正记录，不能再冲正；如需恢复，请重新登记追偿")
    elif Recovery.objects.filter(reverses=rec).exists():
        errors["recovery"] = _("%(d)s 追回 %(a)s 元的这笔追偿已冲正") % {"d": rec.on, "a": shown(rec.amount)}
    if not str(reason or "").strip():
        errors["reason"] = _("请填写冲正原因")
    if on < rec.on:
        errors["on"] = _("冲正日期不能早于追回日期 %(d)s") % {"d": rec.on}
    if errors:
        raise ValidationError(errors)
    by = actor if getattr(actor, "pk", None) else None
    bank = loan.bank if policy.acts_for(actor, "bank") else None
    entry = None
    if rec.fund_share > 0:
        fund = RiskFund.objects.select_for_update().get(pk=rec.fund_entry.fund_id)
        entry = FundEntry(fund=fund, kind=FundEntryKind.RECOVERY_REVERSAL, amount=rec.fund_share, on=on, loan=loan,
                          note=_("冲正 %(c)s %(d)s 的追偿：%(r)s") % {"c": loan.contract_no, "d": rec.on,
                                                                   "r": reason.strip()},
                          recorded_by=by)
        entry.full_clean(validate_constraints=False)
        entry.save()
    reversal = Recovery(loan=loan, on=on, amount=-rec.amount, fund_share=-rec.fund_share, bank_share=-rec.bank_share,
                        fund_entry=entry, reverses=rec, reason=reason.strip(), bank=bank, recorded_by=by,
                        note=_("冲正 %(d)s 的追偿") % {"d": rec.on})
    reversal.full_clean(validate_constraints=False, exclude=["reverses"])
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError as exc:  # a concurrent reversal of the same recovery
        raise ValidationError({"recovery": _("这笔追偿已冲正")}) from exc
    audit_create(actor=actor, obj=reversal, area_path=loan.area_path,
                 summary=_("冲正追偿：%(c)s %(d)s 追回 %(a)s 元（退回风险补偿金 %(f)s 元，归银行 %(b)s 元），原因：%(r)s") % {
                     "c": loan.contract_no, "d": rec.on, "a": shown(rec.amount), "f": shown(rec.fund_share),
                     "b": shown(rec.bank_share), "r": reason.strip()})
    return reversal
