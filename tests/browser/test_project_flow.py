"""A project from proposal to acceptance in the browser (issue 16, life16), each step on the project's page
by the persona whose step it is:

the village proposes it (申报项目) and names a beneficiary household → the township's 乡镇审核 → the lead
department's 部门论证 (a 行业部门 account, not a registry writer) → the county's 县级审定 and 入库公示 → 已入库
is refused while no plan notice has run its period (the refusal shown on the page), then taken once a
项目计划公示 of 10 days is over → 纳入年度计划 → the department registers the contract, starts it (实施中),
reports progress to 100 % → 竣工验收. The history lists every step; a 帮扶责任人 finds no such project.

The notice itself is pub16's page; here it is written straight to the database (a Disclosure that ended
yesterday). Screenshots of the list and the project's page at 1400×900 and 390×844 are written to
$FUPIN_SCREENSHOTS (e.g. docs/screenshots) as 80-*.png when it is set, else to a temporary directory.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from fupin.accounts.models import Role
from fupin.assistance.models import HelpingUnit
from fupin.projects.models import DepartmentStaff, Disclosure, Project
from fupin.projects.rules import Stage
from fupin.registry.choices import Relation
from tests import factories

from .test_identification_flow import DESKTOP, PHONE, chromium
from .test_walkthrough import sync_api

pytestmark = pytest.mark.browser


@pytest.fixture
def county(transactional_db, settings):
    settings.FUPIN_IDLE_MINUTES = 0
    tree = factories.area_tree()
    roads = HelpingUnit.objects.create(name="县交通运输局", area=tree["county"])
    users = {
        "village": factories.user("village_a1", Role.VILLAGE, tree["village_a1"], display_name="甲一村村委"),
        "township": factories.user("township_a", Role.TOWNSHIP, tree["township_a"], display_name="甲乡扶贫站"),
        "county": factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办"),
        "department": factories.user("dept_roads", Role.DEPARTMENT, tree["county"], display_name="交通局项目办"),
        "cadre": factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军"),
    }
    DepartmentStaff.objects.create(user=users["department"], department=roads)
    household = factories.household(tree["village_a1"], number="5303241002010066",
                                    members=[factories.member_data(Relation.HEAD, "1", name="罗受益"),
                                             factories.member_data(Relation.SPOUSE, "2", name="马受益")])
    return {"tree": tree, "users": users, "household": household}


def shots() -> Path:
    path = Path(os.environ.get("FUPIN_SCREENSHOTS") or "/tmp/fupin-project-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def forward(page, expected: str) -> None:
    expect = sync_api.expect
    page.fill("#fw-reason", "同意")
    page.locator("button[name=go]").click()
    expect(page.locator("#stage")).to_have_text(expected)


def test_a_project_from_proposal_to_acceptance(live_server, county):
    expect = sync_api.expect
    url = live_server.url
    today = datetime.date.today()
    with chromium(url) as browser:
        # 村级申报 by the village, with one beneficiary household named
        page = browser.page("village_a1")
        page.goto(f"{url}/projects/")
        page.get_by_role("link", name="申报项目").click()
        page.fill("#id_name", "甲一村通组硬化路")
        page.select_option("#id_category", "roads")
        page.select_option("#id_area", county["tree"]["village_a1"].code)
        page.fill("#id_year", str(today.year))
        page.fill("#id_budget", "1200000")
        page.fill("#id_starts_on", today.isoformat())
        page.fill("#id_ends_on", (today + datetime.timedelta(days=120)).isoformat())
        page.fill("#id_targets", "新建道路|公里|3.5")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#stage")).to_have_text("村级申报")
        project = Project.objects.get(name="甲一村通组硬化路")
        detail = f"{url}/projects/{project.pk}/"
        page.fill("#bn_numbers", county["household"].number)
        page.get_by_role("button", name="添加受益户").click()
        expect(page.locator("#beneficiaries")).to_contain_text("罗受益")
        expect(page.locator("#poor-counts")).to_have_text("1 / 2")
        expect(page.locator("#actions")).to_have_count(0)  # reviewing (or cancelling) is the township's

        page = browser.page("township_a")
        page.goto(detail)
        forward(page, "乡镇审核")

        page = browser.page("dept_roads")
        page.goto(detail)
        forward(page, "部门论证")

        page = browser.page("county_officer")
        page.goto(detail)
        forward(page, "县级审定")
        forward(page, "入库公示")
        page.fill("#fw-reason", "入库")
        page.locator("button[name=go]").click()
        expect(page.locator("#actions .errorlist")).to_contain_text("尚未发布项目计划公示")
        expect(page.locator("#stage")).to_have_text("入库公示")
        Disclosure.objects.create(kind="plan", area=project.area, project=project, title="计划公示",
                                  place="村务公开栏", starts_on=today - datetime.timedelta(days=11),
                                  ends_on=today - datetime.timedelta(days=1))
        page.goto(detail)
        forward(page, "已入库")
        forward(page, "纳入年度计划")

        page = browser.page("dept_roads")
        page.goto(detail)
        page.fill("#ct_number", "HT-2026-01")
        page.fill("#ct_party", "县路桥工程有限公司")
        page.fill("#ct_amount", "1100000")
        page.fill("#ct_signed_on", today.isoformat())
        page.get_by_role("button", name="登记合同").click()
        expect(page.locator("#contracts")).to_contain_text("县路桥工程有限公司")
        forward(page, "实施中")
        page.fill("#pg_progress", "100")
        page.fill("#pg_on", today.isoformat())
        page.get_by_role("button", name="填报进度").click()
        expect(page.locator("#progress")).to_contain_text("100%")
        forward(page, "竣工验收")
        history = page.locator("#history tbody tr")
        expect(history).to_have_count(9)  # 申报 and eight steps
        for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page.set_viewport_size(size)
            page.goto(detail)
            page.screenshot(path=str(shots() / f"80-project-{name}.png"), full_page=True)
            page.goto(f"{url}/projects/")
            expect(page.locator("#projects")).to_contain_text("甲一村通组硬化路")
            page.screenshot(path=str(shots() / f"80-projects-{name}.png"), full_page=True)

        # a 帮扶责任人 sees no project ledger
        page = browser.page("cadre_li")
        page.goto(f"{url}/projects/")
        expect(page.locator("#projects")).not_to_contain_text("甲一村通组硬化路")
        assert page.goto(detail).status == 404
    project.refresh_from_db()
    assert project.stage == Stage.ACCEPTED and project.accepted_on == today
