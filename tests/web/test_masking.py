"""ID numbers (530324********1234), phones and bank accounts are masked on read pages for everyone;
health details are hidden from roles that do not need them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.registry import services
from tests import factories

from .conftest import login


def test_the_household_page_masks_every_id_number(county_client, county_user, ha):
    spouse = ha.members.get(name="钱甲花")
    services.member_remove(actor=county_user, member=spouse, reason="death")  # removed members too
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    members = list(ha.members.all())
    assert len(members) == 2
    for m in members:
        masked = m.id_number[:6] + "********" + m.id_number[-4:]
        assert masked in text
        assert m.id_number not in text
        assert m.id_number[6:14] not in text  # not even the birth date part


def test_the_household_page_masks_the_bank_account(county_client, county_user, ha):
    services.household_update(actor=county_user, household=ha, data={"bank_account": "6228480012345678901"})
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert "***************8901" in text
    assert "6228480012345678901" not in text


def test_lists_and_the_overview_show_no_id_numbers(county_client, registry):
    ids = [m.id_number for h in registry.values() for m in h.members.all()]
    for url in (reverse("household_list"), reverse("overview"), reverse("area_tree")):
        text = county_client.get(url).content.decode()
        for number in ids:
            assert number not in text and number[6:14] not in text, url


def test_searching_by_id_number_does_not_print_other_members_numbers(county_client, ha):
    head, spouse = ha.members.get(name="赵甲山"), ha.members.get(name="钱甲花")
    text = county_client.get(reverse("household_list"), {"q": spouse.id_number},
                             HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert ha.number in text
    assert head.id_number not in text


# --- every persona, phones and health details ----------------------------------------------------

PERSONAS = [("county", Role.COUNTY, "county"), ("township_a", Role.TOWNSHIP, "township_a"),
            ("village_a1", Role.VILLAGE, "village_a1"), ("leader", Role.LEADER, "county"),
            ("auditor", Role.AUDITOR, "county")]
# 帮扶责任人 and 评估人员 see only their paired / sampled households (the registry's scoping), so
# they are not in this area-based matrix; fupin.accounts.policy decides for them as for all.
SEES_HEALTH = {"county", "township_a", "village_a1"}


@pytest.fixture
def sick(ha, county_user):
    """赵甲山 with a chronic illness and 低保; the household with a phone and a bank account."""
    services.household_update(actor=county_user, household=ha,
                              data={"phone": "13812345678", "bank_account": "6228480012345678901"})
    head = ha.members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head,
                           data={"health": "chronic", "on_dibao": True, "dibao_amount": "2400"})
    return ha


@pytest.mark.parametrize(("username", "role", "area"), PERSONAS)
def test_every_persona_sees_numbers_masked_on_the_household_page(tree, sick, username, role, area):
    client = login(factories.user(username, role, tree[area]))
    text = client.get(reverse("household_detail", args=[sick.pk])).content.decode()
    assert "138****5678" in text and "13812345678" not in text
    assert "***************8901" in text and "6228480012345678901" not in text
    for m in sick.members.all():
        assert policy.mask_id(m.id_number) in text
        assert m.id_number not in text


@pytest.mark.parametrize(("username", "role", "area"), PERSONAS)
def test_health_details_show_only_for_roles_that_need_them(tree, sick, username, role, area):
    client = login(factories.user(username, role, tree[area]))
    text = client.get(reverse("household_detail", args=[sick.pk])).content.decode()
    if username in SEES_HEALTH:
        assert "长期慢性病" in text
        assert "—（无权查看）" not in text
    else:
        assert "长期慢性病" not in text  # not on the page, not in the 修改记录 tab either
        assert "—（无权查看）" in text


@pytest.mark.parametrize(("username", "role", "area"), PERSONAS)
def test_the_household_list_shows_no_numbers_for_any_persona(tree, sick, username, role, area):
    client = login(factories.user(username, role, tree[area]))
    text = client.get(reverse("household_list")).content.decode()
    assert sick.number in text
    assert "13812345678" not in text and "6228480012345678901" not in text
    for m in sick.members.all():
        assert m.id_number not in text


def test_the_history_tab_masks_numbers_in_before_and_after(county_client, county_user, ha):
    head = ha.members.get(name="赵甲山")
    services.member_update(actor=county_user, member=head, data={"phone": "13912345678"})
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert "139****5678" in text and "13912345678" not in text
    assert head.id_number not in text and head.citizen_id not in text


def test_writers_still_see_the_full_id_number_in_the_edit_form(county_client, ha):
    head = ha.members.get(name="赵甲山")
    assert head.id_number in county_client.get(reverse("member_edit", args=[head.pk])).content.decode()


def test_the_masking_helpers():
    assert policy.mask_phone("13812345678") == "138****5678"
    assert policy.mask_phone("") == ""
    assert policy.mask_bank("6228 4800 1234 5678 901") == "***************8901"
    assert policy.mask_id("53032419800101123X") == "530324********123X"
    assert policy.mask("citizen_id", "53032419800101123X") == "530324********123X"
    assert policy.mask("name", "赵甲山") == "赵甲山"
