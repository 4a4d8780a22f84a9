"""追偿 recorded by the lending bank (bank15): a 银行 account records a recovery on its own bank's
compensated loan — by the page and the API — split by the same rule as the county office's; the county
office then sees it (the loan page names the bank, the fund's entries carry it); another bank's account
is refused (404 through scope, nothing written)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.audit.models import AuditEvent
from fupin.credit import selectors, services
from fupin.credit.models import FundEntry, FundEntryKind, Recovery

from .conftest import web

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime.datetime(2025, 3, 10, 4, tzinfo=datetime.UTC)  # 2025-03-10 in Beijing


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_the_bank_records_a_recovery_split_as_the_county_offices(compensated, banker, fund):
    rec = services.recovery_record(actor=banker, loan=compensated, amount="3001.00", on=datetime.date(2025, 1, 20),
                                   note="借款人归还")
    assert (rec.fund_share, rec.bank_share, rec.bank_id, rec.recorded_by) == (
        D("2100.70"), D("900.30"), compensated.bank_id, banker)
    assert selectors.fund_balance(fund) == D("93458.73")
    # the rest, recorded by the county office: the fund is whole again to the fen, the bank had back what it bore
    rest = services.recovery_record(actor=None, loan=compensated, amount="9344.67", on=datetime.date(2025, 2, 5))
    assert rest.bank_id is None
    assert selectors.fund_balance(fund) == D("100000.00") and rec.bank_share + rest.bank_share == D("3703.70")
    event = AuditEvent.objects.get(entity="credit.recovery", entity_id=str(rec.pk))
    assert event.actor == banker and "（罗平县农村信用合作联社登记）" in event.summary


@time_machine.travel(NOW)
def test_the_bank_records_on_its_loan_page_and_the_county_sees_it(compensated, banker, county_user):
    bank = web(banker)
    response = bank.post(reverse("credit:loan_recover", args=[compensated.pk]),
                         {"rec-amount": "1000.00", "rec-on": "2025-03-10", "rec-note": "借款人还款"})
    assert response.status_code == 302
    page = web(county_user).get(reverse("credit:loan", args=[compensated.pk])).content.decode()
    assert "1,000.00" in page and "罗平县农村信用合作联社" in page and "信用社 刘晓燕" in page and "借款人还款" in page
    fund_page = web(county_user).get(reverse("credit:fund")).content.decode()
    assert "700.00" in fund_page and "罗平县农村信用合作联社登记" in fund_page
    assert FundEntry.objects.get(kind=FundEntryKind.RECOVERY).recorded_by == banker


def test_another_banks_account_is_refused_by_scope(compensated, other_banker):
    assert web(other_banker).post(reverse("credit:loan_recover", args=[compensated.pk]),
                                  {"rec-amount": "1.00", "rec-on": "2025-03-10"}).status_code == 404
    assert api(other_banker).post(f"/api/credit/loans/{compensated.pk}/recoveries/",
                                  {"on": "2025-03-10", "amount": "1.00"}, format="json").status_code == 404
    assert not Recovery.objects.exists()


def test_the_bank_records_a_recovery_through_the_api(compensated, banker, fund):
    r = api(banker).post(f"/api/credit/loans/{compensated.pk}/recoveries/",
                         {"on": "2025-01-20", "amount": "3001.00", "note": "系统对接"}, format="json")
    assert r.status_code == 201, r.content
    (row,) = r.json()["recoveries"]
    assert (row["amount"], row["fund_share"], row["bank_share"], row["bank"], row["reverses"]) == (
        "3001.00", "2100.70", "900.30", "罗平县农村信用合作联社", None)
    over = api(banker).post(f"/api/credit/loans/{compensated.pk}/recoveries/",
                            {"on": "2025-01-21", "amount": "99999.00"}, format="json")
    assert over.status_code == 400 and "超过尚未追回的损失" in over.content.decode()
    assert Recovery.objects.count() == 1
