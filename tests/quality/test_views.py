"""/quality/ and the household page's 数据质量疑点: scoped reads, filters, counts, resolving."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.quality.models import Finding

from .conftest import login

pytestmark = pytest.mark.django_db


def page(client, **params) -> str:
    response = client.get(reverse("quality:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_each_users_own_area_only(found, county_user, township_b_user):
    county = page(login(county_user))
    assert "H-A-0001" in county and "H-B-0001" in county and "甲女儿" in county
    township_b = page(login(township_b_user))
    assert "H-B-0001" in township_b and "H-A-0001" not in township_b and "甲女儿" not in township_b


def test_counts_per_rule_and_filters_by_rule_and_area(found, county_user, tree):
    client = login(county_user)
    html = page(client)
    assert "因病致贫但无患病成员" in html and "与户主关系与性别不符" in html
    by_rule = page(client, rule="logic_relation_sex")
    assert "H-A-0001" in by_rule and "H-B-0001" not in by_rule
    by_area = page(client, area=tree["village_b1"].code)
    assert "H-B-0001" in by_area and "H-A-0001" not in by_area


def test_the_household_page_lists_its_open_findings(found, county_user):
    a, _b = found
    html = login(county_user).get(reverse("household_detail", args=[a.pk])).content.decode()
    assert 'id="quality"' in html and "与户主关系“之子”与性别“女”不符" in html
    assert reverse("quality:resolve", args=[Finding.objects.filter(household=a).first().pk]) in html


def test_a_writer_resolves_a_finding_with_a_note(found, county_user):
    a, _b = found
    f = Finding.objects.get(household=a, rule="logic_relation_sex")
    client = login(county_user)
    url = reverse("quality:resolve", args=[f.pk])
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 200 and "处理说明" in refused.content.decode()
    response = client.post(url, {"note": "经核实为养子"})
    assert response.status_code == 302 and response["Location"].endswith(f"/households/{a.pk}/#quality")
    f.refresh_from_db()
    assert f.resolution_note == "经核实为养子" and f.resolved_by == county_user
    shown = client.get(response["Location"]).content.decode()
    assert "已处理疑点：与户主关系“之子”与性别“女”不符" in shown  # the message, once
    html = client.get(reverse("household_detail", args=[a.pk])).content.decode()
    assert "与户主关系“之子”与性别“女”不符" not in html and "因病" in html


def test_read_only_roles_see_findings_but_cannot_resolve(found, leader):
    a, _b = found
    client = login(leader)
    assert "H-A-0001" in page(client)
    f = Finding.objects.get(household=a, rule="logic_relation_sex")
    assert client.post(reverse("quality:resolve", args=[f.pk]), {"note": "x"}).status_code == 403
    html = client.get(reverse("household_detail", args=[a.pk])).content.decode()
    assert 'id="quality"' in html and reverse("quality:resolve", args=[f.pk]) not in html


def test_a_finding_outside_scope_is_not_found(found, township_b_user):
    a, _b = found
    f = Finding.objects.filter(household=a).first()
    assert login(township_b_user).post(reverse("quality:resolve", args=[f.pk]), {"note": "x"}).status_code == 404
    f.refresh_from_db()
    assert f.resolved_at is None


def test_the_next_address_must_be_on_this_site(found, county_user):
    a, _b = found
    f = Finding.objects.filter(household=a).first()
    response = login(county_user).post(reverse("quality:resolve", args=[f.pk]),
                                       {"note": "ok", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_the_list_takes_a_fixed_number_of_queries(found, county_user, django_assert_max_num_queries):
    client = login(county_user)
    client.get(reverse("quality:list"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        page(client)


def test_findings_that_tell_health_are_hidden_from_roles_that_do_not_see_health(found, county_user, leader):
    # "因病致贫但无患病成员" tells the members' health: 领导 do not see health details anywhere.
    assert "因病" in page(login(county_user)) and "因病致贫但无患病成员" in page(login(county_user))
    html = page(login(leader))
    assert "与户主关系与性别不符" in html and "因病致贫但无患病成员" not in html and "没有患病" not in html
    a, _b = found
    detail = login(leader).get(reverse("household_detail", args=[a.pk])).content.decode()
    assert "没有患病" not in detail and "与性别“女”不符" in detail
