"""Every main page on a village cadre's phone, 390×844 (issue 12, item 11).

Before: below 900 px the menu scrolled sideways out of view (no way to reach 审计日志), the user's name
was hidden, tables were cut by their card (or pushed the page to 627 px) and their cells wrapped one
character per line. Now a 菜单 button unfolds the menu, the name and 退出; tables scroll inside their
own box; nothing is wider than the screen.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from tests.browser.test_walkthrough import PASSWORD, sign_in, sync_api  # skips where chromium is absent
from tests.browser.test_walkthrough import page as page  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844

# Elements sticking out past the right edge, unless a box that scrolls sideways (and itself fits) holds them;
# an element cut by an `overflow: hidden` card counts as sticking out.
OVERFLOW = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 1) continue;
    let box = el.parentElement, held = false;
    while (box && box !== document.body) {
      const o = getComputedStyle(box).overflowX;
      if (o === "auto" || o === "scroll") { held = box.getBoundingClientRect().right <= width + 1; break; }
      box = box.parentElement;
    }
    if (!held) out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " → " + Math.round(r.right));
  }
  return out.slice(0, 8);
}"""

# Table cells whose text (a name, a relation, a village: two to five characters) takes more than one line.
SQUEEZED = """() => {
  const out = [];
  for (const td of document.querySelectorAll("table.data td")) {
    if (!td.closest("table").classList.contains("data") || !td.checkVisibility()) continue;  // not a folded detail
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text.length < 2 || text.length > 5 || /\\s/.test(text)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) out.push(text);
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture
def county(transactional_db):
    from fupin.registry import services
    from fupin.registry.choices import Relation

    tree = factories.area_tree()
    officer = factories.user("county_officer", "county", tree["county"], display_name="罗平县扶贫办 张建华")
    household = factories.household(tree["village_a1"], actor=officer, number="5303241002010001",
                                    address="老厂乡甲一村第三村民小组 135 号", members=[
                                        factories.member_data(Relation.HEAD, "1", name="欧阳建江"),
                                        factories.member_data(Relation.SPOUSE, "2", name="苏萍芳")])
    for year in (2018, 2019):
        services.yearly_record_save(actor=officer, household=household, year=year,
                                    data={"wage_income": Decimal("18968"), "business_income": Decimal("5758")})
    for village in ("village_a2", "village_b1"):
        factories.household(tree[village], actor=officer)
    return {"tree": tree, "household": household, "spouse": household.members.get(name="苏萍芳")}


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


def main_pages(county) -> dict[str, str]:
    h, spouse, a = county["household"].pk, county["spouse"].pk, factories.TOWNSHIP_A
    return {
        "home": "/", "overview": "/overview/", "overview of a township": f"/overview/?area={a}",
        "overview at a year's end": "/overview/?year=2018",
        "area tree": "/areas/", "household list": "/households/", "household list of a township": f"/households/?township={a}",
        "household": f"/households/{h}/", "household edit": f"/households/{h}/edit/", "household create": "/households/new/",
        "member add": f"/households/{h}/members/new/", "member edit": f"/members/{spouse}/edit/",
        "member remove": f"/members/{spouse}/remove/", "yearly add": f"/households/{h}/years/new/",
        "yearly edit": f"/households/{h}/years/2019/", "status change": f"/households/{h}/status/",
        "quality": "/quality/", "sheets": "/sheets/", "audit": "/audit/",
        "exit check": "/exit-check/?year=2019", "exit check of the register": "/exit-check/?year=2019&scope=register",
        "users": "/accounts/users/", "user create": "/accounts/users/new/", "password": "/accounts/password/",
    }


def fits(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name
    assert page.evaluate(OVERFLOW, WIDTH) == [], name
    assert page.evaluate(SQUEEZED) == [], name


def in_view(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT


def test_every_main_page_fits_a_phone_and_its_menu_opens(live_server, county, phone):
    expect = sync_api.expect
    page = phone
    try:
        page.goto(f"{live_server.url}/login/")
        fits(page, "login")
        page.fill("#id_username", "county_officer")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        for name, path in main_pages(county).items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            fits(page, name)
            toggle = page.locator(".menu-toggle")
            expect(toggle).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            expect(page.locator("#site-menu")).to_be_hidden()
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            for link in ("概览", "区划", "贫困户", "识别退出", "数据质量", "导入导出", "审计日志", "用户"):
                in_view(page.locator("#site-menu nav").get_by_role("link", name=link, exact=True))
            in_view(page.locator("#site-menu .user"))
            expect(page.locator("#site-menu .user")).to_have_text("罗平县扶贫办 张建华")
            in_view(page.locator("#site-menu").get_by_role("button", name="退出"))
            fits(page, name + " (menu open)")
            page.keyboard.press("Escape")
            expect(page.locator("#site-menu")).to_be_hidden()

        # The menu leads somewhere: 审计日志, which used to scroll out of reach.
        page.locator(".menu-toggle").click()
        page.locator("#site-menu").get_by_role("link", name="审计日志").click()
        page.wait_for_url("**/audit/")
        # A wide table scrolls inside its box: the box fits, the table is wider.
        box = page.locator(".scroll-x").filter(has=page.locator("table.audit")).first
        assert box.evaluate("(b) => b.scrollWidth > b.clientWidth && b.getBoundingClientRect().right <= 391")
        # 退出 from the menu signs out.
        page.locator(".menu-toggle").click()
        page.locator("#site-menu").get_by_role("button", name="退出").click()
        page.wait_for_url("**/login/**")
    except Exception:
        page.screenshot(path="/tmp/fupin-phone-layout-failure.png", full_page=True)
        raise


def test_the_household_list_keeps_scrolling_tables_after_an_htmx_refresh(live_server, county, phone):
    page = phone
    sign_in(page, live_server.url, "county_officer")
    page.goto(f"{live_server.url}/households/")
    page.select_option("#id_township", factories.TOWNSHIP_A)
    sync_api.expect(page.locator("#results h2")).to_have_text("共 2 户")
    sync_api.expect(page.locator("#results .scroll-x table.data")).to_have_count(1)
    fits(page, "household list after htmx")


def test_the_wide_screen_keeps_the_one_line_bar(live_server, county, phone):
    page = phone
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server.url, "county_officer")
    sync_api.expect(page.locator(".menu-toggle")).to_be_hidden()
    sync_api.expect(page.locator("#site-menu")).to_be_visible()
    bar = page.locator(".topbar .inner").bounding_box()
    assert bar["height"] <= 60  # one line: brand, menu, account
