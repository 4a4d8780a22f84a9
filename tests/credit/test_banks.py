"""承贷银行 in pages (issue 15, fin15): the county office lists, creates and edits the banks of its county
and gives a bank a 银行 account (created at the bank's county, linked to the bank, both audited); a bank
of another county is a 404; read-only roles read the list, the bank its own bank only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role, User
from fupin.audit.models import AuditEvent, AuditKind
from fupin.credit import selectors, services
from fupin.credit.models import Bank, BankStaff
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def far_bank(db):
    county = factories.area("530325000000", "富源县")
    return services.bank_create(actor=None, name="富源县农村信用合作联社", code="FY-RCC", area=county)


def test_the_county_creates_and_edits_a_bank_of_its_county(county_user, tree, far_bank):
    c = signed_in(county_user)
    form = c.get(reverse("credit:bank_new")).context["form"]
    assert [code for code, _label in form.fields["area"].choices] == [tree["county"].code]  # no other county
    r = c.post(reverse("credit:bank_new"), {"name": "罗平县农商银行", "code": "LP-RCB", "area": tree["county"].code,
                                            "active": "on"})
    assert r.status_code == 302
    bank = Bank.objects.get(code="LP-RCB")
    assert AuditEvent.objects.filter(entity="credit.bank", entity_id=str(bank.pk), kind=AuditKind.CREATE).exists()
    # a duplicate code is refused at the field
    r = c.post(reverse("credit:bank_new"), {"name": "又一家", "code": "LP-RCB", "area": tree["county"].code})
    assert r.status_code == 400 and "code" in r.context["form"].errors
    # a county outside the subtree is not offered
    r = c.post(reverse("credit:bank_new"), {"name": "外县", "code": "X", "area": far_bank.area.code})
    assert r.status_code == 400 and "area" in r.context["form"].errors
    r = c.post(reverse("credit:bank_edit", args=[bank.pk]), {"name": "罗平县农村商业银行", "code": "LP-RCB",
                                                             "area": tree["county"].code})
    assert r.status_code == 302
    bank.refresh_from_db()
    assert (bank.name, bank.active) == ("罗平县农村商业银行", False)
    assert AuditEvent.objects.filter(entity="credit.bank", entity_id=str(bank.pk), kind=AuditKind.UPDATE).exists()
    page = c.get(reverse("credit:banks")).content.decode()
    assert "罗平县农村商业银行" in page and "停用" in page and "富源县" not in page
    assert c.get(reverse("credit:bank_edit", args=[far_bank.pk])).status_code == 404
    assert c.get(reverse("credit:bank_user", args=[far_bank.pk])).status_code == 404


def test_a_bank_must_sit_in_a_county(tree):
    with pytest.raises(ValidationError) as exc:
        services.bank_create(actor=None, name="乡镇网点", code="T", area=tree["township_a"])
    assert exc.value.message_dict["area"] == ["承贷银行的所在区划须为县，“甲乡”不是"]


def test_the_county_gives_a_bank_an_account(county_user, banks, rated):
    from .conftest import lend

    lend(rated, banks["rcc"])
    c = signed_in(county_user)
    r = c.post(reverse("credit:bank_user", args=[banks["rcc"].pk]), {"username": "rcc_liu", "display_name": "刘晓燕",
                                                                     "phone": ""})
    assert r.status_code == 200 and r.context["temporary"]
    account = User.objects.get(username="rcc_liu")
    assert (account.role, account.area, account.must_change_password) == (Role.BANK, banks["rcc"].area, True)
    assert BankStaff.objects.get(user=account).bank == banks["rcc"]
    assert AuditEvent.objects.filter(entity="accounts.user", kind=AuditKind.CREATE, entity_id=str(account.pk)).exists()
    assert AuditEvent.objects.filter(entity="credit.bankstaff", actor=county_user).exists()
    # the new account sees its bank's loan, and nothing of the other bank
    assert list(selectors.loans_for(account).values_list("bank__code", flat=True)) == ["RCC"]
    assert list(selectors.banks_for(account)) == [banks["rcc"]]
    listed = c.get(reverse("credit:banks")).content.decode()
    assert "rcc_liu" in listed
    # the same username again: refused at the field, nothing linked
    r = c.post(reverse("credit:bank_user", args=[banks["psbc"].pk]), {"username": "RCC_LIU", "display_name": "某"})
    assert r.status_code == 400 and "已存在" in r.content.decode()
    assert not BankStaff.objects.filter(bank=banks["psbc"]).exists()


def test_only_the_county_office_manages_banks(tree, banks, banker):
    leader = factories.user("leader_b", Role.LEADER, tree["county"])
    township = factories.user("town_b", Role.TOWNSHIP, tree["township_a"])
    for user in (leader, banker):
        c = signed_in(user)
        assert c.get(reverse("credit:banks")).status_code == 200
        assert c.get(reverse("credit:bank_new")).status_code == 403
        assert c.post(reverse("credit:bank_user", args=[banks["rcc"].pk]), {"username": "x", "display_name": "x"}
                      ).status_code == 403
    assert signed_in(township).get(reverse("credit:banks")).status_code == 403
    # the bank's own account reads its own bank only
    page = signed_in(banker).get(reverse("credit:banks")).content.decode()
    assert "罗平县农村信用合作联社" in page and "邮储银行" not in page
    with pytest.raises(PermissionDenied):
        services.bank_user_create(actor=township, bank=banks["rcc"], username="y", display_name="y")
    assert not User.objects.filter(username__in=["x", "y"]).exists()
