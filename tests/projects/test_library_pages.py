"""The project library's pages and API (issue 16, life16): the list and its filters, the project page with
the buttons each persona may press, beneficiaries, contracts, progress, the 行业部门 accounts page and the
scoped API. One test per behaviour."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.projects import services_library as lib
from fupin.projects.models import Beneficiary, Contract, DepartmentStaff, Project
from fupin.projects.rules import Category, Stage
from fupin.registry.choices import Status
from tests import factories
from tests.scope.conftest import login

from .conftest import DAY, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def b1_project(tree, water):
    return lib.project_create(actor=None, area=tree["village_b1"], name="乙一村安全饮水工程", category=Category.WATER,
                              year=2024, budget="300000", on=DAY - datetime.timedelta(days=30))


def test_list_shows_scope_and_filters(project, b1_project, township_a_user, county_user):
    text = login(township_a_user).get(reverse("projects:list")).content.decode()
    assert project.code in text and b1_project.code not in text
    client = login(county_user)
    assert b1_project.code in client.get(reverse("projects:list")).content.decode()
    text = client.get(reverse("projects:list"), {"year": 2024}).content.decode()
    assert b1_project.code in text and project.code not in text
    text = client.get(reverse("projects:list"), {"category": Category.ROADS, "stage": Stage.PROPOSED}).content.decode()
    assert project.code in text and b1_project.code not in text
    text = client.get(reverse("projects:list"), {"area": "530324101000"}).content.decode()
    assert b1_project.code in text and project.code not in text


def test_list_filters_by_fund_channel(project, b1_project, county_user, tree):
    """The overview's channel bars link here: the projects that received money of that channel."""
    from fupin.projects.models import Allocation, FundDocument
    from fupin.projects.rules import Channel, Level

    doc = FundDocument.objects.create(area=tree["county"], number="罗财〔2024〕9号", title="整合资金", level=Level.COUNTY,
                                      channel=Channel.INTEGRATED, purpose="道路", year=2024, amount="900000",
                                      issued_on=datetime.date(2024, 1, 5))
    Allocation.objects.create(document=doc, project=project, area=tree["county"], amount="100000",
                              allocated_on=datetime.date(2024, 2, 1))
    client = login(county_user)
    text = client.get(reverse("projects:list"), {"channel": Channel.INTEGRATED}).content.decode()
    assert project.code in text and b1_project.code not in text
    text = client.get(reverse("projects:list"), {"channel": Channel.SPECIAL}).content.decode()
    assert project.code not in text and b1_project.code not in text


def test_department_sees_only_the_projects_it_leads(project, b1_project, department_user):
    client = login(department_user)
    text = client.get(reverse("projects:list")).content.decode()
    assert project.code in text and b1_project.code not in text
    assert client.get(reverse("projects:detail", args=[b1_project.pk])).status_code == 404


def test_outside_scope_is_404(project, township_b_user):
    assert login(township_b_user).get(reverse("projects:detail", args=[project.pk])).status_code == 404


def test_buttons_by_persona(project, township_a_user, county_user, department_user, tree):
    step = reverse("projects:step", args=[project.pk])
    assert step in login(township_a_user).get(reverse("projects:detail", args=[project.pk])).content.decode()
    leader = factories.user("leader", Role.LEADER, tree["county"])
    page = login(leader).get(reverse("projects:detail", args=[project.pk]))
    assert page.status_code == 200 and step not in page.content.decode()
    # at 村级申报 the department has nothing to do yet; once reviewed it appraises
    assert step not in login(department_user).get(reverse("projects:detail", args=[project.pk])).content.decode()
    walk(project, Stage.TOWNSHIP_REVIEWED)
    assert step in login(department_user).get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_step_through_the_page(project, township_a_user):
    response = login(township_a_user).post(reverse("projects:step", args=[project.pk]),
                                           {"kind": "forward", "reason": "同意上报", "date": DAY.isoformat(),
                                            "version": project.version})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).stage == Stage.TOWNSHIP_REVIEWED


def test_refused_step_shows_the_reason(project, county_user):
    project = walk(project, Stage.NOTICE)
    response = login(county_user).post(reverse("projects:step", args=[project.pk]),
                                       {"kind": "forward", "reason": "入库", "date": DAY.isoformat(),
                                        "version": project.version})
    assert response.status_code == 400 and "尚未发布项目计划公示" in response.content.decode()
    response = login(county_user).post(reverse("projects:step", args=[project.pk]),
                                       {"kind": "back", "reason": "", "version": project.version})
    assert response.status_code == 400 and "必须注明原因" in response.content.decode()


def test_refused_step_keeps_what_was_typed(project, county_user):
    """A refusal brings the page back with the opinion and date typed, in the form they were typed in."""
    project = walk(project, Stage.NOTICE)
    day = DAY + datetime.timedelta(days=2)
    response = login(county_user).post(reverse("projects:step", args=[project.pk]),
                                       {"kind": "forward", "reason": "公示无异议，同意入库", "date": day.isoformat(),
                                        "version": project.version})
    text = response.content.decode()
    assert response.status_code == 400 and "尚未发布项目计划公示" in text
    assert 'id="fw-reason" name="reason" maxlength="500" placeholder="如：同意" value="公示无异议，同意入库"' in text
    assert f'id="fw-date" name="date" value="{day.isoformat()}"' in text
    assert 'id="bk-reason" name="reason" maxlength="500" required value=""' in text


def test_stale_page_is_refused(project, township_a_user):
    old = project.version
    lib.project_update(actor=None, project=project, site="三组")
    response = login(township_a_user).post(reverse("projects:step", args=[project.pk]),
                                           {"kind": "forward", "reason": "同意", "date": DAY.isoformat(), "version": old})
    assert response.status_code == 400 and "刷新" in response.content.decode()


def test_propose_through_the_form(village_user, tree, roads):
    data = {"name": "甲一村产业路", "category": Category.ROADS, "nature": "new", "area": tree["village_a1"].code,
            "year": 2026, "budget": "88000.50", "targets": "新建道路|公里|1.2\n受益人口|人|300", "households": "12"}
    response = login(village_user).post(reverse("projects:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    p = Project.objects.get(name="甲一村产业路")
    assert p.lead == roads and str(p.budget) == "88000.50" and p.targets[0] == {
        "indicator": "新建道路", "unit": "公里", "target": "1.2", "actual": ""}


def test_propose_outside_scope_refused(village_user, tree):
    data = {"name": "越界项目", "category": Category.ROADS, "nature": "new", "area": tree["village_b1"].code, "year": 2026}
    response = login(village_user).post(reverse("projects:new"), data)
    assert response.status_code in (400, 404) and not Project.objects.filter(name="越界项目").exists()


def test_edit_locked_after_library(project, county_user):
    project = walk(project, Stage.LIBRARY)
    with pytest.raises(Exception) as e:
        lib.project_update(actor=county_user, project=project, name="改名")
    assert "项目已入库" in str(e.value)
    assert lib.project_update(actor=county_user, project=project, implementer="县路桥公司").implementer == "县路桥公司"


def test_beneficiaries_named_and_counted(project, village_user, tree):
    h1 = factories.household(tree["village_a1"], number="5303241002010501")
    h2 = factories.household(tree["village_a1"], number="5303241002010502")
    response = login(village_user).post(reverse("projects:beneficiary_add", args=[project.pk]),
                                        {"numbers": f"{h1.number}\n{h2.number}", "note": "道路通行"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.poor_households, project.poor_people) == (2, h1.member_count + h2.member_count)
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="projects.beneficiary").count() == 2
    b = Beneficiary.objects.get(project=project, household=h1)
    login(village_user).post(reverse("projects:beneficiary_remove", args=[project.pk, b.pk]))
    project.refresh_from_db()
    assert project.poor_households == 1


def test_beneficiary_outside_site_or_cancelled_refused(project, county_user, tree):
    other = factories.household(tree["village_a2"], number="5303241002020501")
    response = login(county_user).post(reverse("projects:beneficiary_add", args=[project.pk]), {"numbers": other.number})
    assert response.status_code == 400 and "不在项目建设地点" in response.content.decode()
    gone = factories.household(tree["village_a1"], number="5303241002010503")
    type(gone).objects.filter(pk=gone.pk).update(status=Status.CANCELLED)
    gone.refresh_from_db()
    with pytest.raises(Exception) as e:
        lib.beneficiaries_add(actor=None, project=project, households=[gone])
    assert "已注销" in str(e.value)
    assert not project.beneficiaries.exists()


def test_contract_and_progress(project, department_user):
    project = walk(project, Stage.IMPLEMENTING)
    client = login(department_user)
    response = client.post(reverse("projects:contract_add", args=[project.pk]),
                           {"number": "HT-001", "party": "县路桥公司", "procurement": "公开招标", "amount": "1000000.00",
                            "signed_on": DAY.isoformat()})
    assert response.status_code == 302 and Contract.objects.filter(project=project).count() == 1
    response = client.post(reverse("projects:contract_add", args=[project.pk]),
                           {"number": "HT-002", "party": "某公司", "amount": "300000.00", "signed_on": DAY.isoformat()})
    assert response.status_code == 400 and "超过项目总投资" in response.content.decode()
    response = client.post(reverse("projects:progress", args=[project.pk]), {"progress": "40", "on": DAY.isoformat()})
    assert response.status_code == 302 and Project.objects.get(pk=project.pk).progress == 40
    response = client.post(reverse("projects:progress", args=[project.pk]), {"progress": "30", "on": DAY.isoformat()})
    assert response.status_code == 400 and "不能低于" in response.content.decode()


def test_money_trail_slot(project, county_user):
    text = login(county_user).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="money-trail"' in text


def test_department_staff_page(county_user, tree, roads):
    dept = factories.user("dept_new", Role.DEPARTMENT, tree["county"])
    client = login(county_user)
    assert "未指定" in client.get(reverse("projects:departments")).content.decode()
    response = client.post(reverse("projects:departments"), {"user": dept.pk, "department": roads.pk})
    assert response.status_code == 302
    assert DepartmentStaff.objects.get(user=dept).department == roads
    assert login(dept).get(reverse("projects:departments")).status_code == 403


def test_api_list_and_detail_scoped(project, b1_project, township_a_user, tree):
    from rest_framework.test import APIClient

    h = factories.household(tree["village_a1"], number="5303241002010601")
    lib.beneficiaries_add(actor=None, project=project, households=[h])
    api = APIClient()
    api.force_authenticate(township_a_user)
    codes = [r["code"] for r in api.get("/api/projects/").json()["results"]]
    assert codes == [project.code]
    assert api.get("/api/projects/", {"stage": "library"}).json()["results"] == []
    detail = api.get(f"/api/projects/{project.pk}/").json()
    assert detail["beneficiaries"][0]["household_number"] == h.number and detail["stage"]["code"] == "proposed"
    assert api.get(f"/api/projects/{b1_project.pk}/").status_code == 404
    assert "/api/projects/" in api.get("/api/schema/").content.decode()
