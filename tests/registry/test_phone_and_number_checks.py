"""Issue 12, item 7: phone numbers are checked (form, API, importer: one rule, rules.phone_error); a
户编号 that starts with another village's code is refused (rules.number_prefix_error); a 户编号 already
used links to that household for those who may see it, and says nothing of where to those who may not."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fupin.registry import rules, services
from fupin.registry.models import Household
from fupin.sheets.importer import plan_import
from fupin.sheets.reader import read_table
from tests import factories
from tests.api.conftest import api, error_of
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family
from tests.web.html import field_errors
from tests.web.test_form_errors import submit

pytestmark = pytest.mark.django_db

#: 甲一村's code and a serial: the usual 户编号.
OWN = factories.VILLAGE_A1 + "0007"
#: 乙一村's code and a serial: another village's number.
OTHERS = factories.VILLAGE_B1 + "0007"


@pytest.mark.parametrize("phone", ["13912345678", "139 1234 5678", "+86 13912345678", "0874-1234567",
                                   "010-12345678", "(0874)1234567", "08741234567", ""])
def test_mobile_and_fixed_line_numbers_are_accepted(phone):
    assert rules.phone_error(phone) is None


@pytest.mark.parametrize("phone", ["1391234", "abc", "12345678901", "1391234567", "139123456789", "0874-123",
                                   "1234567"])
def test_numbers_nobody_can_call_are_refused(phone):
    error = rules.phone_error(phone)
    assert error and phone in error and "11 位" in error and "区号" in error


def test_the_services_refuse_a_bad_phone_for_households_and_members(tree, county_user):
    with pytest.raises(ValidationError) as caught:
        factories.household(tree["village_a1"], actor=county_user, phone="1391234")
    assert "phone" in caught.value.message_dict
    household = factories.household(tree["village_a1"], actor=county_user, phone="0874-1234567")
    member = household.members.first()
    with pytest.raises(ValidationError) as caught:
        services.member_update(actor=county_user, member=member, data={"phone": "abc"})
    assert "phone" in caught.value.message_dict


def test_the_api_refuses_a_bad_phone_by_field(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    err = error_of(api(county_user).patch(f"/api/households/{household.pk}/", {"phone": "abc", "version": 1},
                                          format="json"), 400)
    assert "phone" in err["fields"]
    assert Household.objects.get(pk=household.pk).phone == ""


def test_the_form_refuses_a_bad_phone_at_its_field(tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user)
    client = Client()
    client.force_login(county_user)
    response = submit(client, reverse("household_edit", args=[household.pk]), phone="1391234")
    assert response.status_code == 200
    assert any("1391234" in e for e in field_errors(response.content).get("phone", []))
    assert Household.objects.get(pk=household.pk).phone == ""


def test_the_importer_refuses_a_bad_phone_at_its_column(tree, county_user):
    rows = family("5303241002010001", n=0, 联系电话="1391234")
    table = read_table(io.BytesIO(xlsx_bytes([STANDARD_HEADERS, *rows])), "a.xlsx")
    errors = plan_import(table, actor=county_user).households[0].errors
    assert {e.header for e in errors} == {"联系电话"}


def test_a_number_starting_with_another_villages_code_is_refused(tree, county_user):
    with pytest.raises(ValidationError) as caught:
        factories.household(tree["village_a1"], actor=county_user, number=OTHERS)
    message = caught.value.message_dict["number"][0]
    assert factories.VILLAGE_B1 in message and factories.VILLAGE_A1 in message
    assert not Household.objects.exists()
    factories.household(tree["village_a1"], actor=county_user, number=OWN)  # its own village's code
    factories.household(tree["village_a1"], actor=county_user, number="LP-2014-0001")  # another scheme


def test_the_importer_refuses_a_new_number_with_another_villages_code(tree, county_user):
    rows = family(OTHERS, n=0)  # filed under 甲一村 by its 区划代码
    table = read_table(io.BytesIO(xlsx_bytes([STANDARD_HEADERS, *rows])), "a.xlsx")
    errors = plan_import(table, actor=county_user).households[0].errors
    assert [e.header for e in errors] == ["户编号"] and factories.VILLAGE_B1 in errors[0].message


def test_a_duplicate_number_links_to_the_household_for_those_who_may_see_it(tree, county_user):
    first = factories.household(tree["village_a1"], actor=county_user, number=OWN)
    with pytest.raises(ValidationError) as caught:
        factories.household(tree["village_a1"], actor=county_user, number=OWN)
    message = caught.value.message_dict["number"][0]
    url = reverse("household_detail", args=[first.pk])
    assert url in message and first.head_name in message
    assert f'<a href="{url}">' in message.__html__()


def test_a_duplicate_number_outside_the_users_area_names_no_household(tree, county_user, township_b_user):
    first = factories.household(tree["village_a1"], actor=county_user)
    # Filed in 甲一村 under a number of 乙一村 (written before the prefix rule existed).
    Household.objects.filter(pk=first.pk).update(number=factories.VILLAGE_B1 + "0009")
    with pytest.raises(ValidationError) as caught:
        factories.household(tree["village_b1"], actor=township_b_user, number=factories.VILLAGE_B1 + "0009")
    message = caught.value.message_dict["number"][0]
    assert "/households/" not in message and first.head_name not in message
    assert message == rules.number_taken_error(factories.VILLAGE_B1 + "0009", seen=False)


def test_the_api_says_which_household_has_the_number(tree, county_user):
    first = factories.household(tree["village_a1"], actor=county_user, number="5303241002010099")
    from tests.api.test_households import _create_body

    err = error_of(api(county_user).post("/api/households/", _create_body(), format="json"), 400)
    assert reverse("household_detail", args=[first.pk]) in str(err["fields"]["number"])


def test_the_registration_form_shows_a_link_to_the_household_with_that_number(tree, county_user):
    first = factories.household(tree["village_a1"], actor=county_user, number=OWN)
    client = Client()
    client.force_login(county_user)
    from tests.web.html import edit_form_values

    url = reverse("household_create")
    values = edit_form_values(client.get(url).content)
    values.update({"h-number": OWN, "h-area": str(tree["village_a1"].pk), "h-main_cause": "illness",
                   "h-identified_year": "2016", "h-house_area": "80", "m-name": "王五", "m-relation": "head",
                   "m-id_number": factories.person_id(sex="1")})
    page = client.post(url, values).content.decode()
    assert f'<a href="{reverse("household_detail", args=[first.pk])}">' in page
    assert Household.objects.count() == 1
