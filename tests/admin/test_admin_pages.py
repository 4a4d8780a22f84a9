"""The admin: every page renders for a superuser, list pages stay at a fixed number of queries, and
the registry and the audit trail cannot be written through it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fupin.accounts.models import User
from fupin.areas.models import Area, AreaDesignation
from fupin.audit.models import AuditEvent
from fupin.registry.models import Household, Member, PovertyLine, StatusChange, YearlyRecord
from tests import factories

MODELS = [Area, AreaDesignation, User, AuditEvent, PovertyLine, Household, Member, YearlyRecord, StatusChange]
READ_ONLY = [AuditEvent, Household, Member, YearlyRecord, StatusChange]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def designated(tree):
    from fupin.areas.services import area_designate

    return area_designate(actor=None, area=tree["village_a1"], year=2016, kind="poor_village")


def test_every_model_is_registered():
    for model in MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_changelist_renders_for_a_superuser(admin_client, registry_data, designated, model):
    response = admin_client.get(url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_detail_page_renders_for_a_superuser(admin_client, registry_data, designated, model):
    obj = model._default_manager.order_by("pk").first()

    response = admin_client.get(url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (Household, "H-A1", 1),
        (Area, "530324", 6),
        (Area, "甲一", 1),
        (StatusChange, "H-B1", 1),
        (YearlyRecord, "H-A1-0001", 1),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_searching_a_changelist(admin_client, registry_data, model, term, expected):
    response = admin_client.get(url(model, "changelist"), {"q": term})

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_audit_events_are_found_by_actor_and_entity_id(admin_client, registry_data, county_user):
    household = registry_data[0]
    by_actor = admin_client.get(url(AuditEvent, "changelist"), {"q": "county_officer"}).context["cl"]
    by_id = admin_client.get(url(AuditEvent, "changelist"), {"q": str(household.pk)}).context["cl"]

    assert by_actor.result_count == AuditEvent.objects.filter(actor_name="county_officer").count() > 0
    assert any(e.entity == "registry.household" and e.entity_id == str(household.pk) for e in by_id.queryset)


def test_households_and_members_are_found_by_head_name_and_member_name(admin_client, registry_data):
    household = registry_data[0]
    head = household.members.get(relation="head")

    assert admin_client.get(url(Household, "changelist"), {"q": household.head_name}).context["cl"].result_count == 1
    found = admin_client.get(url(Member, "changelist"), {"q": head.name}).context["cl"]
    assert list(found.queryset) == [head]


def test_members_are_found_by_exact_id_number_in_any_spelling(admin_client, registry_data):
    member = registry_data[1].members.first()
    spaced = member.id_number[:6] + " " + member.id_number[6:]

    for term in (member.id_number, member.id_number.lower(), spaced):
        found = admin_client.get(url(Member, "changelist"), {"q": term}).context["cl"]
        assert list(found.queryset) == [member], term


def test_id_numbers_are_shown_masked(admin_client, registry_data):
    member = registry_data[0].members.first()

    listing = admin_client.get(url(Member, "changelist")).content.decode()
    detail = admin_client.get(url(Member, "change", member.pk)).content.decode()
    household = admin_client.get(url(Household, "change", member.household_id)).content.decode()

    for page in (listing, detail, household):
        assert member.id_number not in page
        assert member.id_number[:6] + "********" + member.id_number[-4:] in page


# --- list pages cost a fixed number of queries ----------------------------------------------------


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_a_changelist_does_not_query_once_per_row(admin_client, tree, county_user, model):
    from fupin.areas.services import area_designate
    from fupin.registry import services

    def add_rows(village, n):
        for i in range(n):
            h = factories.household(village, actor=county_user)
            services.yearly_record_save(actor=county_user, household=h, year=2016, data={"wage_income": 100 + i})
            factories.user(f"u-{village.code}-{i}", "village", village, is_staff=True)
        area_designate(actor=county_user, area=village, year=2015 + n, kind="poor_village")

    add_rows(tree["village_a1"], 1)
    admin_client.get(url(model, "changelist"))  # warm the cached demo-data banner flag
    few = count_queries(admin_client, url(model, "changelist"))
    add_rows(tree["village_a2"], 4)
    add_rows(tree["village_b1"], 4)
    many = count_queries(admin_client, url(model, "changelist"))

    assert many == few


# --- nothing written through the admin where services own the writes ------------------------------


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_read_only_models_cannot_be_added_changed_or_deleted(admin_client, registry_data, model):
    obj = model._default_manager.order_by("pk").first()
    model_admin = admin.site._registry[model]

    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "add"), {}).status_code == 403
    assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    changelist = admin_client.get(url(model, "changelist"))
    assert url(model, "add") not in changelist.content.decode()
    assert not changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)
    request = changelist.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_an_audit_event_is_unchanged_after_attempts_to_edit_or_delete_it(admin_client, registry_data):
    event = AuditEvent.objects.order_by("pk").first()
    snapshot = (event.kind, event.summary, event.data)
    count = AuditEvent.objects.count()

    admin_client.post(url(AuditEvent, "change", event.pk), {"summary": "篡改", "kind": "delete"})
    admin_client.post(url(AuditEvent, "delete", event.pk), {"post": "yes"})
    admin_client.post(url(AuditEvent, "changelist"),
                      {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    event.refresh_from_db()
    assert (event.kind, event.summary, event.data) == snapshot
    assert AuditEvent.objects.count() == count


def test_a_scoped_staff_user_sees_only_households_of_the_own_township(client, registry_data, tree):
    from django.contrib.auth.models import Permission

    staff = factories.user("staff_a", "township", tree["township_a"], is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_household", "view_area"]))
    client.force_login(staff)

    households = client.get(url(Household, "changelist")).context["cl"].queryset
    areas = client.get(url(Area, "changelist")).context["cl"].queryset

    assert [h.number for h in households] == ["H-A1-0001"]
    assert set(areas.values_list("code", flat=True)) == {factories.TOWNSHIP_A, factories.VILLAGE_A1,
                                                          factories.VILLAGE_A2}
    assert client.get(url(Household, "change", registry_data[1].pk)).status_code == 302  # not found → index
