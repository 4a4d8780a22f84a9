"""In the browser (batch16): a subsidy list naming 张大三 for 张大山's ID number is drawn up with the difference
listed under 姓名核对; 发放 without the box is refused on the page, with it the batch is paid. The county's
allocation form filters its project select as a code is typed (fupin/app.js), and without JavaScript its 查找
narrows the choices on the server."""

from __future__ import annotations

import datetime

import pytest

from fupin.accounts.models import Role
from fupin.projects import services_funds as funds
from fupin.projects.models import Project, SubsidyBatch
from fupin.projects.rules import BatchStatus
from fupin.registry.choices import Relation
from tests import factories
from tests.projects import funds_world as w

from .test_identification_flow import chromium
from .test_walkthrough import sync_api

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger(transactional_db, settings):
    settings.FUPIN_IDLE_MINUTES = 0
    tree = factories.area_tree()
    factories.user("township_a", Role.TOWNSHIP, tree["township_a"], display_name="甲乡扶贫站")
    factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办")
    doc = w.document(tree["county"])
    project = w.project(tree["village_a1"])
    for i in range(30):  # a county with many projects to choose from
        w.project(tree["village_a2"], code=f"P2024-{100 + i}", name=f"甲二村项目{i}", stage="library")
    named = factories.household(tree["village_a1"], members=[factories.member_data(Relation.HEAD, "1", name="张大山")])
    others = w.households(tree["village_a1"], 2)
    w.beneficiaries(project, [named, *others])
    alloc = funds.allocation_create(actor=None, document=doc, project=project, area=tree["township_a"],
                                    amount="20000.00", allocated_on=datetime.date(2024, 4, 1))
    return {"project": project, "named": named, "others": others, "allocation": alloc}


def test_a_differing_name_is_listed_and_confirmed_before_paying(live_server, ledger, tmp_path):
    expect = sync_api.expect
    named, others = ledger["named"], ledger["others"]
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(w.sheet([[1, "张大三", w.head_id(named), "", "500", ""],
                               *[[i + 2, h.head_name, w.head_id(h), "", "500", ""] for i, h in enumerate(others)]]))
    with chromium(live_server.url) as browser:
        page = browser.page("township_a")
        page.goto(f"{live_server.url}/projects/funds/allocations/{ledger['allocation'].pk}/batch/")
        page.fill("input[name=title]", "到户补助")
        page.set_input_files("input[name=file]", str(sheet))
        page.locator("form[enctype] button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("有 1 行姓名与登记不符")
        expect(page.locator("#name-warnings")).to_contain_text("第 3 行「姓名」张大三与登记的张大山不符")
        page.get_by_role("button", name="发放 1,500.00 元至 3 户一卡通").click()
        expect(page.locator(".messages")).to_contain_text("请逐行核对后勾选“已核对姓名不符的 1 行”再发放")
        assert SubsidyBatch.objects.get().status == BatchStatus.DRAFT
        page.get_by_label("已核对姓名不符的 1 行").check()
        page.get_by_role("button", name="发放 1,500.00 元至 3 户一卡通").click()
        expect(page.locator(".messages")).to_contain_text("已发放")
        assert SubsidyBatch.objects.get().status == BatchStatus.PAID


def test_the_allocation_form_filters_its_projects(live_server, ledger):
    expect = sync_api.expect
    with chromium(live_server.url) as browser:
        page = browser.page("county_officer")
        page.goto(f"{live_server.url}/projects/funds/allocations/new/")
        options = page.locator("#id_project option")
        expect(options).to_have_count(32)  # the blank one and 31 projects
        page.locator("input[data-filter-select=id_project]").press_sequentially("P2024-12")
        expect(options).to_have_count(11)  # P2024-120 … 129, and the blank one
        expect(page.locator("#id_project-found")).to_have_text("匹配 10 项")
        page.locator("#id_project").select_option(label="P2024-125 甲二村项目25")
        page.locator("input[data-filter-select=id_project]").fill("")
        page.locator("input[data-filter-select=id_project]").dispatch_event("input")
        expect(options).to_have_count(32)
        expect(page.locator("#id_project")).to_have_value(str(Project.objects.get(code="P2024-125").pk))
        # without JavaScript: 查找 narrows on the server
        plain = browser.page("county_officer", java_script_enabled=False)
        plain.goto(f"{live_server.url}/projects/funds/allocations/new/")
        plain.fill("input[name=pq]", "甲二村项目7")
        plain.locator("input[name=pq]").press("Enter")
        expect(plain.locator("#id_project option")).to_have_count(2)
        expect(plain.locator("#id_project")).to_have_value(str(Project.objects.get(code="P2024-107").pk))
