"""The 户档案 PDF: scoped like the household page, masked through the policy, audited as an export,
and refused with a clear message when a name holds a character the font cannot print."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.assistance import services as assistance
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services
from fupin.registry.choices import Health, Relation
from tests import factories
from tests.web.conftest import login as client_for

from .test_render import needs_poppler, pdf_text, squeezed

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(tree, county_user):
    h = factories.household(
        tree["village_a1"], actor=county_user, number="5303241002010077", phone="13812345678",
        address="甲一村 7 号",
        members=[factories.member_data(Relation.HEAD, "1", name="朱镕基", health=Health.CHRONIC),
                 factories.member_data(Relation.SPOUSE, "2", name="王玥垚")])
    services.yearly_record_save(actor=county_user, household=h, year=2019,
                                data={"wage_income": "12345.60", "member_count": 2})
    cadre = factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")
    assistance.pairing_create(actor=county_user, cadre=cadre, household=h, start=datetime.date(2016, 3, 1))
    return h


@needs_poppler
def test_the_record_prints_names_masked_numbers_income_and_cadre(household, county_user):
    response = client_for(county_user).get(reverse("household_record_pdf", args=[household.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "5303241002010077.pdf" in response["Content-Disposition"]
    text = squeezed(pdf_text(response.content))
    spouse = household.members.get(relation=Relation.SPOUSE)
    for expected in ("建档立卡贫困户档案", "5303241002010077", "朱镕基", "王玥垚", "甲一村 7 号",
                     spouse.id_number[:6] + "********" + spouse.id_number[-4:], "138****5678",
                     "12,345.60", "6,172.80", "李文军", "长期慢性病", "打印"):
        assert squeezed(expected) in text, expected
    assert spouse.id_number not in text and "13812345678" not in text


def test_printing_is_audited_as_an_export_of_the_household(household, county_user):
    client_for(county_user).get(reverse("household_record_pdf", args=[household.pk]))
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, actor=county_user)
    assert (event.entity, event.entity_id) == ("registry.household", str(household.pk))
    assert event.area_path == household.area_path
    assert "5303241002010077" in event.summary and event.data["document"] == "household_record"


def test_outside_the_scope_it_is_not_found_and_nothing_is_audited(household, township_b_user):
    response = client_for(township_b_user).get(reverse("household_record_pdf", args=[household.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_signed_out_users_are_sent_to_sign_in(household):
    response = Client().get(reverse("household_record_pdf", args=[household.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@needs_poppler
def test_a_leader_gets_no_health_column_and_no_free_text_reasons(household, tree):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    text = squeezed(pdf_text(client_for(leader).get(reverse("household_record_pdf", args=[household.pk])).content))
    assert "朱镕基" in text and "健康状况、残疾情况按查看人权限不予显示" in text
    assert "长期慢性病" not in text and "（无权查看）" in text


def test_a_name_the_font_cannot_print_is_a_clear_error_never_an_empty_box(tree, county_user):
    h = factories.household(tree["village_a1"], actor=county_user, number="5303241002010078",
                            members=[factories.member_data(Relation.HEAD, "1", name="张三"),
                                     factories.member_data(Relation.SPOUSE, "2", name="李𬌗")])
    client = client_for(county_user)
    response = client.get(reverse("household_record_pdf", args=[h.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("household_detail", args=[h.pk])
    page = client.get(response["Location"]).content.decode()
    assert "无法打印户档案：家庭成员姓名（第 2 项）“李𬌗”中的“𬌗”（U+2C317）不在打印字体中" in page
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_the_household_page_has_the_print_button_for_every_role(household, tree):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    page = client_for(leader).get(reverse("household_detail", args=[household.pk])).content.decode()
    assert reverse("household_record_pdf", args=[household.pk]) in page and "打印户档案 (PDF)" in page


@needs_poppler
def test_a_page_renders_to_an_image(household, county_user, tmp_path):
    """pdftoppm draws the first page (what a printer gets); the image is A4-shaped and not blank."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing")
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(client_for(county_user).get(reverse("household_record_pdf", args=[household.pk])).content)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-gray", str(pdf), str(tmp_path / "p")],
                   check=True)
    png = next(tmp_path.glob("p*.png")).read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.01
