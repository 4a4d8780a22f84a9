"""A project after its acceptance, in the browser (issue 16, walk16): from 竣工验收 to 收益分配, each step on its
page by the persona whose step it is.

The project (an industry project of 甲一村 with three beneficiary households) is walked to 竣工验收 through the
services, dated in the past (proposed 60 days ago, accepted 3 days ago, its 项目计划公示 published and over).
Then, in the browser:

the village publishes the 项目竣工公告 from the project's page (the kind offered first, for an accepted project)
→ the county's 公告公示完成 is refused while the notice runs, the reason (when it may be done) shown and the
opinion typed kept → the clock moves past the notice's last day (time_machine; the live server's thread sees it),
the notice shows 已期满 and the county takes the step → 资产移交 is refused with no asset registered → the
village registers a 经营性 asset from the project's page → the township confirms its owner (确权) → the county
takes 资产移交, the township 管护运营 → the village records maintenance, then an income of which 1,000.00 元
are shared among the three households and paid to them that day (333.34 + 333.33 + 333.33: the shares shown sum
to the fen) → the asset
on the village's asset ledger (confirmed, its income) → the share on a beneficiary household's 项目资金 tab.

Screenshots of each page at 1400×900 and 390×844 are written as 87-after-acceptance-*.png to $FUPIN_SCREENSHOTS
only when it is set (the walk runs in CI without them).
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.projects import services_disclosures as notices
from fupin.projects import services_library as lib
from fupin.projects.models import Asset, DisclosureKind, IncomeShare, Project
from fupin.projects.rules import Category, Stage
from fupin.registry.choices import Relation
from tests import factories

from .test_identification_flow import DESKTOP, PHONE, chromium
from .test_walkthrough import sync_api

pytestmark = pytest.mark.browser

D = datetime.timedelta


@pytest.fixture
def accepted(transactional_db, settings):
    """An accepted project of 甲一村 with three beneficiary households, through the services."""
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600  # the clock jumps ahead during the test
    settings.FUPIN_IDLE_MINUTES = 0
    tree = factories.area_tree()
    village = tree["village_a1"]
    for username, role, area, name in (("village_a1", Role.VILLAGE, village, "甲一村村委"),
                                       ("township_a", Role.TOWNSHIP, tree["township_a"], "甲乡扶贫站"),
                                       ("county_officer", Role.COUNTY, tree["county"], "县扶贫办")):
        factories.user(username, role, area, display_name=name)
    households = [factories.household(village, number=f"530324100201{n:04d}",
                                      members=[factories.member_data(Relation.HEAD, "1", name=head),
                                               factories.member_data(Relation.SPOUSE, "2", name=f"{head[0]}配偶")])
                  for n, head in ((71, "罗光伏"), (72, "马光伏"), (73, "何光伏"))]
    today = timezone.localdate()
    day = today - D(days=60)
    project = lib.project_create(actor=None, area=village, name="甲一村村级光伏电站", category=Category.INDUSTRY,
                                 year=today.year, on=day, budget="800000.00", tasks="建设村级光伏电站 200 千瓦",
                                 starts_on=day + D(days=20), ends_on=today - D(days=5))
    lib.beneficiaries_add(actor=None, project=project, households=households)
    for n, stage in enumerate((Stage.TOWNSHIP_REVIEWED, Stage.APPRAISED, Stage.APPROVED, Stage.NOTICE), start=1):
        project = lib.project_step(actor=None, project=project, to=stage, reason="同意", date=day + D(days=n))
    notices.publish(actor=None, kind=DisclosureKind.PLAN, area=village, place="甲一村村务公开栏",
                    starts_on=day + D(days=4), ends_on=day + D(days=13), hotline="0874-8212345", project=project)
    for stage in (Stage.LIBRARY, Stage.PLANNED, Stage.IMPLEMENTING):
        project = lib.project_step(actor=None, project=project, to=stage, reason="同意", date=day + D(days=20))
    lib.progress_report(actor=None, project=project, progress=100, on=today - D(days=5))
    project = lib.project_step(actor=None, project=Project.objects.get(pk=project.pk), to=Stage.ACCEPTED,
                               reason="验收合格", date=today - D(days=3))
    return {"tree": tree, "project": project, "households": households}


def shoot(page, name: str, url: str | None = None) -> None:
    """Both sizes of the page (``url`` reloaded for the phone), only when $FUPIN_SCREENSHOTS is set."""
    folder = os.environ.get("FUPIN_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        if url and size is PHONE:
            page.goto(url)
        page.screenshot(path=f"{folder}/87-after-acceptance-{name}{suffix}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def step(page, expected: str, reason: str = "同意") -> None:
    page.fill("#fw-reason", reason)
    page.locator("button[name=go]").click()
    sync_api.expect(page.locator("#stage")).to_have_text(expected)


def test_an_accepted_project_is_announced_handed_over_maintained_and_shares_its_income(live_server, accepted):
    expect = sync_api.expect
    url = live_server.url
    project, households = accepted["project"], accepted["households"]
    detail = f"{url}/projects/{project.pk}/"
    village = accepted["tree"]["village_a1"]
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=True) as clock, chromium(url) as browser:
        # the village publishes the 项目竣工公告 from the project's page: the kind the accepted project needs first
        page = browser.page("village_a1")
        page.goto(detail)
        page.locator("#related").get_by_role("link", name="发布公告").click()
        expect(page.locator("select[name=kind]")).to_have_value(DisclosureKind.COMPLETION)
        page.fill("input[name=place]", "甲一村村务公开栏")
        page.fill("input[name=hotline]", "0874-8212345")
        shoot(page, "publish")
        page.get_by_role("button", name="发布", exact=True).click()
        expect(page.locator("h1")).to_contain_text("竣工")
        expect(page.locator(".card").first).to_contain_text("公示中")
        notice_url = page.url
        shoot(page, "notice", notice_url)
        page.get_by_role("link", name=project.code).click()  # back to the project
        expect(page.locator("#project-disclosures")).to_contain_text("项目竣工公告")

        # the county: 公告公示完成 refused while the notice runs, the reason and the opinion kept
        county = browser.page("county_officer")
        county.goto(detail)
        county.fill("#fw-reason", "公示无异议")
        county.locator("button[name=go]").click()
        refusal = county.locator("#actions .errorlist")
        last = timezone.localdate() + D(days=9)  # the notice's last day (10 days, both ends counted)
        expect(refusal).to_contain_text(f"公示期到 {last.year}年{last.month}月{last.day}日 才结束")
        expect(county.locator("#fw-reason")).to_have_value("公示无异议")
        expect(county.locator("#stage")).to_have_text("竣工验收")
        shoot(county, "refused")

        # ten days on, the notice is over
        clock.move_to(start + D(days=10))
        county.goto(notice_url)
        expect(county.locator(".card").first).to_contain_text("已期满")
        county.goto(detail)
        step(county, "公告公示完成", "公示期满无异议")
        county.fill("#fw-reason", "移交")
        county.locator("button[name=go]").click()
        expect(county.locator("#actions .errorlist")).to_contain_text("资产")
        expect(county.locator("#stage")).to_have_text("公告公示完成")

        # the village registers the asset from the project's page
        page.goto(detail)
        page.locator("#related").get_by_role("link", name="登记资产").click()
        page.select_option("select[name=kind]", "productive")
        page.fill("input[name=name]", "甲一村村级光伏电站")
        page.fill("input[name=owner]", "甲一村股份经济合作社")
        page.fill("input[name=manager]", "甲一村村委会")
        shoot(page, "asset-new")
        page.get_by_role("button", name="登记").click()
        expect(page.locator("h1")).to_have_text("甲一村村级光伏电站")
        asset = Asset.objects.get(project=project)
        asset_url = f"{url}/projects/assets/{asset.pk}/"
        expect(page.locator(".card").first).to_contain_text("未确权")

        # the township confirms the owner
        township = browser.page("township_a")
        township.goto(asset_url)
        township.locator("form[action$='/confirm/'] button").click()
        expect(township.locator(".card").first).to_contain_text("确权")
        expect(township.locator(".card").first).not_to_contain_text("未确权")

        # 资产移交 by the county, 管护运营 by the township
        county.goto(detail)
        expect(county.locator("#project-assets")).to_contain_text(asset.code)
        step(county, "资产移交", "资产已移交甲一村")
        township.goto(detail)
        step(township, "管护运营", "转入管护运营")
        expect(township.locator("#actions")).to_have_count(0)  # 管护运营 is final

        # the village: maintenance, then an income shared among the three households to the fen
        page.goto(asset_url)
        form = page.locator("form[action$='/maintenance/']")
        form.locator("input[name=work]").fill("清洗光伏组件，检查逆变器")
        form.locator("input[name=cost]").fill("600")
        form.locator("input[name=by]").fill("罗光伏")
        form.locator("button").click()
        expect(page.locator("main")).to_contain_text("清洗光伏组件")
        form = page.locator("form[action$='/income/']")
        form.locator("input[name=amount]").fill("10000")
        form.locator("input[name=distributable]").fill("20000")  # more than the income: refused, input kept
        form.locator("button").click()
        form = page.locator("form[action$='/income/']")
        expect(form.locator(".err, .errorlist").first).to_contain_text("0 至收益金额")
        expect(form.locator("input[name=amount]")).to_have_value("10000")
        form.locator("input[name=distributable]").fill("1000")
        form.locator("input[name=note]").fill("2026 年发电收益")
        paid = timezone.localdate()  # the moved clock's today
        form.locator("input[name=paid_on]").fill(paid.isoformat())
        form.locator("button").click()
        shares = page.locator("#incomes details").first.locator("tbody tr")
        expect(shares).to_have_count(3)
        shown = [Decimal(t.replace(",", "")) for t in shares.locator("td.num").all_inner_texts()]
        assert sorted(shown) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
        assert sum(shown) == Decimal("1000.00")
        expect(page.locator("#incomes summary").first).to_contain_text("3 户合计 1,000.00 元")
        expect(page.locator("#incomes details").first.locator("tfoot")).to_contain_text("1,000.00")
        shoot(page, "asset", asset_url)

        # the village's asset ledger, then a beneficiary household's 项目资金 tab
        page.goto(f"{url}/projects/assets/?area={village.code}")
        row = page.locator("tr", has_text=asset.code)
        expect(row).to_contain_text("已确权")
        expect(row).to_contain_text("10,000.00")
        shoot(page, "ledger")
        first = households[0]
        page.goto(f"{url}/households/{first.pk}/#project-funds")
        panel = page.locator("#project-funds")
        expect(panel.locator("#household-projects")).to_contain_text("管护运营")
        expect(panel.locator("#household-shares")).to_contain_text("甲一村村级光伏电站")
        mine = IncomeShare.objects.get(household=first).amount
        expect(panel.locator("#household-shares")).to_contain_text(f"{mine:,.2f}")
        expect(panel.locator("#household-shares")).to_contain_text(paid.isoformat())
        if os.environ.get("FUPIN_SCREENSHOTS"):
            panel.scroll_into_view_if_needed()
            for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
                page.set_viewport_size(size)
                panel.screenshot(path=f"{os.environ['FUPIN_SCREENSHOTS']}/87-after-acceptance-household{suffix}.png")
        page.goto(detail)
        shoot(page, "project")
    project.refresh_from_db()
    assert project.stage == Stage.OPERATING
    assert project.stage_on == timezone.localdate(start + D(days=10))
    assert sum(IncomeShare.objects.values_list("amount", flat=True)) == Decimal("1000.00")
