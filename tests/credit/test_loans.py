"""Ratings and loans through the services: the three parties, the limits refused in Chinese, the schedule,
overdue and the subsidy with frozen time, the risk fund's share of a loss."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fupin.audit.models import AuditEvent
from fupin.credit import selectors, services
from fupin.credit.models import FundEntryKind, LoanStatus, RatingScheme
from fupin.registry.choices import Status
from tests import factories

from .conftest import SCORES_A, SCORES_B, lend, rate

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_rating_records_the_three_parties_and_computes_grade_and_line(poor, banks, county_user):
    r = services.rating_record(actor=county_user, household=poor, year=2024, scores=SCORES_A,
                               rated_on=datetime.date(2024, 1, 15), village_rep="村委 张", team_rep="工作队 李",
                               bank=banks["rcc"], bank_rep="银行 王")
    assert (r.total, r.grade, r.credit_line, r.scheme_version) == (62, "A", D("20000.00"), 1)
    assert (r.village_rep, r.team_rep, r.bank, r.bank_rep) == ("村委 张", "工作队 李", banks["rcc"], "银行 王")
    assert RatingScheme.objects.get(pk=r.scheme_id).used
    assert AuditEvent.objects.filter(entity="credit.rating", entity_id=str(r.pk)).exists()


def test_a_rating_without_the_bank_party_is_refused(poor, banks):
    with pytest.raises(ValidationError) as exc:
        services.rating_record(actor=None, household=poor, year=2024, scores=SCORES_A, rated_on=datetime.date(2024, 1, 1),
                               village_rep="村委 张", team_rep="工作队 李", bank=banks["rcc"], bank_rep=" ")
    assert exc.value.message_dict["bank_rep"] == ["请填写银行评议人（评级由村委会、驻村工作队和银行共同评定）"]


def test_a_cadre_may_not_record_a_rating(poor, banks, tree):
    cadre = factories.user("cadre_x", "cadre", tree["village_a1"])
    with pytest.raises(PermissionDenied):
        services.rating_record(actor=cadre, household=poor, year=2024, scores=SCORES_A, rated_on=datetime.date(2024, 1, 1),
                               village_rep="a", team_rep="b", bank=banks["rcc"], bank_rep="c")


def test_a_used_scheme_is_revised_as_a_new_version(rated, county_user, tree):
    scheme = RatingScheme.objects.get(area__isnull=True)
    indicators = [*scheme.indicators[:3], {"key": "assets", "label": "家庭资产", "max": 20}]
    grades = [{"grade": "AAA", "min": 85, "line": "50000"}, {"grade": "B", "min": 0, "line": "0"}]
    county = services.scheme_save(actor=county_user, area=tree["county"], year=2024, name="罗平县方案",
                                  indicators=indicators, grades=grades)
    again = services.scheme_save(actor=county_user, area=tree["county"], year=2024, name="罗平县方案",
                                 indicators=indicators, grades=grades, scheme=county)
    assert again.pk == county.pk  # not used yet: edited in place
    rate(rated, rated.credit_ratings.first().bank, year=2024)  # re-rated under the county's scheme
    assert rated.credit_ratings.get(year=2024).scheme_id == county.pk
    v2 = services.scheme_save(actor=county_user, area=tree["county"], year=2024, name="罗平县方案",
                              indicators=indicators, grades=[{"grade": "A", "min": 0, "line": "10000"}], scheme=county)
    assert (v2.pk != county.pk, v2.version) == (True, 2)
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=county_user, area=None, year=2024, name="x", indicators=indicators, grades=grades)


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"principal": "51000.00"}, "principal", "贷款金额 51,000.00 元超过扶贫小额信贷上限 50,000.00 元"),
    ({"term": 48}, "term_months", "贷款期限 48 个月超过扶贫小额信贷上限 36 个月（3 年）"),
    ({"principal": "10000.005"}, "principal", "贷款金额只能精确到分"),
])
def test_the_loan_limits_are_refused_in_chinese(rated, banks, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        lend(rated, banks["rcc"], **kwargs)
    assert exc.value.message_dict[field] == [message]


def test_an_unrated_household_is_refused(poor, banks):
    with pytest.raises(ValidationError) as exc:
        lend(poor, banks["rcc"])
    assert exc.value.message_dict["household"] == ["该户 2024 年未评级授信，不能发放扶贫小额信贷"]


def test_a_household_rated_b_has_no_credit(poor, banks):
    rate(poor, banks["rcc"], scores=SCORES_B)
    with pytest.raises(ValidationError) as exc:
        lend(poor, banks["rcc"])
    assert exc.value.message_dict["principal"] == ["评级为 B，没有授信额度，不能发放扶贫小额信贷"]


def test_a_household_not_registered_is_refused(tree, banks):
    applying = factories.household(tree["village_a1"], number="5303241002010599", status=Status.APPLYING)
    with pytest.raises(ValidationError) as exc:
        lend(applying, banks["rcc"])
    assert exc.value.message_dict["household"] == ["该户不是建档立卡户（当前状态：申请中），不能发放扶贫小额信贷"]


def test_the_credit_line_is_shared_by_the_households_loans(rated, banks):
    lend(rated, banks["rcc"], principal="40000.00", contract="C-1")
    with pytest.raises(ValidationError) as exc:
        lend(rated, banks["psbc"], principal="10000.01", contract="C-2")
    assert exc.value.message_dict["principal"] == ["贷款金额 10,000.01 元超过该户可用授信额度 10,000.00 元"]
    lend(rated, banks["psbc"], principal="10000.00", contract="C-2")


def test_the_loan_takes_the_years_rate_and_subsidy_share(rated, banks):
    loan = lend(rated, banks["rcc"])  # 2024: LPR 3.10 %, 70 % subsidised (REFERENCE §10)
    assert (loan.annual_rate, loan.subsidy_share, loan.maturity_on) == (D("3.1"), D("0.7"), datetime.date(2025, 3, 1))
    inst = list(loan.installments.all())
    assert [(i.interest, i.subsidy) for i in inst] == [(D("79.22"), D("55.45")), (D("79.22"), D("55.45")),
                                                       (D("78.36"), D("54.85")), (D("77.50"), D("54.25"))]


def test_a_2023_loan_is_fully_subsidised(poor, banks):
    rate(poor, banks["rcc"], year=2023)
    loan = lend(poor, banks["rcc"], on=datetime.date(2023, 6, 1))
    assert loan.subsidy_share == 1
    assert all(i.subsidy == i.interest for i in loan.installments.all())


def test_overdue_and_subsidy_follow_the_calendar(rated, banks, county_user):
    loan = lend(rated, banks["rcc"])
    first = loan.installments.get(number=1)
    with time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)):
        assert not selectors.loan_standing(loan).overdue  # due today
    with time_machine.travel(datetime.datetime(2024, 7, 15, 12, tzinfo=datetime.UTC)):
        stand = selectors.loan_standing(loan)
        assert (stand.overdue_days, stand.overdue_interest, stand.overdue_principal) == (44, D("79.22"), D("0.00"))
        with pytest.raises(ValidationError, match="第 1 期利息尚未付清"):
            services.subsidy_pay(actor=county_user, installment=first, paid_on=datetime.date(2024, 7, 15))
        services.repayment_record(actor=county_user, loan=loan, paid_on=datetime.date(2024, 7, 15), interest="79.22")
        assert not selectors.loan_standing(loan).overdue
        paid = services.subsidy_pay(actor=county_user, installment=first, paid_on=datetime.date(2024, 7, 16))
        assert paid.amount == D("55.45")
        with pytest.raises(ValidationError, match="第 1 期的贴息已拨付"):
            services.subsidy_pay(actor=county_user, installment=first, paid_on=datetime.date(2024, 7, 16))


def test_paying_everything_settles_the_loan(rated, banks):
    loan = lend(rated, banks["rcc"])
    services.repayment_record(actor=None, loan=loan, paid_on=datetime.date(2025, 3, 1), principal="10000.00",
                              interest="314.30")
    loan.refresh_from_db()
    assert (loan.status, loan.closed_on) == (LoanStatus.REPAID, datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.repayment_record(actor=None, loan=loan, paid_on=datetime.date(2025, 3, 2), interest="1")
    assert exc.value.message_dict["loan"] == ["该笔贷款已结清"]


def test_more_principal_than_owed_is_refused(rated, banks):
    loan = lend(rated, banks["rcc"])
    with pytest.raises(ValidationError) as exc:
        services.repayment_record(actor=None, loan=loan, paid_on=datetime.date(2024, 4, 1), principal="10000.01")
    assert exc.value.message_dict["principal"] == ["归还本金 10,000.01 元超过未还本金 10,000.00 元"]


def test_the_fund_pays_its_share_of_a_loss_after_the_overdue_days(rated, banks, fund):
    loan = lend(rated, banks["rcc"], principal="20000.00")
    services.repayment_record(actor=None, loan=loan, paid_on=datetime.date(2024, 6, 1), interest="158.44")
    with pytest.raises(ValidationError, match="逾期 60 天，未达到代偿条件"):
        services.loan_compensate(actor=None, loan=loan, on=datetime.date(2024, 10, 31))
    entry = services.loan_compensate(actor=None, loan=loan, on=datetime.date(2024, 12, 1))
    assert (entry.kind, entry.loss, entry.amount) == (FundEntryKind.COMPENSATION, D("20000.00"), D("14000.00"))
    assert selectors.fund_balance(fund) == D("86000.00")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.COMPENSATED


def test_the_fund_refuses_a_compensation_it_cannot_pay(rated, banks, tree):
    small = services.fund_setup(actor=None, area=tree["county"], loss_share=Decimal("0.7"))
    services.fund_deposit(actor=None, fund=small, amount="100.00", on=datetime.date(2024, 1, 1))
    loan = lend(rated, banks["rcc"])
    with pytest.raises(ValidationError, match="风险补偿金余额 100.00 元，不足以代偿 7,000.00 元"):
        services.loan_compensate(actor=None, loan=loan, on=datetime.date(2024, 12, 1))


def test_the_subsidy_command_pays_each_paid_period_once(rated, banks):
    import io

    from django.core.management import call_command

    loan = lend(rated, banks["rcc"])
    services.repayment_record(actor=None, loan=loan, paid_on=datetime.date(2024, 9, 1), interest="158.44")
    out = io.StringIO()
    call_command("credit_subsidy", "--on", "2024-09-15", stdout=out)
    assert "应拨付贴息 2 期，合计 110.90 元" in out.getvalue() and "已拨付 2 期" in out.getvalue()
    again = io.StringIO()
    call_command("credit_subsidy", "--on", "2024-09-16", stdout=again)
    assert "应拨付贴息 0 期" in again.getvalue()
    assert sum(p.amount for p in loan.subsidies.all()) == D("110.90")
