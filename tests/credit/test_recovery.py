"""追偿 after 代偿 (issue 15, fin15): money recovered on a compensated loan goes back to the risk fund and
the bank in the proportions the loss was shared, to the fen, cumulatively (the whole loss recovered in
parts returns exactly what each bore); audited; on the loan page and the monthly statement, which still
reconciles. Time is frozen: the pages record on "today"."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.credit import rules, selectors, services
from fupin.credit.models import FundEntry, FundEntryKind, Recovery
from tests import factories

from .conftest import lend

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime.datetime(2025, 3, 10, 4, tzinfo=datetime.UTC)  # 2025-03-10 in Beijing
COMPENSATED_ON = datetime.date(2024, 12, 1)


@pytest.fixture
def compensated(rated, banks, fund):
    """A 12,345.67 loan of 2024-03-01 never repaid, compensated on 2024-12-01: the fund (70 %) paid
    8,641.97 (12,345.67 × 0.7 = 8,641.969), the bank bore 3,703.70."""
    loan = lend(rated, banks["rcc"], principal="12345.67")
    entry = services.loan_compensate(actor=None, loan=loan, on=COMPENSATED_ON)
    assert (entry.loss, entry.amount) == (D("12345.67"), D("8641.97"))
    assert selectors.fund_balance(fund) == D("91358.03")
    return loan


def test_the_fund_part_is_cumulative_so_the_whole_loss_returns_exactly():
    loss, paid = D("12345.67"), D("8641.97")
    before_total = before_fund = D("0")
    parts = []
    for amount in [D("0.01"), D("0.01"), D("0.01"), D("1000.00"), D("11345.64")]:
        part = rules.recovery_fund_part(loss=loss, fund_paid=paid, recovered_before=before_total,
                                        fund_before=before_fund, amount=amount)
        parts.append(part)
        before_total, before_fund = before_total + amount, before_fund + part
    assert parts[:3] == [D("0.01"), D("0.00"), D("0.01")]  # 0.007 → 0.01, 0.014 → 0.01, 0.021 → 0.02
    assert before_total == loss and before_fund == paid  # the fund has back exactly what it paid


def test_a_recovery_returns_the_shares_of_the_loss_to_the_fund_and_the_bank(compensated, fund):
    first = services.recovery_record(actor=None, loan=compensated, amount="3001.00", on=datetime.date(2025, 1, 20),
                                     note="借款人归还")
    # 3,001 × 8,641.97 / 12,345.67 = 2,100.699… → 2,100.70
    assert (first.fund_share, first.bank_share) == (D("2100.70"), D("900.30"))
    assert first.fund_entry.kind == FundEntryKind.RECOVERY and first.fund_entry.amount == D("2100.70")
    assert selectors.fund_balance(fund) == D("93458.73")
    assert selectors.fund_balance(fund, datetime.date(2025, 1, 19)) == D("91358.03")  # dated, not before
    rest = services.recovery_record(actor=None, loan=compensated, amount="9344.67", on=datetime.date(2025, 2, 5))
    assert (rest.fund_share, rest.bank_share) == (D("6541.27"), D("2803.40"))
    # the whole loss recovered: the fund is whole again to the fen, and the bank had back what it bore
    assert selectors.fund_balance(fund) == D("100000.00")
    assert first.bank_share + rest.bank_share == D("3703.70")
    event = AuditEvent.objects.filter(entity="credit.recovery").order_by("id").first()
    assert event is not None and "退回风险补偿金 2,100.70 元，归银行 900.30 元" in event.summary


def test_a_recovery_beyond_the_loss_or_before_the_compensation_is_refused(compensated, rated, banks):
    services.recovery_record(actor=None, loan=compensated, amount="12000.00", on=datetime.date(2025, 1, 20))
    with pytest.raises(ValidationError) as exc:
        services.recovery_record(actor=None, loan=compensated, amount="345.68", on=datetime.date(2025, 1, 21))
    assert exc.value.message_dict["amount"] == ["追回金额 345.68 元超过尚未追回的损失 345.67 元（损失 12,345.67 元，已追回 12,000.00 元）"]
    with pytest.raises(ValidationError) as exc:
        services.recovery_record(actor=None, loan=compensated, amount="1.00", on=datetime.date(2024, 11, 30))
    assert exc.value.message_dict["on"] == ["追回日期不能早于代偿日期 2024-12-01"]
    with pytest.raises(ValidationError, match="只能精确到分"):
        services.recovery_record(actor=None, loan=compensated, amount="1.001", on=datetime.date(2025, 1, 21))
    active = lend(rated, banks["rcc"], principal="1000.00", contract="C-2", on=datetime.date(2024, 6, 1))
    with pytest.raises(ValidationError, match="只有风险补偿金已代偿的贷款可以登记追偿"):
        services.recovery_record(actor=None, loan=active, amount="1.00", on=datetime.date(2025, 1, 21))
    assert Recovery.objects.count() == 1


def test_only_the_county_office_and_the_lending_bank_record_a_recovery(compensated, tree, banker, other_banker):
    for user in (factories.user("v_rec", Role.VILLAGE, tree["village_a1"]),
                 factories.user("l_rec", Role.LEADER, tree["county"])):
        with pytest.raises(PermissionDenied):
            services.recovery_record(actor=user, loan=compensated, amount="1.00", on=datetime.date(2025, 1, 20))
    # another bank's account: refused at the loan, nothing written (its pages and API answer 404 first)
    with pytest.raises(ValidationError, match="只能登记本行贷款的追偿"):
        services.recovery_record(actor=other_banker, loan=compensated, amount="1.00", on=datetime.date(2025, 1, 20))
    assert not Recovery.objects.exists()


@time_machine.travel(NOW)
def test_the_loan_page_records_a_recovery_and_shows_it(compensated, county_user, banker, fund):
    county = Client()
    county.force_login(county_user)
    url = reverse("credit:loan", args=[compensated.pk])
    page = county.get(url).content.decode()
    assert "代偿与追偿" in page and "尚未追回资金" in page and "登记追偿" in page
    bad = county.post(reverse("credit:loan_recover", args=[compensated.pk]),
                      {"rec-amount": "99999.00", "rec-on": "2025-03-10"})
    assert bad.status_code == 400 and "超过尚未追回的损失" in bad.content.decode()
    ok = county.post(reverse("credit:loan_recover", args=[compensated.pk]),
                     {"rec-amount": "3000.00", "rec-on": "2025-03-10", "rec-note": "处置抵债物"})
    assert ok.status_code == 302
    page = county.get(url).content.decode()
    assert "2025-03-10" in page and "2,100.00" in page and "900.00" in page and "处置抵债物" in page
    assert FundEntry.objects.filter(kind=FundEntryKind.RECOVERY, amount=D("2100.00")).exists()
    # the bank reads the recovery on its loan's page, and may record one too (tests/credit/test_recovery_bank.py)
    bank = Client()
    bank.force_login(banker)
    page = bank.get(url).content.decode()
    assert "2,100.00" in page and "登记追偿" in page and "县扶贫办" in page
    assert Recovery.objects.count() == 1


def test_the_statement_shows_the_recovery_and_still_reconciles(compensated, banks, county_user, fund):
    services.recovery_record(actor=None, loan=compensated, amount="3000.00", on=datetime.date(2025, 1, 20))
    services.recovery_record(actor=None, loan=compensated, amount="0.01", on=datetime.date(2025, 1, 31))
    st = selectors.statement(county_user, banks["rcc"], 2025, 1)
    (row,) = st.rows
    assert (row.recovered, row.recovered_fund, row.recovered_bank) == (D("3000.01"), D("2100.01"), D("900.00"))
    assert st.balanced and row.opening == row.closing == D("12345.67")
    assert selectors.statement(county_user, banks["rcc"], 2025, 2).totals["recovered"] == D("0")
    county = Client()
    county.force_login(county_user)
    page = county.get(reverse("credit:statement"), {"bank": banks["rcc"].pk, "month": "2025-01"}).content.decode()
    assert "本期追偿" in page and "3,000.01" in page and "✓" in page
    xlsx = county.get(reverse("credit:statement_xlsx"), {"bank": banks["rcc"].pk, "month": "2025-01"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[2][13:16] == ["本期追偿", "其中退回风险补偿金", "其中归银行"]
    total = next(r for r in rows if r[0] == "合计")
    assert total[13:16] == ["3000.01", "2100.01", "900.00"]


def test_shares_that_do_not_add_up_as_floats_are_stored(compensated):
    # 864.20 + 370.37 is 1234.5700000000002 in floating point (as SQLite would sum two stored decimals):
    # the shares add up in Decimal, in the service, not in a database CHECK
    rec = services.recovery_record(actor=None, loan=compensated, amount="1234.57", on=datetime.date(2025, 1, 20))
    rec.refresh_from_db()
    assert (rec.amount, rec.fund_share, rec.bank_share) == (D("1234.57"), D("864.20"), D("370.37"))


def test_a_compensated_loan_takes_no_repayment_only_recoveries(compensated, county_user):
    """After 代偿 what the borrower pays is a recovery (split back to the fund and the bank), not a repayment:
    the service refuses a repayment, and the loan page offers no 录入还款 form."""
    with pytest.raises(ValidationError) as e:
        services.repayment_record(actor=None, loan=compensated, paid_on=datetime.date(2025, 1, 5), principal="100")
    assert "此后收回的款项请登记为追偿" in str(e.value.message_dict["loan"])
    c = Client()
    c.force_login(county_user)
    r = c.get(reverse("credit:loan", args=[compensated.pk]))
    assert r.status_code == 200 and "录入还款" not in r.content.decode() and "追偿" in r.content.decode()


def test_a_compensated_loan_stands_as_on_the_day_of_compensation(compensated, county_user):
    """Closed by 代偿, the loan's overdue days stop growing (page, list, API all read loan_standing), and its pages
    show its status, not a red 逾期 badge."""
    compensated.refresh_from_db()
    at_compensation = selectors.loan_standing(compensated, COMPENSATED_ON)
    later = selectors.loan_standing(compensated, datetime.date(2026, 6, 1))
    assert later.overdue_days == at_compensation.overdue_days > 0
    c = Client()
    c.force_login(county_user)
    for url in (reverse("credit:loan", args=[compensated.pk]), reverse("credit:loans")):
        page = c.get(url).content.decode()
        assert "风险补偿金已代偿" in page and "badge b-red" not in page.split("<main")[1].split("还款计划")[0]
