"""The monthly statement of a bank reconciles to the fen (opening + disbursed − repaid = closing, per loan
and in total) and its .xlsx export is audited."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.audit.models import AuditEvent, AuditKind
from fupin.credit import selectors, services
from tests import factories

from .conftest import lend, rate

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(tree, banks):
    """Three loans of the 信用社 (one before the month, one in it, one repaid before it) and one of 邮储."""
    hh = [factories.household(tree["village_a1"], number=f"53032410020106{n:02d}") for n in range(4)]
    for h in hh:
        rate(h, banks["rcc"])
    before = lend(hh[0], banks["rcc"], principal="30000.00", contract="A", method="equal_principal")
    services.repayment_record(actor=None, loan=before, paid_on=datetime.date(2024, 6, 1), principal="2500.00",
                              interest="237.67")
    services.repayment_record(actor=None, loan=before, paid_on=datetime.date(2024, 9, 3), principal="2500.00",
                              interest="217.96")
    during = lend(hh[1], banks["rcc"], principal="12345.67", contract="B", on=datetime.date(2024, 9, 10))
    services.repayment_record(actor=None, loan=during, paid_on=datetime.date(2024, 9, 30), principal="0.01")
    gone = lend(hh[2], banks["rcc"], principal="5000.00", contract="C", on=datetime.date(2024, 2, 1))
    services.repayment_record(actor=None, loan=gone, paid_on=datetime.date(2024, 5, 1), principal="5000.00",
                              interest="38.33")
    lend(hh[3], banks["psbc"], principal="9999.99", contract="D")
    return {"before": before, "during": during, "gone": gone}


def test_the_statement_reconciles_to_the_fen(ledger, banks, county_user):
    st = selectors.statement(county_user, banks["rcc"], 2024, 9)
    assert [r.loan.contract_no for r in st.rows] == ["A", "B"]  # C was repaid before September; D is 邮储's
    a, b = st.rows
    assert (a.opening, a.disbursed, a.repaid, a.closing, a.interest) == (
        D("27500.00"), D("0"), D("2500.00"), D("25000.00"), D("217.96"))
    assert (b.opening, b.disbursed, b.repaid, b.closing) == (D("0"), D("12345.67"), D("0.01"), D("12345.66"))
    t = st.totals
    assert t["opening"] + t["disbursed"] - t["repaid"] == t["closing"] == D("37345.66")
    assert st.balanced
    # the next month opens where this one closed
    assert selectors.statement(county_user, banks["rcc"], 2024, 10).totals["opening"] == t["closing"]


def test_the_statement_shows_what_is_overdue_at_the_months_end(ledger, banks, county_user):
    st = selectors.statement(county_user, banks["rcc"], 2024, 12)
    b = next(r for r in st.rows if r.loan.contract_no == "B")
    assert (b.overdue_days, b.overdue_principal, b.overdue_interest) == (21, D("0.00"), D("96.74"))  # 12,345.67 × 3.10% × 91 / 360


def test_the_xlsx_export_is_the_page_and_is_audited(ledger, banks, county_user):
    client = Client()
    client.force_login(county_user)
    r = client.get(reverse("credit:statement_xlsx"), {"bank": banks["rcc"].pk, "month": "2024-09"})
    assert r.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[3:5]] == ["A", "B"]
    total = rows[5]
    assert total[0] == "合计" and total[4:8] == ["27500.00", "12345.67", "2500.01", "37345.66"]
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, summary__contains="银行对账单").count() == 1
    page = client.get(reverse("credit:statement"), {"bank": banks["rcc"].pk, "month": "2024-09"})
    assert "37,345.66" in page.content.decode() and "✓ 平衡" in page.content.decode()
