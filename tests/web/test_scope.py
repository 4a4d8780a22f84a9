"""Who sees what: an officer of township B never sees township A, and read-only roles change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord

from .conftest import NUMBER_A1, NUMBER_A2, NUMBER_B1, login
from .html import listed_numbers

A_NAMES = ("赵甲山", "钱甲花", "周甲河")
A_WORDS = (NUMBER_A1, NUMBER_A2, "甲乡", "甲一村", "甲二村", *A_NAMES)


def a_pages(ha) -> dict[str, str]:
    member = ha.members.get(name="钱甲花")
    return {
        "detail": reverse("household_detail", args=[ha.pk]),
        "edit": reverse("household_edit", args=[ha.pk]),
        "member add": reverse("member_add", args=[ha.pk]),
        "member edit": reverse("member_edit", args=[member.pk]),
        "member remove": reverse("member_remove", args=[member.pk]),
        "yearly add": reverse("yearly_add", args=[ha.pk]),
        "yearly edit": reverse("yearly_edit", args=[ha.pk, 2019]),
        "status": reverse("status_change", args=[ha.pk]),
        "area children": reverse("area_children", args=["530324100000"]),
        "overview of township A": reverse("overview") + "?area=530324100000",
        "village options of township A": reverse("village_options") + "?township=530324100000",
    }


def assert_shows_nothing_of_township_a(text: str) -> None:
    for word in A_WORDS:
        assert word not in text, word


@pytest.mark.parametrize("page", ["detail", "edit", "member add", "member edit", "member remove", "yearly add",
                                  "yearly edit", "status", "area children", "overview of township A",
                                  "village options of township A"])
def test_a_township_b_officer_gets_404_for_township_a(b_client, registry, page):
    url = a_pages(registry["a1"])[page]
    assert b_client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["edit", "member add", "member edit", "member remove", "yearly add",
                                  "yearly edit", "status"])
def test_a_township_b_officer_cannot_post_to_township_a(b_client, registry, page):
    before = {m.__name__: m.objects.count() for m in (Household, Member, YearlyRecord, StatusChange, AuditEvent)}
    response = b_client.post(a_pages(registry["a1"])[page], {"reason": "death", "date": "2024-01-01",
                                                             "to_status": "cancelled", "name": "x"})
    assert response.status_code == 404
    after = {m.__name__: m.objects.count() for m in (Household, Member, YearlyRecord, StatusChange, AuditEvent)}
    assert after == before


def test_the_list_of_a_township_b_officer_shows_only_township_b(b_client, registry):
    text = b_client.get(reverse("household_list")).content.decode()
    assert NUMBER_B1 in text and "孙乙林" in text and "共 1 户" in text
    assert_shows_nothing_of_township_a(text)


@pytest.mark.parametrize("query", [NUMBER_A1, "5303241002", "赵甲山", "钱甲花", "甲"])
def test_searching_for_township_a_finds_nothing_for_a_township_b_officer(b_client, registry, query):
    # The results partial: the full page echoes the query in the search box.
    text = b_client.get(reverse("household_list"), {"q": query}, HTTP_HX_REQUEST="true",
                        HTTP_HX_TARGET="results").content.decode()
    assert "共 0 户" in text and listed_numbers(text) == []
    # The sort links repeat the query itself; nothing else of township A may appear.
    assert_shows_nothing_of_township_a(text.replace(query, ""))


def test_searching_by_a_township_a_id_number_finds_nothing_for_a_township_b_officer(b_client, registry):
    id_number = registry["a1"].members.get(name="钱甲花").id_number
    response = b_client.get(reverse("household_list"), {"q": id_number})
    assert "共 0 户" in response.content.decode()


def test_asking_the_list_for_township_a_does_not_reveal_it(b_client, registry):
    text = b_client.get(reverse("household_list"), {"township": "530324100000"}).content.decode()
    assert_shows_nothing_of_township_a(text)
    text = b_client.get(reverse("household_list"), {"township": "530324100000", "village": "530324100201"},
                        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert_shows_nothing_of_township_a(text)


def test_the_overview_of_a_township_b_officer_counts_only_township_b(b_client, registry):
    response = b_client.get(reverse("overview"))
    assert response.context["root"].name == "乙乡"
    assert response.context["totals"] == {"households": 1, "people": 2, "poor_households": 1, "poor_people": 2}
    assert [r["area"].name for r in response.context["rows"]] == ["乙一村"]
    assert_shows_nothing_of_township_a(response.content.decode())


def test_the_area_tree_of_a_township_b_officer_shows_only_township_b(b_client, registry):
    response = b_client.get(reverse("area_tree"))
    assert response.context["root"].name == "乙乡"
    assert response.context["root_summary"]["households"] == 1
    assert [r["area"].name for r in response.context["rows"]] == ["乙一村"]
    assert_shows_nothing_of_township_a(response.content.decode())


def test_a_township_a_officer_sees_township_a_but_not_b(township_a_user, registry):
    client = login(township_a_user)
    text = client.get(reverse("household_list")).content.decode()
    assert NUMBER_A1 in text and NUMBER_A2 in text and NUMBER_B1 not in text and "孙乙林" not in text
    assert client.get(reverse("household_detail", args=[registry["b1"].pk])).status_code == 404


def test_a_user_without_an_area_sees_nothing(db, tree, registry):
    from tests import factories

    client = login(factories.user("nobody", "township", None))
    for name in ("overview", "area_tree", "household_list"):
        text = client.get(reverse(name)).content.decode()
        assert "尚未分配管辖区划" in text
        assert NUMBER_A1 not in text and NUMBER_B1 not in text
    assert client.get(reverse("household_detail", args=[registry["a1"].pk])).status_code == 404


WRITE_PAGES = ["edit", "member add", "member edit", "member remove", "yearly add", "yearly edit", "status"]


@pytest.mark.parametrize("role", ["leader", "auditor"])
@pytest.mark.parametrize("page", [*WRITE_PAGES, "create"])
def test_read_only_roles_get_403_on_write_pages(request, registry, role, page):
    client = login(request.getfixturevalue(role))
    url = reverse("household_create") if page == "create" else a_pages(registry["a1"])[page]
    assert client.get(url).status_code == 403
    before = Member.objects.count(), AuditEvent.objects.count(), StatusChange.objects.count()
    assert client.post(url, {"reason": "death", "date": "2024-01-01", "to_status": "exited"}).status_code == 403
    assert (Member.objects.count(), AuditEvent.objects.count(), StatusChange.objects.count()) == before


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_read_only_roles_read_everything_in_scope_without_edit_buttons(request, registry, role):
    client = login(request.getfixturevalue(role))
    ha = registry["a1"]
    detail = client.get(reverse("household_detail", args=[ha.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "赵甲山" in text and "钱甲花" in text
    for url in a_pages(ha).values():
        if url != reverse("household_detail", args=[ha.pk]) and "/households/" in url and "/villages/" not in url:
            assert f'href="{url}"' not in text, url
    assert "修改户信息" not in text and "增加成员" not in text and "减员</a>" not in text and ">修改<" not in text
    listing = client.get(reverse("household_list")).content.decode()
    assert NUMBER_A1 in listing and NUMBER_B1 in listing
    assert "登记新户" not in listing and reverse("household_create") not in listing


def test_a_writer_sees_the_edit_buttons(county_client, ha):
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert f'href="{reverse("household_edit", args=[ha.pk])}"' in text
    assert f'href="{reverse("member_edit", args=[ha.members.get(name="钱甲花").pk])}"' in text
    assert f'href="{reverse("yearly_edit", args=[ha.pk, 2019])}"' in text
    assert "登记新户" in county_client.get(reverse("household_list")).content.decode()
