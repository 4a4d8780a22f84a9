"""/quality/ per area (issue 12 #17): the households with findings counted per area one level down,
each finding with its rule and the values that raised it, the import warnings alone, and the
"explain" action storing a note, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.quality.models import Finding, Source
from fupin.quality.services import refresh_findings

from .conftest import login

pytestmark = pytest.mark.django_db


def get(client, **params):
    response = client.get(reverse("quality:list"), params)
    assert response.status_code == 200
    return response


def by_area(response) -> dict[str, tuple[int, int]]:
    return {c.area.name: (c.households, c.findings) for c in response.context["area_counts"]}


def test_the_county_sees_each_township_with_households_and_findings(found, county_user, tree):
    response = get(login(county_user))
    assert by_area(response) == {"甲乡": (1, 2), "乙乡": (1, 1)}
    html = response.content.decode()
    assert 'id="areas"' in html and f"area={tree['township_a'].code}" in html
    # Down one level: the township's villages; the other filters still apply.
    response = get(login(county_user), area=tree["township_a"].code, rule="logic_relation_sex")
    assert by_area(response) == {"甲一村": (1, 1)}


def test_a_township_sees_its_own_villages_only(found, township_b_user):
    assert by_area(get(login(township_b_user))) == {"乙一村": (1, 1)}


def test_each_finding_shows_its_rule_and_values(found, county_user):
    response = get(login(county_user), rule="logic_relation_sex")
    finding = response.context["page"].object_list[0]
    assert finding.rule_title == "与户主关系与性别不符"
    labels = dict(finding.value_rows)
    assert labels.get("与户主关系") == "之子" and labels.get("性别") == "女"
    html = response.content.decode()
    assert "与户主关系：之子" in html and "性别：女" in html
    assert reverse("household_detail", args=[finding.household_id]) in html


def test_the_import_warnings_alone(found, county_user):
    a, b = found
    refresh_findings([b.pk], source=Source.IMPORT)
    response = get(login(county_user), source=Source.IMPORT)
    listed = {f.household.number for f in response.context["page"].object_list}
    assert listed == {"H-B-0001"}
    assert by_area(response) == {"乙乡": (1, 1)}


def test_explain_stores_the_note_and_is_audited(found, county_user):
    a, _b = found
    finding = Finding.objects.filter(household=a, rule="logic_relation_sex").get()
    form = login(county_user).get(reverse("quality:resolve", args=[finding.pk])).content.decode()
    assert "与户主关系与性别不符" in form and "之子" in form
    note = "经入户核实，系户主之女，已改为“之女”"
    response = login(county_user).post(reverse("quality:resolve", args=[finding.pk]), {"note": note})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.resolution_note == note and finding.resolved_by == county_user
    event = AuditEvent.objects.get(kind=AuditKind.UPDATE, entity="quality.finding", entity_id=str(finding.pk))
    assert event.actor == county_user and event.area_path == a.area_path
    assert by_area(get(login(county_user))) == {"甲乡": (1, 1), "乙乡": (1, 1)}


def test_values_follow_the_privacy_policy(found, county_user, leader):
    # 低保金 and 特困金 are hidden from 领导 (FIELD_POLICY): the values of a finding too.
    from django.utils import timezone

    a, _b = found
    Finding.objects.create(household=a, rule="dibao_and_tekun", category="dibao", message="同时享受低保和特困供养",
                           values={"dibao_amount": "3456.00", "tekun_amount": "7890.00"}, area_path=a.area_path,
                           found_at=timezone.now())
    county = get(login(county_user), rule="dibao_and_tekun")
    assert {v for _label, v in county.context["page"].object_list[0].value_rows} == {"3456.00", "7890.00"}
    html = get(login(leader), rule="dibao_and_tekun").content.decode()
    assert "同时享受低保和特困供养" in html and "3456.00" not in html and "7890.00" not in html


def test_an_explanation_follows_the_health_rule(found, county_user, leader):
    # A finding's 处理说明 is free text ("户主患大病住院…"): hidden from 领导 like the health column.
    a, _b = found
    finding = Finding.objects.filter(household=a, rule="logic_relation_sex").get()
    note = "户主患大病住院，由其女代为核实"
    login(county_user).post(reverse("quality:resolve", args=[finding.pk]), {"note": note})
    assert note in get(login(county_user), state="resolved").content.decode()
    page = get(login(leader), state="resolved")
    assert page.status_code == 200 and "已处理" in page.content.decode() and note not in page.content.decode()
