"""Issue 12, item 10: the member form fills 出生日期 and 性别 from a corrected ID number, as the importer
does; a date the user changed is kept and checked against the number."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.lib import idnumber
from fupin.registry.models import Member

from .html import field_errors
from .test_form_errors import submit

pytestmark = pytest.mark.django_db


def test_a_corrected_id_number_brings_its_birth_date_and_sex(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    corrected = idnumber.make("530324", datetime.date(1990, 2, 3), 77, "2")
    response = submit(county_client, reverse("member_edit", args=[spouse.pk]), id_number=corrected)
    assert response.status_code == 302, field_errors(response.content)
    spouse = Member.objects.get(pk=spouse.pk)
    assert (spouse.id_number, spouse.birth_date, spouse.sex) == (corrected, datetime.date(1990, 2, 3), "2")


def test_a_corrected_number_of_the_other_sex_changes_the_sex(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    corrected = idnumber.make("530324", spouse.birth_date, 78, "1")
    response = submit(county_client, reverse("member_edit", args=[spouse.pk]), id_number=corrected)
    assert response.status_code == 302, field_errors(response.content)
    assert Member.objects.get(pk=spouse.pk).sex == "1"


def test_blank_birth_date_and_sex_are_filled_from_the_number(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    response = submit(county_client, reverse("member_edit", args=[spouse.pk]), birth_date="", sex="")
    assert response.status_code == 302, field_errors(response.content)
    assert Member.objects.get(pk=spouse.pk).birth_date == idnumber.parse(spouse.id_number).birth_date


def test_a_birth_date_the_user_changed_is_kept_and_checked(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    corrected = idnumber.make("530324", datetime.date(1990, 2, 3), 79, "2")
    response = submit(county_client, reverse("member_edit", args=[spouse.pk]), id_number=corrected,
                      birth_date="1991-01-01")
    assert response.status_code == 200
    assert any("不一致" in e for e in field_errors(response.content).get("birth_date", []))
    assert Member.objects.get(pk=spouse.pk).id_number == spouse.id_number


def test_the_id_field_carries_the_fill_hook_for_the_browser(county_client, ha):
    spouse = ha.members.get(name="钱甲花")
    page = county_client.get(reverse("member_edit", args=[spouse.pk])).content.decode()
    assert 'data-id-fill="1"' in page and "data-id-note=" in page
