"""扶贫小额信贷 pages (issue 15 #7): loans by area with the overdue filter, one loan (schedule, repayments,
subsidy), ratings with the village notice, the rating scheme and yearly terms, a bank's monthly statement
(page and .xlsx) and the risk fund. Reads through fupin.credit.selectors (scoped; outside → 404); writes
through fupin.credit.services (the policy's capability and area checks are theirs)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fupin.accounts import policy
from fupin.areas.models import Level
from fupin.areas.selectors import area_get, area_list, area_root
from fupin.audit.services import audit_export
from fupin.registry.choices import Relation
from fupin.web.forms import apply_errors

from . import selectors, services
from .forms import (
    GRADE_ROWS,
    INDICATOR_ROWS,
    BankForm,
    BankLinkForm,
    BankUserForm,
    DepositForm,
    LoanForm,
    RatingForm,
    RecoveryForm,
    RecoveryReversalForm,
    RepaymentForm,
    SchemeForm,
    TermsForm,
    month_of,
    padded,
    rows_from_post,
)
from .models import Installment, LoanStatus

SECTION = {"SECTION": "credit"}


def _ctx(**kw: Any) -> dict[str, Any]:
    return {**SECTION, **kw}


def _area(request: HttpRequest) -> Any:
    """The area asked for (?area=code, inside the scope or 404), else the user's root (None: none)."""
    code = request.GET.get("area", "").strip()
    return area_get(user=request.user, code=code) if code else area_root(user=request.user)


def _query(request: HttpRequest) -> str:
    """The page's filters, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _household(request: HttpRequest, number: str) -> Any:
    household = policy.visible_households(request.user).select_related("area").filter(number=number.strip()).first()
    if household is None:
        raise ValidationError({"number": _("没有找到户编号为 %(n)s 的贫困户（或不在您的范围内）") % {"n": number}})
    return household


# --- loans ------------------------------------------------------------------------------------------

def _loan_rows(loans: QuerySet, today: Any) -> list[Any]:
    rows = []
    for loan in loans:
        loan.standing = selectors.loan_standing(loan, today)
        loan.owed = loan.principal - sum((r.principal for r in loan.repayments.all()), Decimal("0"))
        rows.append(loan)
    return rows


@login_required
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    area = _area(request)
    loans = selectors.loans_for(user).select_related("household__area", "bank").order_by("-disbursed_on", "-id")
    if area is not None:
        loans = loans.filter(area_path__startswith=area.path)
    banks = selectors.banks_for(user)
    bank = request.GET.get("bank", "")
    if bank.isdigit():
        loans = loans.filter(bank_id=int(bank))
    status = request.GET.get("status", "")
    if status in LoanStatus.values:
        loans = loans.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        loans = loans.filter(Q(household__number__startswith=q) | Q(household__head_name__contains=q)
                             | Q(contract_no__contains=q))
    overdue = request.GET.get("overdue") == "1"
    # prefetch: each row walks its schedule and sums its repayments
    loans = loans.prefetch_related("installments", "repayments")
    if overdue:
        rows = [r for r in _loan_rows(loans.filter(selectors.overdue_q(today)).distinct(), today) if r.standing.overdue]
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
    else:
        page = Paginator(loans, 50).get_page(request.GET.get("page"))
        page.object_list = _loan_rows(page.object_list, today)
    children = area.children.order_by("code") if area is not None else []
    return render(request, "credit/loan_list.html", _ctx(
        page=page, area=area, children=children, banks=banks, bank=bank, status=status, statuses=LoanStatus.choices,
        query=_query(request), overdue=overdue, q=q, can_lend=policy.can(user, "credit_lend"), today=today))


@login_required
@require_GET
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_page(request, selectors.loan_get(request.user, pk))


def _recoveries(user: Any, loan: Any, reverse_errors: dict[int, list[str]] | None = None) -> list[Any]:
    """The loan's recoveries and reversals, each marked with whether ``user`` may reverse it (a recovery
    not reversed yet, recorded by the county office or by the user's own bank: the policy's rule)."""
    rows = list(loan.recoveries.select_related("bank", "recorded_by", "reversal", "reverses").order_by("on", "id"))
    recover = policy.can(user, "credit_recover")
    for r in rows:
        reversed_already = hasattr(r, "reversal")
        r.is_reversed = reversed_already
        r.may_reverse = (recover and r.reverses_id is None and not reversed_already
                         and policy.may_reverse_recovery(user, r.bank_id))
        r.errors = (reverse_errors or {}).get(r.pk, [])
    return rows


def _loan_page(request: HttpRequest, loan: Any, repay_form: RepaymentForm | None = None, status: int = 200,
               recover_form: RecoveryForm | None = None,
               reverse_errors: dict[int, list[str]] | None = None) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    stand = selectors.loan_standing(loan, today)
    states = {p.number: p for p in stand.periods}
    installments = list(loan.installments.select_related("subsidy_payment"))
    for inst in installments:
        inst.state = states[inst.number]
        inst.paid_subsidy = getattr(inst, "subsidy_payment", None)
    fund = selectors.fund_for(user, loan.household.area)
    head = loan.household.members.filter(relation=Relation.HEAD, active=True).values_list("id_number", flat=True).first()
    return render(request, "credit/loan_detail.html", _ctx(
        loan=loan, standing=stand, installments=installments, repayments=loan.repayments.order_by("paid_on", "id"),
        owed=selectors.outstanding_principal(loan), head_id=policy.shown(user, "id_number", head),
        repay_form=repay_form or RepaymentForm(), today=today, fund=fund,
        compensation=loan.fund_entries.filter(kind="compensation").first(),
        recoveries=_recoveries(user, loan, reverse_errors),
        recover_form=(recover_form or RecoveryForm(prefix="rec")) if policy.can(user, "credit_recover")
        and loan.status == LoanStatus.COMPENSATED else None,
        can_lend=policy.can(user, "credit_lend") and loan.status == LoanStatus.ACTIVE,
        can_subsidy=policy.can(user, "credit_subsidy"),
        can_compensate=policy.can(user, "credit_fund") and fund is not None and loan.status == LoanStatus.ACTIVE
        and stand.overdue_days >= fund.min_overdue_days), status=status)


@login_required
@require_POST
def loan_repay(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "credit_lend", _("您的角色不能录入还款"))
    loan = selectors.loan_get(request.user, pk)
    form = RepaymentForm(request.POST)
    if form.is_valid():
        try:
            services.repayment_record(actor=request.user, loan=loan, **form.cleaned_data)
            messages.success(request, _("已录入还款"))
            return redirect("credit:loan", pk=loan.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _loan_page(request, loan, repay_form=form, status=400)


@login_required
@require_POST
def loan_subsidy(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    policy.require(request.user, "credit_subsidy", _("您的角色不能拨付贴息"))
    loan = selectors.loan_get(request.user, pk)
    inst = get_object_or_404(Installment, loan=loan, number=number)
    try:
        services.subsidy_pay(actor=request.user, installment=inst, paid_on=timezone.localdate())
        messages.success(request, _("已拨付第 %(n)d 期贴息") % {"n": number})
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("credit:loan", pk=loan.pk)


@login_required
@require_POST
def loan_compensate(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "credit_fund", _("您的角色不能办理代偿"))
    loan = selectors.loan_get(request.user, pk)
    try:
        services.loan_compensate(actor=request.user, loan=loan, on=timezone.localdate())
        messages.success(request, _("已由风险补偿金代偿"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("credit:loan", pk=loan.pk)


@login_required
@require_POST
def loan_recover(request: HttpRequest, pk: int) -> HttpResponse:
    """追偿 after 代偿 (the county office, or the lending bank on its own loans): the amount recovered,
    returned to the fund and the bank in the loss's proportions."""
    policy.require(request.user, "credit_recover", _("您的角色不能登记追偿"))
    loan = selectors.loan_get(request.user, pk)
    form = RecoveryForm(request.POST, prefix="rec")  # the repayment form on the same page has a note too
    if form.is_valid():
        try:
            rec = services.recovery_record(actor=request.user, loan=loan, **form.cleaned_data)
            messages.success(request, _("已登记追偿 %(a)s 元：退回风险补偿金 %(f)s 元，归银行 %(b)s 元") % {
                "a": rec.amount, "f": rec.fund_share, "b": rec.bank_share})
            return redirect("credit:loan", pk=loan.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _loan_page(request, loan, recover_form=form, status=400)


@login_required
@require_POST
def loan_recovery_reverse(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    """冲正 a recovery recorded in error, with a reason (the county office, or the bank that recorded it)."""
    policy.require(request.user, "credit_recover", _("您的角色不能冲正追偿"))
    loan = selectors.loan_get(request.user, pk)
    rec = get_object_or_404(loan.recoveries, pk=rid)
    form = RecoveryReversalForm(request.POST, prefix=f"rev{rec.pk}")
    errors: list[str] = []
    if form.is_valid():
        try:
            services.recovery_reverse(actor=request.user, recovery=rec, reason=form.cleaned_data["reason"],
                                      on=timezone.localdate())
            messages.success(request, _("已冲正 %(d)s 追回 %(a)s 元的追偿") % {"d": rec.on, "a": rec.amount})
            return redirect(reverse("credit:loan", args=[loan.pk]) + "#recovery")
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [_("冲正原因：%(e)s") % {"e": e} for e in form.errors.get("reason", [])] or [_("请填写冲正原因")]
    return _loan_page(request, loan, status=400, reverse_errors={rec.pk: errors})


@login_required
@require_http_methods(["GET", "POST"])
def loan_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "credit_lend", _("您的角色不能录入贷款"))
    banks = selectors.banks_for(user).filter(active=True)
    initial = {"number": request.GET.get("number", ""), "bank": banks.first() if banks.count() == 1 else None}
    form = LoanForm(request.POST or None, banks=banks, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            household = _household(request, cd["number"])
            loan = services.loan_create(actor=user, household=household, bank=cd["bank"],
                                        contract_no=cd["contract_no"], borrower=cd["borrower"],
                                        principal=cd["principal"], term_months=cd["term_months"],
                                        disbursed_on=cd["disbursed_on"], purpose=cd["purpose"], method=cd["method"])
            messages.success(request, _("已录入贷款"))
            return redirect("credit:loan", pk=loan.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "credit/form.html", _ctx(form=form, title=_("录入扶贫小额贷款"), tab="loans",
                                                    note=_("单户不超过 5 万元、期限不超过 3 年、免担保免抵押，须为已评级授信的建档立卡户；"
                                                           "利率和贴息比例取放款年度的设定。")),
                  status=400 if form.errors else 200)


# --- ratings ----------------------------------------------------------------------------------------

@login_required
@require_GET
def rating_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    area = _area(request)
    ratings = selectors.ratings_for(user).select_related("household__area", "bank").order_by(
        "-year", "household__area_path", "household__number")
    if area is not None:
        ratings = ratings.filter(household__area_path__startswith=area.path)
    years = sorted(set(selectors.ratings_for(user).values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else (years[0] if years else None)
    if year:
        ratings = ratings.filter(year=year)
    grade = request.GET.get("grade", "")
    if grade:
        ratings = ratings.filter(grade=grade)
    page = Paginator(ratings, 50).get_page(request.GET.get("page"))
    counts: dict[str, int] = {}
    for g in ratings.values_list("grade", flat=True):
        counts[g] = counts.get(g, 0) + 1
    return render(request, "credit/rating_list.html", _ctx(
        page=page, query=_query(request), area=area, years=years, year=year, grade=grade, counts=sorted(counts.items()),
        children=area.children.order_by("code") if area is not None else [],
        can_rate=policy.can(user, "credit_rate")))


@login_required
@require_http_methods(["GET", "POST"])
def rating_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "credit_rate", _("您的角色不能录入评级授信"))
    banks = selectors.banks_for(user)
    today = timezone.localdate()
    form = RatingForm(request.POST or None, banks=banks, initial={"number": request.GET.get("number", ""),
                                                                   "year": today.year})
    scheme, score_errors = None, {}
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            household = _household(request, cd["number"])
            scheme = selectors.scheme_for(household.area, cd["year"])
            scores = {k[6:]: v for k, v in request.POST.items() if k.startswith("score-")}
            services.rating_record(actor=user, household=household, year=cd["year"], scores=scores,
                                   rated_on=cd["rated_on"], village_rep=cd["village_rep"], team_rep=cd["team_rep"],
                                   bank=cd["bank"], bank_rep=cd["bank_rep"], note=cd["note"])
            messages.success(request, _("已录入评级授信"))
            return redirect(f"{_url('credit:ratings')}?year={cd['year']}")
        except ValidationError as exc:
            apply_errors(form, exc)
            score_errors = {k: "；".join(v) for k, v in exc.message_dict.items() if k not in form.fields}
    root = area_root(user=user)
    scheme = scheme or (selectors.scheme_for(root, today.year) if root is not None else None)
    rows = [{**i, "value": request.POST.get(f"score-{i['key']}", ""), "error": score_errors.get(i["key"], "")}
            for i in (scheme.indicators if scheme else [])]
    return render(request, "credit/rating_form.html", _ctx(form=form, scheme=scheme, score_rows=rows),
                  status=400 if form.errors or score_errors else 200)


def _url(name: str, **kw: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kw or None)


@login_required
@require_GET
def rating_notice(request: HttpRequest) -> HttpResponse:
    """评级授信结果公示 of one village and year, to print and post (ID numbers masked as on every notice)."""
    area = _area(request)
    if area is None:
        raise Http404
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    if area.level == Level.GROUP:
        area = area.parent
    if area.level != Level.VILLAGE:
        # A notice hangs in one village: above that, choose the village (those with ratings that year).
        paths = {p for p in selectors.ratings_for(request.user).filter(
            year=year, household__area_path__startswith=area.path).values_list("household__area_path", flat=True)}
        villages = [a for a in area_list(user=request.user).filter(level=Level.VILLAGE, path__startswith=area.path)
                    .order_by("path") if any(p.startswith(a.path) for p in paths)]
        return render(request, "credit/rating_notice.html", _ctx(area=area, year=year, villages=villages))
    ratings = list(selectors.ratings_for(request.user).filter(household__area_path__startswith=area.path, year=year)
                   .select_related("household__area", "bank").order_by("household__number"))
    heads = dict(policy.visible_households(request.user).filter(pk__in=[r.household_id for r in ratings])
                 .filter(members__relation=Relation.HEAD, members__active=True)
                 .values_list("pk", "members__id_number"))
    for r in ratings:
        r.head_id = policy.mask_id(heads.get(r.household_id))
    return render(request, "credit/rating_notice.html", _ctx(area=area, year=year, ratings=ratings, today=timezone.localdate()))


# --- scheme and terms ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    manage = policy.can(user, "credit_scheme")
    form = TermsForm(request.POST or None) if manage else None
    if request.method == "POST":
        policy.require(user, "credit_scheme", _("您的角色不能修改利率与贴息"))
        if form.is_valid():
            try:
                services.terms_set(actor=user, area=area_root(user=user) if policy.scope_path(user) else None,
                                   **form.cleaned_data)
                messages.success(request, _("已保存"))
                return redirect("credit:schemes")
            except ValidationError as exc:
                apply_errors(form, exc)
    schemes = list(selectors.schemes_for(user))
    return render(request, "credit/scheme_list.html", _ctx(
        schemes=schemes, terms=selectors.terms_for(user), form=form, manage=manage),
        status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    policy.require(user, "credit_scheme", _("您的角色不能修改评级授信方案"))
    scheme = selectors.scheme_get(user, pk) if pk else None
    base = scheme or selectors.schemes_for(user).order_by("-year", "-version").first()
    area = area_root(user=user) if policy.scope_path(user) else None
    form = SchemeForm(request.POST or None, initial={
        "name": scheme.name if scheme else (_("%(a)s扶贫小额信贷评级授信方案") % {"a": area.name} if area else ""), "year": (scheme.year if scheme else timezone.localdate().year),
        "valid_years": base.valid_years if base else 1, "note": base.note if base else ""})
    indicators, grades = (rows_from_post(request.POST) if request.method == "POST"
                          else (base.indicators if base else [], base.grades if base else []))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.scheme_save(
                actor=user, area=area, scheme=scheme if scheme is not None and scheme.area_id == getattr(area, "pk", None)
                else None, indicators=indicators, grades=grades, **form.cleaned_data)
            messages.success(request, _("已保存评级授信方案（第 %(v)d 版）") % {"v": saved.version})
            return redirect("credit:schemes")
        except ValidationError as exc:
            errors = exc.messages
        except (KeyError, ValueError, TypeError):
            errors = [_("指标分值、等级起点分须为整数，授信额度须为金额")]
    return render(request, "credit/scheme_form.html", _ctx(
        form=form, scheme=scheme, errors=errors, area=area,
        indicators=padded(indicators, INDICATOR_ROWS, {"key": "", "label": "", "max": ""}),
        grades=padded(grades, GRADE_ROWS, {"grade": "", "min": "", "line": ""})),
        status=400 if errors or form.errors else 200)


# --- the bank statement -------------------------------------------------------------------------------

def _statement(request: HttpRequest) -> Any:
    user = request.user
    policy.require(user, "credit_statement", _("您的角色不能查看银行对账单"))
    banks = selectors.banks_for(user)
    bank_id = request.GET.get("bank", "")
    bank = selectors.bank_get(user, int(bank_id)) if bank_id.isdigit() else banks.first()
    year, month = month_of(request.GET.get("month"), timezone.localdate())
    return banks, (selectors.statement(user, bank, year, month) if bank is not None else None)


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    banks, st = _statement(request)
    return render(request, "credit/statement.html", _ctx(banks=banks, st=st))


@login_required
@require_GET
def statement_xlsx(request: HttpRequest) -> HttpResponse:
    import xlsxwriter

    _banks, st = _statement(request)
    if st is None:
        raise Http404
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("对账单"))
    bold, money = book.add_format({"bold": True}), book.add_format({"num_format": "#,##0.00"})
    sheet.write_string(0, 0, _("%(b)s 扶贫小额信贷月度对账单 %(y)d 年 %(m)d 月") % {"b": st.bank.name, "y": st.year, "m": st.month}, bold)
    headers = [_("合同编号"), _("户编号"), _("借款人"), _("村"), _("期初余额"), _("本期发放"), _("本期收回本金"), _("期末余额"),
               _("本期收息"), _("本期贴息"), _("逾期本金"), _("逾期利息"), _("逾期天数"), _("本期追偿"),
               _("其中退回风险补偿金"), _("其中归银行")]
    for col, text in enumerate(headers):
        sheet.write_string(2, col, text, bold)
    row = 3
    for r in st.rows:
        sheet.write_string(row, 0, r.loan.contract_no)
        sheet.write_string(row, 1, r.loan.household.number)
        sheet.write_string(row, 2, r.loan.borrower)
        sheet.write_string(row, 3, r.loan.household.area.name)
        for col, v in enumerate([r.opening, r.disbursed, r.repaid, r.closing, r.interest, r.subsidy,
                                 r.overdue_principal, r.overdue_interest], start=4):
            sheet.write_number(row, col, float(v), money)  # display only; the page and the ledger are exact
        sheet.write_number(row, 12, r.overdue_days)
        for col, v in enumerate([r.recovered, r.recovered_fund, r.recovered_bank], start=13):
            sheet.write_number(row, col, float(v), money)
        row += 1
    t = st.totals
    sheet.write_string(row, 0, _("合计"), bold)
    for col, name in enumerate(["opening", "disbursed", "repaid", "closing", "interest", "subsidy",
                                "overdue_principal", "overdue_interest"], start=4):
        sheet.write_string(row, col, f"{t[name]:.2f}", bold)  # exact text: the totals reconcile to the fen
    for col, name in enumerate(["recovered", "recovered_fund", "recovered_bank"], start=13):
        sheet.write_string(row, col, f"{t[name]:.2f}", bold)
    sheet.write_string(row + 2, 0, _("平衡检查：期初余额 + 本期发放 − 本期收回 = 期末余额") + ("  ✓" if st.balanced else "  ✗"))
    sheet.set_column(0, 3, 16)
    sheet.set_column(4, 15, 13)
    book.close()
    audit_export(actor=request.user, summary=_("导出银行对账单：%(b)s %(y)d-%(m)02d") % {
        "b": st.bank.name, "y": st.year, "m": st.month}, obj=st.bank, area_path=st.bank.area.path,
        data={"bank": st.bank.pk, "year": st.year, "month": st.month, "rows": len(st.rows)})
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=credit-statement-{st.bank.code}-{st.year}-{st.month:02d}.xlsx"
    return response


# --- the risk fund -------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def fund(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    policy.require(user, "credit_statement", _("您的角色不能查看风险补偿金"))
    fund = selectors.fund_for(user)
    form = DepositForm(request.POST or None) if policy.can(user, "credit_fund") and fund is not None else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的角色不能办理风险补偿金"))
        if form.is_valid():
            try:
                services.fund_deposit(actor=user, fund=fund, **form.cleaned_data)
                messages.success(request, _("已录入注入资金"))
                return redirect("credit:fund")
            except ValidationError as exc:
                apply_errors(form, exc)
    candidates = []
    if fund is not None:
        loans = selectors.loans_for(user).filter(selectors.overdue_q(today), area_path__startswith=fund.area.path) \
            .distinct().select_related("household", "bank").prefetch_related("installments", "repayments")
        candidates = [r for r in _loan_rows(loans, today) if r.standing.overdue]
    return render(request, "credit/fund.html", _ctx(
        fund=fund, balance=selectors.fund_balance(fund) if fund else None,
        entries=selectors.fund_entries(fund) if fund else [], form=form, candidates=candidates),
        status=400 if form is not None and form.errors else 200)



# --- the lending banks (issue 15, fin15) ---------------------------------------------------------------

@login_required
@require_GET
def bank_list(request: HttpRequest) -> HttpResponse:
    """承贷银行 of the user's county (a bank's account: its own bank), with their 银行 accounts."""
    user = request.user
    policy.require(user, "credit_statement", _("您的角色不能查看承贷银行"))
    banks = selectors.banks_for(user).select_related("area").prefetch_related("staff__user")
    return render(request, "credit/bank_list.html", _ctx(banks=banks, can_manage=policy.can(user, "credit_banks")))


def _bank_areas(user: Any) -> list[Any]:
    return list(area_list(user=user).filter(level=Level.COUNTY).order_by("code"))


@login_required
@require_http_methods(["GET", "POST"])
def bank_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    policy.require(user, "credit_banks", _("您的角色不能管理承贷银行"))
    bank = selectors.bank_get(user, pk) if pk is not None else None
    areas = _bank_areas(user)
    if bank is not None and bank.area not in areas:
        raise Http404  # a bank of the county above a township's area: read, not managed, here
    initial = {"name": bank.name, "code": bank.code, "area": bank.area.code, "active": bank.active} if bank else {
        "area": areas[0].code if len(areas) == 1 else None, "active": True}
    form = BankForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if bank is None:
                services.bank_create(actor=user, **form.cleaned_data)
                messages.success(request, _("已新增承贷银行"))
            else:
                services.bank_update(actor=user, bank=bank, **form.cleaned_data)
                messages.success(request, _("已保存承贷银行"))
            return redirect("credit:banks")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "credit/form.html", _ctx(
        form=form, tab="banks", title=_("修改承贷银行") if bank else _("新增承贷银行"),
        note=_("承贷银行是县内发放扶贫小额信贷的银行网点；停用后不再用于新的贷款，已有贷款和账号不变。")),
        status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def bank_user(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the bank a 银行 account (created at the bank's county, linked to the bank; the temporary
    password shown once, as on the accounts page)."""
    user = request.user
    policy.require(user, "credit_banks", _("您的角色不能管理承贷银行"))
    bank = selectors.bank_get(user, pk)
    if bank.area not in _bank_areas(user):
        raise Http404
    form = BankUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, temporary = services.bank_user_create(actor=user, bank=bank, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "accounts/user_password_shown.html", {
                "account": account, "temporary": temporary,
                "headline": _("已为%(b)s新建银行账号 %(u)s") % {"b": bank.name, "u": account.username}})
    return render(request, "credit/form.html", _ctx(
        form=form, tab="banks", title=_("为%(b)s新建银行账号") % {"b": bank.name},
        note=_("新账号的角色为“银行”，所属区划为%(a)s，只能查看和录入本行的贷款；临时密码只显示一次，本人首次登录须修改。") % {
            "a": bank.area.name}), status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def bank_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an existing 银行 account to the bank, or move it here from another bank (the accounts of the
    manager's subtree with the 银行 role, placed at the bank's county, are offered; any other is refused
    with its reason by the service)."""
    user = request.user
    policy.require(user, "credit_banks", _("您的角色不能管理承贷银行"))
    bank = selectors.bank_get(user, pk)
    if bank.area not in _bank_areas(user):
        raise Http404
    form = BankLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.bank_staff_assign(actor=user, bank=bank, username=form.cleaned_data["username"])
            messages.success(request, _("已将账号 %(u)s 关联到%(b)s") % {"u": link.user.username, "b": bank.name})
            return redirect("credit:banks")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "credit/bank_link.html", _ctx(
        form=form, bank=bank, candidates=selectors.bank_account_candidates(user, bank)),
        status=400 if form.errors else 200)
