"""A full identification round and a full exit round in the browser (issue 13 "Done when"), each step taken
on the case's page by the role whose step it is:

识别: the village cadre applies for a household in 申请中 (申报识别 on its page) → 小组议 → 村评定 with the
vote → [first notice] → after the period the township's 入户查 with the checklist → 逐级核 → [second notice]
→ the county's 县确认 (the household becomes 贫困户) → [county announcement] → 市抽查.

退出: the village's 民主评议 (the exit check passes, its decision shown with the rule version) → 户认可 →
[exit notice] → the township's 乡镇审核 → [exit announcement] → the county's 销号 (the household becomes
已脱贫(享受政策)).

The notices [in brackets] are published on the notice pages (/notices/new/: kind, area, the eligible case
ticked, period, hotline, address; 发布) by the role that publishes each: the village the first notice and the
exit notice, the township the second notice, the county its announcement and the exit announcement. For
each, the notice's PDF (打印公示) holds the head's name and masked ID number, never the whole number, and an
anonymous browser sees the notice on the public board (/public/) the same way. One objection is recorded
on the first notice's page; after the period the case page shows 入户查 blocked by it until the village
resolves it (异议不成立). time_machine moves the clock past each notice period (the live server's thread
sees the same clock; the sessions are made to outlive the jumps).

Screenshots of the case list and a case's page at 1400×900 and 390×844 (and of the exit case's decision,
the 新申请 page and the 发布公示 page of the first notice) are written to $FUPIN_SCREENSHOTS (e.g.
docs/screenshots) when it is set, else to a temporary directory.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import time_machine

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.identification import services
from fupin.identification.models import Case, CaseKind, Notice, NoticeKind, Step
from fupin.registry.choices import Relation, Status
from fupin.registry.models import Household
from tests import factories
from tests.identification.case_pages import EXIT_YEAR, exit_ready

from .test_walkthrough import CHROMIUM, PASSWORD, sync_api

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
HOTLINE = {"hotline": "0874-8212345", "address": "甲一村村委会"}


@pytest.fixture
def county(transactional_db, settings):
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600  # the clock jumps weeks ahead during the test
    settings.FUPIN_IDLE_MINUTES = 0
    tree = factories.area_tree()
    group = factories.area(tree["village_a1"].code + "001", "第一村民小组")
    users = {
        "village": factories.user("village_a1", Role.VILLAGE, tree["village_a1"], display_name="甲一村村委"),
        "township": factories.user("township_a", Role.TOWNSHIP, tree["township_a"], display_name="甲乡扶贫站"),
        "county": factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办"),
    }
    applicant = factories.household(group, status=Status.APPLYING, identified_year=2026, number="5303241002010088",
                                    members=[factories.member_data(Relation.HEAD, "1", name="龙申请"),
                                             factories.member_data(Relation.SPOUSE, "2", name="何申请")])
    leaving = exit_ready(tree["village_a1"], number="5303241002010077", head="郭脱贫")
    # A few more cases at other steps, so that the list and its step bar have something to show.
    for i, (village, name) in enumerate([("village_a1", "安大山"), ("village_a1", "白小梅"), ("village_a2", "陈树林"),
                                         ("village_a2", "杜春花"), ("village_b1", "范有才")]):
        other = factories.household(tree[village], status=Status.APPLYING, identified_year=2026,
                                    members=[factories.member_data(Relation.HEAD, "1", name=name)])
        case = services.case_open(actor=None, kind=CaseKind.IDENTIFICATION, household=other, year=2026,
                                  reason="因病致贫" if i % 2 else "缺劳力")
        if i < 3:
            services.case_step(actor=None, case=case, to=Step.GROUP, opinion="小组议通过")
    return {"tree": tree, "users": users, "applicant": applicant, "leaving": leaving}


class Browser:
    """One chromium, a signed-in page per user (each its own context: its own cookies)."""

    def __init__(self, browser, url: str):
        self.browser, self.url, self.pages = browser, url, {}

    def page(self, username: str, **options):
        key = (username, repr(sorted(options.items())))
        if key not in self.pages:
            context = self.browser.new_context(locale="zh-CN", viewport=options.pop("viewport", DESKTOP), **options)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto(f"{self.url}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{self.url}/")
            self.pages[key] = page
        return self.pages[key]


@contextlib.contextmanager
def chromium(url: str):
    from django.db import connections

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        sync_api.expect.set_options(timeout=20_000)
        try:
            yield Browser(browser, url)
        finally:
            browser.close()
            connections.close_all()


def shots() -> Path:
    path = Path(os.environ.get("FUPIN_SCREENSHOTS") or "/tmp/fupin-case-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def take(page, case: Case, target: str, **fields) -> None:
    """Fill the step form for ``target`` on the case's page and send it; the page comes back with the step done."""
    expect = sync_api.expect
    form = page.locator(f"#step-{target}")
    expect(form).to_be_visible()
    for name, value in fields.items():
        if name.startswith("ok_"):
            form.locator(f"input[name='s-{target}-{name}'][value='{value}']").check()
        else:
            form.locator(f"[name='s-{target}-{name}']").fill(str(value))
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已办理")
    expect(page.locator(".errorlist")).to_have_count(0)


def open_case_page(page, url: str, case: Case):
    page.goto(f"{url}/cases/{case.pk}/")
    return page


def head_id(household: Household) -> str:
    return household.members.get(relation=Relation.HEAD, active=True).id_number


def publish(page, url: str, kind: str, area, case: Case, *, shot: Path | None = None) -> Notice:
    """发布 ``kind`` in ``area`` on /notices/new/ as the page's user, with ``case`` ticked; the notice's page."""
    expect = sync_api.expect
    page.goto(f"{url}/notices/new/")
    for name, value in (("kind", kind), ("area", area.code)):
        choice = page.locator(f"select[name='{name}']")
        if choice.input_value() != value:
            with page.expect_navigation():  # the choice sends its form (data-autosubmit)
                choice.select_option(value)
    with page.expect_navigation():
        page.get_by_role("button", name="列出可公示的对象").click()
    expect(page.locator("input[type=hidden][name='area']")).to_have_value(area.code)
    box = page.locator(f"#case-{case.pk}")
    expect(box).to_be_checked()
    publishing = page.locator("form[method=post]", has=page.locator("[name='hotline']"))
    for name, value in HOTLINE.items():
        publishing.locator(f"[name='{name}']").fill(value)
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    publishing.get_by_role("button", name="发布公示").click()
    page.wait_for_url(re.compile(r".*/notices/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("已发布")
    notice = Notice.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert notice.kind == kind and notice.area_id == area.pk
    assert notice.entries.filter(case=case, struck=False).count() == 1
    return notice


def check_printed(page, url: str, b: Browser, notice: Notice, household: Household) -> None:
    """The notice's PDF and the public board show the head's name and masked ID number, not the whole one."""
    expect = sync_api.expect
    name, number = household.head_name, head_id(household)
    masked = policy.mask_id(number)
    assert masked and masked != number
    page.goto(f"{url}/notices/{notice.pk}/")
    expect(page.locator("#entries")).to_contain_text(masked)
    href = page.get_by_role("link", name="打印公示（PDF）").get_attribute("href")
    response = page.request.get(f"{url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "notice.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert name in text and masked in text and number not in text
    anonymous = b.browser.new_context(locale="zh-CN", viewport=DESKTOP)
    try:
        board = anonymous.new_page()
        board.goto(f"{url}/public/")
        assert "/login/" not in board.url
        sheet = board.locator(f"#notice-{notice.pk}")
        expect(sheet).to_contain_text(name)
        expect(sheet).to_contain_text(masked)
        assert number not in board.content()
    finally:
        anonymous.close()


def test_an_identification_round_and_an_exit_round_in_the_browser(live_server, county):
    expect = sync_api.expect
    url, tree = live_server.url, county["tree"]
    household, leaving = county["applicant"], county["leaving"]
    out = shots()
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    with time_machine.travel(start, tick=True) as clock, chromium(url) as b:
        page = None
        try:
            # --- 户申报 by the village cadre, on the household's page
            page = village = b.page("village_a1")
            village.goto(f"{url}/households/{household.pk}/")
            panel = village.locator("#cases")
            expect(panel).to_contain_text("该户没有识别或退出案件")
            panel.locator("[name='open-identification-reason']").fill("户主患慢性病，缺劳力，人均收入低于标准")
            panel.locator("#open-identification button[type=submit]").click()
            village.wait_for_url(re.compile(r".*/cases/\d+/$"))
            case = Case.objects.get(household=household)
            expect(village.locator("#case-step")).to_have_text("户申报")
            expect(village.locator("ol.casepath li[aria-current=step]")).to_have_text("户申报")

            # --- 小组议, 村评定 with the vote
            take(village, case, Step.GROUP, opinion="第一村民小组会议评议同意上报")
            take(village, case, Step.VILLAGE, opinion="村民代表会议评定通过", representatives=30, present=24,
                 votes_for=21, votes_against=2, votes_abstain=1)
            expect(village.locator("#timeline")).to_contain_text("实到/应到 24/30 人；同意 21、反对 2、弃权 1")
            expect(village.locator("#actions .blocked")).to_contain_text("尚未发布")

            # --- the first notice, published by the village on /notices/new/; its PDF and the public board
            first = publish(village, url, NoticeKind.FIRST, tree["village_a1"], case, shot=out / "32-notice-create.png")
            check_printed(village, url, b, first, household)
            open_case_page(village, url, case)
            expect(village.locator("#actions .blocked")).to_contain_text("公示期至")
            expect(village.locator("#notices")).to_contain_text("公示中")

            # --- an objection recorded on the notice's page during the period
            village.goto(f"{url}/notices/{first.pk}/")
            form = village.locator("#objection-form")
            form.locator("[name='entry']").select_option(label="1. 龙申请")
            form.locator("[name='raised_by']").fill("村民甲")
            form.locator("[name='content']").fill("反映该户家中有一辆货车")
            form.get_by_role("button", name="登记异议").click()
            expect(village.locator(".messages")).to_contain_text("异议已登记")
            expect(village.locator("#objections")).to_contain_text("待处理")

            # --- after the period, 入户查 waits for the objection until the village resolves it
            clock.shift(datetime.timedelta(days=7))
            page = township = b.page("township_a")
            open_case_page(township, url, case)
            expect(township.locator("#actions .blocked")).to_contain_text("有 1 条异议尚未核查处理")
            expect(township.locator("#step-visited")).to_have_count(0)
            page = village
            village.goto(f"{url}/notices/{first.pk}/")
            objection = first.objections.get()
            resolve = village.locator(f"form[action$='/notices/objections/{objection.pk}/resolve/']")
            resolve.locator(f"input[name='r{objection.pk}-status'][value='dismissed']").check()
            resolve.locator(f"[name='r{objection.pk}-resolution']").fill("经入户核实，货车系亲戚所有，异议不成立")
            resolve.get_by_role("button", name="办结异议").click()
            expect(village.locator(".messages")).to_contain_text("异议已办结")
            expect(village.locator("#objections")).to_contain_text("异议不成立")
            page = township
            open_case_page(township, url, case)
            township.locator("#step-visited").screenshot(path=str(out / "32-case-visit-checklist.png"))
            take(township, case, Step.VISITED, opinion="入户核实：住房为土木结构，家庭无车辆商品房",
                 **{f"ok_{key}": "yes" for key in ("housing", "grain", "labour", "schooling", "assets",
                                                    "registries", "consent")},
                 note_housing="土木结构 60 平方米")
            expect(township.locator("#timeline")).to_contain_text("土木结构 60 平方米")
            take(township, case, Step.TOWNSHIP, opinion="乡镇审核通过，报县确认")

            # --- the second notice, then the county's 县确认
            second = publish(township, url, NoticeKind.SECOND, tree["village_a1"], case)
            check_printed(township, url, b, second, household)
            clock.shift(datetime.timedelta(days=7))
            page = officer = b.page("county_officer")
            open_case_page(officer, url, case)
            expect(officer.locator("#step-county")).to_be_visible()
            officer.screenshot(path=str(out / "32-case-detail.png"))
            phone = b.page("county_officer", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
            open_case_page(phone, url, case)
            phone.screenshot(path=str(out / "32-case-detail-phone.png"))
            officer.screenshot(path=str(out / "32-case-detail-full.png"), full_page=True)
            take(officer, case, Step.COUNTY, opinion="县扶贫开发领导小组确认为贫困户")
            household.refresh_from_db()
            assert household.status == Status.POOR
            officer.locator("#basic a", has_text="龙申请").click()
            expect(officer.locator("h1")).to_contain_text("贫困户(未脱贫)")

            # --- the county's announcement, then 市抽查
            announcement = publish(officer, url, NoticeKind.COUNTY, tree["county"], case)
            check_printed(officer, url, b, announcement, household)
            clock.shift(datetime.timedelta(days=7))
            open_case_page(officer, url, case)
            take(officer, case, Step.CITY, opinion="市级抽查核实无误")
            expect(officer.locator("#no-action")).to_have_text("本案已办结。")
            steps = list(case.events.values_list("to_step", flat=True))
            assert steps == [Step.APPLIED, Step.GROUP, Step.VILLAGE, Step.VISITED, Step.TOWNSHIP, Step.COUNTY,
                             Step.CITY]

            # --- 退出: 民主评议 on the household's page (the exit check runs and its decision is shown)
            page = village
            village.goto(f"{url}/households/{leaving.pk}/")
            form = village.locator("#open-exit")
            form.locator("[name='open-exit-reason']").fill("务工收入稳定，两不愁三保障均已实现")
            form.locator("[name='open-exit-year']").fill(str(EXIT_YEAR))
            for name, value in {"representatives": 30, "present": 25, "votes_for": 23, "votes_against": 1,
                                "votes_abstain": 1}.items():
                form.locator(f"[name='open-exit-{name}']").fill(str(value))
            village.locator("#cases").screenshot(path=str(out / "32-case-household-panel.png"))
            form.locator("button[type=submit]").click()
            village.wait_for_url(re.compile(r".*/cases/\d+/$"))
            exit_case = Case.objects.get(household=leaving, kind=CaseKind.EXIT)
            expect(village.locator("#decision")).to_contain_text("符合退出标准")
            expect(village.locator("#decision")).to_contain_text("第 1 版")
            village.locator("#decision").screenshot(path=str(out / "32-case-exit-decision.png"))
            take(village, exit_case, Step.AGREED, opinion="户主签字认可退出")
            exit_notice = publish(village, url, NoticeKind.EXIT_NOTICE, tree["village_a1"], exit_case)
            check_printed(village, url, b, exit_notice, leaving)
            clock.shift(datetime.timedelta(days=7))
            page = township
            open_case_page(township, url, exit_case)
            take(township, exit_case, Step.REVIEWED, opinion="公示无异议，乡镇审核同意退出")
            page = officer
            exit_announcement = publish(officer, url, NoticeKind.EXIT_ANNOUNCEMENT, tree["county"], exit_case)
            check_printed(officer, url, b, exit_announcement, leaving)
            clock.shift(datetime.timedelta(days=7))
            page = officer
            open_case_page(officer, url, exit_case)
            take(officer, exit_case, Step.CLOSED, opinion="准予退出，销号")
            leaving.refresh_from_db()
            assert leaving.status == Status.EXITED and leaving.exit_year == EXIT_YEAR

            # --- the list, on a desktop and on a phone; the 新申请 page
            officer.goto(f"{url}/cases/")
            expect(officer.locator("#stepbar")).to_contain_text("户申报")
            expect(officer.locator("#results")).to_contain_text("龙申请")
            officer.screenshot(path=str(out / "32-case-list.png"))
            phone.goto(f"{url}/cases/")
            expect(phone.locator("#results")).to_contain_text("龙申请")
            phone.screenshot(path=str(out / "32-case-list-phone.png"))
            page = village
            factories.household(tree["village_a1"], status=Status.APPLYING, identified_year=2026,
                                members=[factories.member_data(Relation.HEAD, "1", name="马新申")])
            village.goto(f"{url}/cases/new/")
            expect(village.locator("#apply")).to_contain_text("马新申")
            village.screenshot(path=str(out / "32-case-new.png"))
        except Exception:
            if page is not None:
                page.screenshot(path="/tmp/fupin-identification-flow-failure.png", full_page=True)
            raise
    assert Household.objects.get(pk=household.pk).status == Status.POOR
