"""冲正 of a recovery recorded in error (bank15): by the county office or by the bank that recorded it,
with a reason, audited, in one transaction; a second row negates the recovery exactly and a
RECOVERY_REVERSAL entry takes its fund part back out, so the loan's recovered sum and the fund's
balance are what they were, to the fen; a reversal of a reversal, or a second reversal, is refused.
Hypothesis: any sequence of recoveries and reversals keeps both shares within their bounds, and
recovering the rest of the loss afterwards returns the fund exactly what it paid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.credit import rules, selectors, services
from fupin.credit.models import FundEntry, FundEntryKind, Recovery
from fupin.lib.money import yuan
from tests import factories

from .conftest import web

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime.datetime(2025, 3, 10, 4, tzinfo=datetime.UTC)  # 2025-03-10 in Beijing
DAY = datetime.date(2025, 1, 20)


def recovered(loan) -> tuple[D, D, D]:
    rows = list(Recovery.objects.filter(loan=loan))
    return (sum((r.amount for r in rows), D("0")), sum((r.fund_share for r in rows), D("0")),
            sum((r.bank_share for r in rows), D("0")))


def test_the_county_reverses_a_recovery_and_the_figures_go_back_exactly(compensated, county_user, fund):
    first = services.recovery_record(actor=None, loan=compensated, amount="3001.00", on=DAY)
    state = (recovered(compensated), selectors.fund_balance(fund))
    wrong = services.recovery_record(actor=None, loan=compensated, amount="1234.57", on=datetime.date(2025, 1, 25))
    assert (wrong.fund_share, wrong.bank_share) == (D("864.20"), D("370.37"))
    reversal = services.recovery_reverse(actor=county_user, recovery=wrong, reason="金额录错",
                                         on=datetime.date(2025, 2, 3))
    assert (reversal.amount, reversal.fund_share, reversal.bank_share) == (D("-1234.57"), D("-864.20"), D("-370.37"))
    assert reversal.fund_entry.kind == FundEntryKind.RECOVERY_REVERSAL and reversal.fund_entry.amount == D("864.20")
    assert (recovered(compensated), selectors.fund_balance(fund)) == state
    # dated the day of the reversal: the balance of January still shows the recovery
    assert selectors.fund_balance(fund, datetime.date(2025, 1, 31)) == state[1] + D("864.20")
    event = AuditEvent.objects.get(entity="credit.recovery", entity_id=str(reversal.pk))
    assert event.actor == county_user and "原因：金额录错" in event.summary and "1,234.57" in event.summary
    # what is left to recover is the loss less the first recovery: the rest returns the fund exactly what it paid
    services.recovery_record(actor=None, loan=compensated, amount=D("12345.67") - first.amount, on=datetime.date(2025, 2, 5))
    assert selectors.fund_balance(fund) == D("100000.00") and recovered(compensated)[2] == D("3703.70")


def test_the_statement_of_the_reversal_month_shows_it_and_still_reconciles(compensated, banks, county_user):
    wrong = services.recovery_record(actor=None, loan=compensated, amount="1000.00", on=DAY)
    services.recovery_reverse(actor=None, recovery=wrong, reason="重复登记", on=datetime.date(2025, 2, 3))
    january = selectors.statement(county_user, banks["rcc"], 2025, 1)
    february = selectors.statement(county_user, banks["rcc"], 2025, 2)
    assert january.totals["recovered"] == D("1000.00")  # a closed month is not rewritten
    assert (february.totals["recovered"], february.totals["recovered_fund"], february.totals["recovered_bank"]) == (
        D("-1000.00"), D("-700.00"), D("-300.00"))
    assert january.balanced and february.balanced


def test_the_bank_reverses_what_it_recorded_only(compensated, banker, fund):
    own = services.recovery_record(actor=banker, loan=compensated, amount="100.00", on=DAY)
    county = services.recovery_record(actor=None, loan=compensated, amount="200.00", on=DAY)
    with pytest.raises(PermissionDenied, match="只有县扶贫办或登记的银行可以冲正"):
        services.recovery_reverse(actor=banker, recovery=county, reason="不对", on=DAY)
    reversal = services.recovery_reverse(actor=banker, recovery=own, reason="录错了", on=DAY)
    assert reversal.bank_id == compensated.bank_id and reversal.recorded_by == banker
    assert not Recovery.objects.filter(reverses=county).exists()


def test_another_bank_or_a_reader_may_not_reverse(compensated, tree, other_banker):
    rec = services.recovery_record(actor=None, loan=compensated, amount="100.00", on=DAY)
    with pytest.raises(ValidationError, match="只能冲正本行贷款的追偿"):
        services.recovery_reverse(actor=other_banker, recovery=rec, reason="x", on=DAY)
    with pytest.raises(PermissionDenied):
        services.recovery_reverse(actor=factories.user("l_rev", Role.LEADER, tree["county"]), recovery=rec,
                                  reason="x", on=DAY)
    assert Recovery.objects.count() == 1


def test_a_reversal_of_a_reversal_and_a_second_reversal_are_refused(compensated):
    rec = services.recovery_record(actor=None, loan=compensated, amount="100.00", on=DAY)
    reversal = services.recovery_reverse(actor=None, recovery=rec, reason="录错", on=DAY)
    with pytest.raises(ValidationError) as exc:
        services.recovery_reverse(actor=None, recovery=reversal, reason="再冲", on=DAY)
    assert exc.value.message_dict["recovery"] == ["这是一笔冲正记录，不能再冲正；如需恢复，请重新登记追偿"]
    with pytest.raises(ValidationError) as exc:
        services.recovery_reverse(actor=None, recovery=rec, reason="又一次", on=DAY)
    assert exc.value.message_dict["recovery"] == ["2025-01-20 追回 100.00 元的这笔追偿已冲正"]
    assert Recovery.objects.count() == 2


def test_a_reason_is_required_and_the_date_not_before_the_recovery(compensated):
    rec = services.recovery_record(actor=None, loan=compensated, amount="100.00", on=DAY)
    with pytest.raises(ValidationError) as exc:
        services.recovery_reverse(actor=None, recovery=rec, reason="  ", on=datetime.date(2025, 1, 19))
    assert exc.value.message_dict == {"reason": ["请填写冲正原因"], "on": ["冲正日期不能早于追回日期 2025-01-20"]}
    assert Recovery.objects.count() == 1


def test_the_reversal_is_atomic(compensated, fund):
    rec = services.recovery_record(actor=None, loan=compensated, amount="100.00", on=DAY)
    balance = selectors.fund_balance(fund)
    with mock.patch("fupin.credit.services.audit_create", side_effect=RuntimeError("audit down")), \
            pytest.raises(RuntimeError):
        services.recovery_reverse(actor=None, recovery=rec, reason="录错", on=DAY)
    assert Recovery.objects.count() == 1 and not FundEntry.objects.filter(kind=FundEntryKind.RECOVERY_REVERSAL).exists()
    assert selectors.fund_balance(fund) == balance


@time_machine.travel(NOW)
def test_the_loan_page_reverses_with_a_reason(compensated, county_user, banker):
    rec = services.recovery_record(actor=banker, loan=compensated, amount="500.00", on=DAY, note="登记错")
    county = web(county_user)
    url = reverse("credit:loan_recovery_reverse", args=[compensated.pk, rec.pk])
    page = county.get(reverse("credit:loan", args=[compensated.pk])).content.decode()
    assert url in page and "冲正原因" in page
    empty = county.post(url, {f"rev{rec.pk}-reason": ""})
    assert empty.status_code == 400 and "冲正原因" in empty.content.decode() and Recovery.objects.count() == 1
    assert county.post(url, {f"rev{rec.pk}-reason": "银行重复登记"}).status_code == 302
    page = county.get(reverse("credit:loan", args=[compensated.pk])).content.decode()
    assert "−500.00" in page or "-500.00" in page
    assert "银行重复登记" in page and "已冲正" in page and url not in page  # nothing left to reverse
    # the reversal's own row offers no reversal; a second post is refused with the reason why
    again = county.post(url, {f"rev{rec.pk}-reason": "再来"})
    assert again.status_code == 400 and "已冲正" in again.content.decode()
    reversal = Recovery.objects.get(reverses=rec)
    assert county.post(reverse("credit:loan_recovery_reverse", args=[compensated.pk, reversal.pk]),
                       {f"rev{reversal.pk}-reason": "x"}).status_code == 400
    # a reader may not
    leader = factories.user("l_page", Role.LEADER, county_user.area)
    assert web(leader).post(url, {f"rev{rec.pk}-reason": "x"}).status_code == 403


def test_the_api_reverses_and_the_bank_of_another_loan_is_not_found(compensated, banker, other_banker):
    rec = services.recovery_record(actor=banker, loan=compensated, amount="500.00", on=DAY)
    url = f"/api/credit/loans/{compensated.pk}/recoveries/{rec.pk}/reversal/"
    theirs = APIClient()
    theirs.force_authenticate(other_banker)
    assert theirs.post(url, {"reason": "x"}, format="json").status_code == 404
    ours = APIClient()
    ours.force_authenticate(banker)
    assert ours.post(url, {}, format="json").status_code == 400
    r = ours.post(url, {"reason": "录错"}, format="json")
    assert r.status_code == 201, r.content
    assert [row["amount"] for row in r.json()["recoveries"]] == ["500.00", "-500.00"]
    assert ours.post(url, {"reason": "再冲"}, format="json").status_code == 400


# --- the split rule under reversals (no database) -------------------------------------------------------

amounts = st.integers(min_value=1, max_value=400_000).map(lambda n: D(n) / 100)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(loss=st.integers(min_value=1, max_value=5_000_000).map(lambda n: D(n) / 100),
       share=st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100),
       steps=st.lists(st.tuples(st.booleans(), amounts, st.integers(min_value=0, max_value=50)), max_size=12))
def test_shares_stay_in_bounds_and_the_whole_loss_returns_exactly(loss, share, steps):
    """Recoveries (True) and reversals of an earlier live one (False, chosen by index): every part lies
    in [0, amount], the fund's net never above what it paid, the bank's never above what it bore, and
    recovering the rest afterwards brings the fund back exactly what it paid."""
    paid = yuan(loss * share)
    live: list[tuple[D, D]] = []  # (amount, fund part) of the recoveries not reversed

    def record(amount: D) -> None:
        total, fund = sum((a for a, _f in live), D("0")), sum((f for _a, f in live), D("0"))
        part = rules.recovery_fund_part(loss=loss, fund_paid=paid, recovered_before=total, fund_before=fund,
                                        amount=amount)
        assert D("0") <= part <= amount
        live.append((amount, part))
        assert sum((f for _a, f in live), D("0")) <= paid
        assert sum((a - f for a, f in live), D("0")) <= loss - paid

    for recover, amount, pick in steps:
        left = loss - sum((a for a, _f in live), D("0"))
        if recover and left > 0:
            record(min(amount, left))
        elif not recover and live:
            live.pop(pick % len(live))
    left = loss - sum((a for a, _f in live), D("0"))
    if left > 0:
        record(left)
    assert sum((f for _a, f in live), D("0")) == paid
    assert sum((a - f for a, f in live), D("0")) == loss - paid
