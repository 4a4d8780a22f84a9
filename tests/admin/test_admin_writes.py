"""Where the admin may write (areas, designations, poverty lines, users), it goes through the
services: the derived fields are filled in, rules are enforced as form errors, and the change is
audited with the admin user as the actor."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.accounts.models import Role, User
from fupin.areas.models import Area, AreaDesignation, Level
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.models import PovertyLine
from tests import factories


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


# --- areas -------------------------------------------------------------------------------------------


def test_adding_an_area_derives_level_parent_and_path_and_audits_it(admin_client, superuser, tree):
    response = admin_client.post(url("areas_area_add"), {"code": "530324100203", "name": "甲三村"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    area = Area.objects.get(code="530324100203")
    assert (area.level, area.parent, area.path) == (Level.VILLAGE, tree["township_a"], "530324100203")
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, entity="areas.area", entity_id=str(area.pk))
    assert event.actor == superuser


@pytest.mark.parametrize(
    ("code", "message"),
    [("5303241002", "区划代码必须是 12 位数字"), ("530324900201", "上级区划（代码前缀 530324900）不存在"),
     (factories.VILLAGE_A1, "已存在")],
)
def test_a_wrong_area_code_is_a_form_error(admin_client, tree, code, message):
    count = Area.objects.count()

    response = admin_client.post(url("areas_area_add"), {"code": code, "name": "新村"})

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)
    assert Area.objects.count() == count


def test_renaming_an_area_in_the_admin_audits_the_old_and_new_name(admin_client, tree):
    village = tree["village_a1"]
    data = {"name": "甲一新村", **inline_management("designations", 0)}

    response = admin_client.post(url("areas_area_change", village.pk), data)

    assert response.status_code == 302
    village.refresh_from_db()
    assert village.name == "甲一新村" and village.code == factories.VILLAGE_A1
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="areas.area", entity_id=str(village.pk))
    assert event.data["changes"] == {"name": {"before": "甲一村", "after": "甲一新村"}}


def test_the_code_of_an_existing_area_cannot_be_changed(admin_client, tree):
    village = tree["village_a1"]
    data = {"code": "530324100299", "name": "甲一村", **inline_management("designations", 0)}

    admin_client.post(url("areas_area_change", village.pk), data)

    village.refresh_from_db()
    assert village.code == factories.VILLAGE_A1


def test_areas_cannot_be_deleted_in_the_admin(admin_client, tree):
    assert admin_client.post(url("areas_area_delete", tree["village_a2"].pk), {"post": "yes"}).status_code == 403
    assert Area.objects.filter(pk=tree["village_a2"].pk).exists()


def test_a_designation_added_inline_goes_through_the_service(admin_client, superuser, tree):
    village = tree["village_a2"]
    data = {"name": village.name, **inline_management("designations", 1),
            "designations-0-year": "2016", "designations-0-kind": "poor_village"}

    response = admin_client.post(url("areas_area_change", village.pk), data)

    assert response.status_code == 302
    designation = AreaDesignation.objects.get(area=village)
    assert (designation.year, designation.kind) == (2016, "poor_village")
    assert AuditEvent.objects.get(entity="areas.areadesignation").actor == superuser


def test_an_inline_designation_of_the_wrong_kind_for_the_level_is_a_form_error(admin_client, tree):
    township = tree["township_a"]
    data = {"name": township.name, **inline_management("designations", 1),
            "designations-0-year": "2016", "designations-0-kind": "poor_village"}

    response = admin_client.post(url("areas_area_change", township.pk), data)

    assert response.status_code == 200
    assert "贫困村只能认定给行政村" in response.content.decode()
    assert not AreaDesignation.objects.exists()


def test_a_designation_added_on_its_own_page_goes_through_the_service(admin_client, superuser, tree):
    response = admin_client.post(url("areas_areadesignation_add"),
                                 {"area": tree["township_b"].pk, "year": "2015", "kind": "poor_township"})

    assert response.status_code == 302
    assert AreaDesignation.objects.filter(area=tree["township_b"], year=2015, kind="poor_township").exists()
    assert AuditEvent.objects.get(entity="areas.areadesignation").actor == superuser

    wrong = admin_client.post(url("areas_areadesignation_add"),
                              {"area": tree["village_b1"].pk, "year": "2015", "kind": "poor_township"})
    assert wrong.status_code == 200
    assert "贫困乡镇只能认定给乡镇" in wrong.content.decode()


# --- poverty lines ------------------------------------------------------------------------------------


def test_correcting_a_national_line_in_the_admin_is_audited_and_keeps_its_note(admin_client, superuser, db):
    line = PovertyLine.objects.get(year=2020, kind="national", area=None)
    note = line.note

    response = admin_client.post(url("registry_povertyline_change", line.pk), {"amount": "3747"})

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("3747") and line.note == note
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="registry.povertyline")
    assert event.actor == superuser
    change = event.data["changes"]["amount"]
    assert (Decimal(change["before"]), Decimal(change["after"])) == (Decimal("4000"), Decimal("3747"))


def test_adding_a_provincial_line_for_an_area(admin_client, tree):
    data = {"year": "2017", "kind": "provincial", "area": tree["county"].pk, "amount": "3335", "note": "县定标准"}

    response = admin_client.post(url("registry_povertyline_add"), data)

    assert response.status_code == 302
    assert PovertyLine.objects.get(year=2017, kind="provincial", area=tree["county"]).amount == Decimal("3335")
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="registry.povertyline").count() == 1


def test_a_second_national_line_for_the_same_year_is_a_form_error(admin_client, db):
    response = admin_client.post(url("registry_povertyline_add"),
                                 {"year": "2016", "kind": "national", "amount": "3000", "note": ""})

    assert response.status_code == 200
    assert PovertyLine.objects.filter(year=2016, kind="national").count() == 1


# --- users ------------------------------------------------------------------------------------------------


def test_the_user_pages_show_role_and_area(admin_client, county_user):
    add = admin_client.get(url("accounts_user_add")).content.decode()
    change = admin_client.get(url("accounts_user_change", county_user.pk)).content.decode()

    for page in (add, change):
        for field in ("role", "area", "display_name", "phone"):
            assert f'name="{field}"' in page
    assert "admin-autocomplete" in change


def test_a_user_is_added_with_a_role_and_an_area(admin_client, tree):
    data = {"username": "new_cadre", "password1": "a-Long-pass-phrase-9", "password2": "a-Long-pass-phrase-9",
            "usable_password": "true", "role": Role.VILLAGE, "area": tree["village_b1"].pk,
            "display_name": "王五", "phone": "13800000000"}

    response = admin_client.post(url("accounts_user_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new_cadre")
    assert (user.role, user.area, user.display_name) == (Role.VILLAGE, tree["village_b1"], "王五")


def test_the_area_autocomplete_finds_areas_by_name_and_code_prefix(admin_client, tree):
    def search(term):
        response = admin_client.get(reverse("admin:autocomplete"), {
            "app_label": "accounts", "model_name": "user", "field_name": "area", "term": term})
        assert response.status_code == 200
        return {r["text"] for r in json.loads(response.content)["results"]}

    assert search("甲一") == {"甲一村"}
    assert search("530324101") == {"乙乡", "乙一村"}


def test_the_user_list_filters_by_role(admin_client, county_user, township_a_user):
    response = admin_client.get(url("accounts_user_changelist"), {"role__exact": Role.TOWNSHIP})

    assert [u.username for u in response.context["cl"].queryset] == ["township_a"]
