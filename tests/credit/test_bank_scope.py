"""A 银行 account sees its own bank's loans and the minimum of those households, nothing of another bank's
loans (404, on the pages and in the API), and acts for its own bank only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.credit import selectors, services
from tests import factories

from .conftest import lend, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def loans(tree, banks):
    ours = factories.household(tree["village_a1"], number="5303241002010701")
    theirs = factories.household(tree["village_a2"], number="5303241002020702")
    rate(ours, banks["rcc"])
    rate(theirs, banks["psbc"])
    return {"ours": lend(ours, banks["rcc"], contract="RCC-1"), "theirs": lend(theirs, banks["psbc"], contract="PSBC-1")}


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_a_bank_lists_only_its_own_loans(banker, loans):
    page = web(banker).get(reverse("credit:loans")).content.decode()
    assert "5303241002010701" in page and "5303241002020702" not in page and "邮储" not in page
    rows = api(banker).get("/api/credit/loans/").json()["results"]
    assert [r["contract_no"] for r in rows] == ["RCC-1"]
    assert set(selectors.loans_for(banker)) == {loans["ours"]}


def test_another_banks_loan_is_not_found(banker, other_banker, loans):
    for user, loan in ((banker, loans["theirs"]), (other_banker, loans["ours"])):
        assert web(user).get(reverse("credit:loan", args=[loan.pk])).status_code == 404
        assert api(user).get(f"/api/credit/loans/{loan.pk}/").status_code == 404
        r = api(user).post(f"/api/credit/loans/{loan.pk}/repayments/", {"paid_on": "2024-04-01", "interest": "1.00"},
                           format="json")
        assert r.status_code == 404


def test_a_bank_account_without_a_bank_sees_nothing(tree, loans):
    loose = factories.user("banker_loose", Role.BANK, tree["county"])
    assert not selectors.loans_for(loose).exists()
    assert not policy.visible_households(loose).exists()


def test_a_bank_records_repayments_of_its_own_loans(banker, loans):
    r = api(banker).post(f"/api/credit/loans/{loans['ours'].pk}/repayments/",
                         {"paid_on": "2024-06-01", "interest": "79.22"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["repayments"][0]["interest"] == "79.22"
    too_much = api(banker).post(f"/api/credit/loans/{loans['ours'].pk}/repayments/",
                                {"paid_on": "2024-06-02", "principal": "20000.00"}, format="json")
    assert too_much.status_code == 400
    assert "超过未还本金" in str(too_much.json())


def test_a_bank_lends_only_as_itself(banker, banks, tree):
    h = factories.household(tree["village_a1"], number="5303241002010703")
    rate(h, banks["rcc"])
    with pytest.raises(ValidationError) as exc:
        lend(h, banks["psbc"], actor=banker, contract="X")
    assert exc.value.message_dict["bank"] == ["只能录入本行发放的贷款"]
    assert lend(h, banks["rcc"], actor=banker, contract="X").created_by == banker


def test_a_bank_may_not_rate_nor_set_the_scheme_nor_pay_subsidy(banker, banks, loans, tree):
    h = factories.household(tree["village_a1"], number="5303241002010704")
    with pytest.raises(PermissionDenied):
        services.rating_record(actor=banker, household=h, year=2024, scores={}, rated_on=datetime.date(2024, 1, 1),
                               village_rep="a", team_rep="b", bank=banks["rcc"], bank_rep="c")
    assert web(banker).get(reverse("credit:scheme_new")).status_code == 403
    assert web(banker).post(reverse("credit:loan_subsidy", args=[loans["ours"].pk, 1])).status_code == 403


def test_a_bank_sees_the_minimum_of_its_borrowers(banker, loans):
    """Need-to-know: number, head, village and the head's ID masked (to match its contract); no health,
    disability or 低保 amounts; no 显示完整信息. A household it has no business with is not found."""
    ours = loans["ours"].household
    head_id = ours.members.get(relation="head").id_number
    page = web(banker).get(reverse("credit:loan", args=[loans["ours"].pk])).content.decode()
    assert policy.mask_id(head_id) in page and head_id not in page
    detail = api(banker).get(f"/api/credit/loans/{loans['ours'].pk}/").json()
    assert detail["id_number"] == policy.mask_id(head_id)
    for field in ("health", "disability_category", "dibao_amount", "tekun_amount", "reason"):
        assert policy.field_access(banker, field) == policy.Access.HIDDEN
    assert policy.field_access(banker, "id_number", revealed=True) == policy.Access.MASKED
    assert not policy.can_reveal(banker)
    assert web(banker).get(reverse("household_detail", args=[loans["theirs"].household_id])).status_code == 404
    assert web(banker).get(reverse("household_detail", args=[ours.pk])).status_code == 200
