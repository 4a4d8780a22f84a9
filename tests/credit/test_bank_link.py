"""Linking an existing account to a bank, or moving it to another bank, from /credit/banks/ (bank15):
only an active 银行 account the manager manages, placed at the bank's county; audited (the previous
bank named); every other account refused at the field with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.credit import selectors, services
from fupin.credit.models import BankStaff
from tests import factories

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def assign(actor, bank, username):
    return services.bank_staff_assign(actor=actor, bank=bank, username=username)


def refusal(actor, bank, username) -> str:
    with pytest.raises(ValidationError) as exc:
        assign(actor, bank, username)
    return exc.value.message_dict["username"][0]


def test_the_county_links_an_unlinked_bank_account(county_user, tree, banks):
    account = factories.user("rcc_wang", Role.BANK, tree["county"], display_name="王")
    assert selectors.loans_for(account).count() == 0
    link = assign(county_user, banks["rcc"], "RCC_WANG")  # the username as typed, in any case
    assert (link.user, link.bank) == (account, banks["rcc"])
    event = AuditEvent.objects.get(entity="credit.bankstaff", entity_id=str(link.pk))
    assert event.actor == county_user and event.summary.endswith("→ 罗平县农村信用合作联社")


def test_the_county_moves_an_account_to_another_bank(county_user, banks, banker):
    link = assign(county_user, banks["psbc"], "banker_rcc")
    assert BankStaff.objects.get(user=banker).bank == banks["psbc"]
    event = AuditEvent.objects.filter(entity="credit.bankstaff", entity_id=str(link.pk), kind=AuditKind.UPDATE).order_by("id").last()
    assert "罗平县农村信用合作联社 → 邮储银行罗平县支行" in event.summary
    assert event.data["changes"].get("bank", event.data["changes"].get("bank_id")) == {"before": banks["rcc"].pk, "after": banks["psbc"].pk}
    assert list(selectors.banks_for(banker)) == [banks["psbc"]]  # it acts for the new bank now


def test_accounts_that_may_not_be_linked_are_refused_with_the_reason(county_user, tree, banks, banker):
    factories.user("v_link", Role.VILLAGE, tree["village_a1"])
    factories.user("off_link", Role.BANK, tree["county"], is_active=False)
    far = factories.area("530325000000", "富源县")
    factories.user("far_bank", Role.BANK, far)
    province_bank = factories.user("prov_bank", Role.BANK, tree["province"])
    assert refusal(county_user, banks["rcc"], "v_link") == \
        "账号 v_link 的角色为“村干部”：只有角色为“银行”的账号可以关联银行"
    assert refusal(county_user, banks["rcc"], "off_link") == "账号 off_link 已停用，请先在账号管理中启用"
    # outside the manager's subtree, or no such account: the same words
    assert refusal(county_user, banks["rcc"], "far_bank") == "没有找到账号“far_bank”（或不在您的管理范围内）"
    assert refusal(county_user, banks["rcc"], "nobody") == "没有找到账号“nobody”（或不在您的管理范围内）"
    assert refusal(county_user, banks["rcc"], "banker_rcc") == "账号 banker_rcc 已是罗平县农村信用合作联社的账号"
    admin = factories.user("root_link", Role.ADMIN, None)
    assert refusal(admin, banks["rcc"], "prov_bank") == \
        "账号 prov_bank 的所属区划为云南省，与罗平县农村信用合作联社所在的罗平县不同：请先在账号管理中修改其所属区划"
    assert not BankStaff.objects.filter(user=province_bank).exists()
    assert BankStaff.objects.count() == 1


def test_only_the_county_office_links(tree, banks, banker):
    factories.user("free_bank", Role.BANK, tree["county"])
    for user in (factories.user("lead_link", Role.LEADER, tree["county"]), banker):
        with pytest.raises(PermissionDenied):
            assign(user, banks["rcc"], "free_bank")
        assert web(user).post(reverse("credit:bank_link", args=[banks["rcc"].pk]),
                              {"username": "free_bank"}).status_code == 403
    assert not BankStaff.objects.filter(user__username="free_bank").exists()


def test_the_bank_page_lists_the_candidates_and_links(county_user, tree, banks, banker):
    factories.user("free_bank", Role.BANK, tree["county"], display_name="赵信贷")
    factories.user("v_page", Role.VILLAGE, tree["village_a1"])
    c = web(county_user)
    listed = c.get(reverse("credit:banks")).content.decode()
    assert reverse("credit:bank_link", args=[banks["psbc"].pk]) in listed
    page = c.get(reverse("credit:bank_link", args=[banks["psbc"].pk])).content.decode()
    assert "free_bank" in page and "banker_rcc" in page and "罗平县农村信用合作联社" in page and "v_page" not in page
    bad = c.post(reverse("credit:bank_link", args=[banks["psbc"].pk]), {"username": "v_page"})
    assert bad.status_code == 400 and "只有角色为“银行”的账号可以关联银行" in bad.content.decode()
    assert c.post(reverse("credit:bank_link", args=[banks["psbc"].pk]), {"username": "free_bank"}).status_code == 302
    assert BankStaff.objects.get(user__username="free_bank").bank == banks["psbc"]
    assert "赵信贷" in c.get(reverse("credit:banks")).content.decode()
