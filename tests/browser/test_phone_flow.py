"""The phone flow of issue 12 ("Done when"): on a 390×844 viewport, a county officer registers a
household through the cascading picker (乡镇 → 行政村 → 村民小组, with the proposed 户编号), with its head
and a spouse; finds it by the last six digits of the spouse's ID number; and prints its 户档案.

The print step is its own test (``test_…_prints_its_household_record_found``): the PDF 户档案 (URL name
``household_record_pdf``, the link “打印户档案 (PDF)” on the household page) came with the ``print``
branch; the test checks that the page's link answers with a PDF for the signed-in officer.

Drives Debian's chromium through Playwright's sync API (pattern and fixtures: test_walkthrough.py).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fupin.registry.choices import Relation
from fupin.registry.models import Household
from tests import factories

from .test_walkthrough import browser_page, settled, sign_in, sync_api

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NUMBER_TAKEN = "5303241002010001"
NUMBER_PROPOSED = "5303241002010002"


@pytest.fixture
def county(transactional_db):
    tree = factories.area_tree()
    groups = [factories.area(tree["village_a1"].code + "001", "第一村民小组"),
              factories.area(tree["village_a1"].code + "002", "第二村民小组"),
              factories.area(tree["village_a2"].code + "001", "第一村民小组")]
    officer = factories.user("county_officer", "county", tree["county"], display_name="县扶贫办")
    factories.household(groups[0], actor=officer, number=NUMBER_TAKEN, members=[
        factories.member_data(Relation.HEAD, "1", name="赵甲山")])
    head = factories.member_data(Relation.HEAD, "1", name="吴手机")
    spouse = factories.member_data(Relation.SPOUSE, "2", name="钱手机")
    return {"tree": tree, "groups": groups, "officer": officer, "head": head, "spouse": spouse}


@pytest.fixture
def phone():
    with browser_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2) as page:
        yield page


def register_and_find(page, url: str, county: dict) -> Household:
    """Sign in, register the household through the picker, find it by the spouse's ID tail, open it."""
    expect = sync_api.expect
    head, spouse = county["head"], county["spouse"]
    sign_in(page, url, "county_officer")

    page.goto(f"{url}/households/")
    page.get_by_role("link", name="登记新户").click()
    page.wait_for_url("**/households/new/")

    # The cascade: each choice refills the next drop-down (htmx); the place and its next number follow.
    expect(page.locator("#pick-township option")).to_have_text(["请选择", "甲乡", "乙乡"])
    settled(page)
    page.select_option("#pick-township", label="甲乡")
    expect(page.locator("#pick-village option")).to_have_text(["请选择", "甲一村", "甲二村"])
    settled(page)
    page.select_option("#pick-village", label="甲一村")
    expect(page.locator("#pick-group option")).to_have_text(["（不分组，登记到行政村）", "第一村民小组", "第二村民小组"])
    settled(page)
    page.select_option("#pick-group", label="第二村民小组")
    expect(page.locator("#picked-area")).to_have_text("甲乡 › 甲一村 › 第二村民小组")
    expect(page.locator("#id_h-number")).to_have_value(NUMBER_PROPOSED)

    settled(page)
    page.select_option("#id_h-main_cause", "water")
    page.fill("#id_h-identified_year", "2020")
    expect(page.locator("#id_h-house_area")).to_have_value("")  # 0 would mean "no house"
    page.fill("#id_h-house_area", "75")
    page.fill("#id_m-name", head["name"])
    page.fill("#id_m-id_number", head["id_number"])
    page.get_by_role("button", name="增加一名家庭成员").click()
    settled(page)
    page.fill("#id_x-0-name", spouse["name"])
    page.fill("#id_x-0-id_number", spouse["id_number"])
    page.select_option("#id_x-0-relation", "spouse")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/households/\d+/$"))
    expect(page.locator(".messages")).to_contain_text(f"已登记贫困户 {NUMBER_PROPOSED}（2 人）")

    household = Household.objects.get(number=NUMBER_PROPOSED)
    assert household.area == county["groups"][1] and household.member_count == 2

    # Found by the last six digits of the spouse's ID number, saying it was her.
    page.goto(f"{url}/households/")
    page.fill("#id_q", spouse["id_number"][-6:])
    page.press("#id_q", "Enter")
    expect(page.locator("#results h2")).to_have_text("共 1 户")
    expect(page.locator("#results")).to_contain_text(f"匹配：{spouse['name']}（配偶）")
    # Enter fires the form's change and submit (two htmx requests): a link clicked while the second swaps the
    # results in is taken out of the page before the browser follows it
    settled(page)
    page.locator("#results").get_by_role("link", name=NUMBER_PROPOSED).click()
    page.wait_for_url(f"**/households/{household.pk}/")
    expect(page.locator("#members")).to_contain_text(spouse["name"])
    return household


def test_a_county_officer_registers_and_finds_a_household_on_a_phone(live_server, county, phone):
    try:
        register_and_find(phone, live_server.url, county)
    except Exception:
        phone.screenshot(path="/tmp/fupin-phone-flow-failure.png", full_page=True)
        raise


# --- printing the 户档案 (fupin/documents, from the print branch) ------------------------------------------


def test_a_county_officer_on_a_phone_prints_the_household_record_found(live_server, county, phone):
    try:
        household = register_and_find(phone, live_server.url, county)
        path = reverse("household_record_pdf", args=[household.pk])
        button = phone.get_by_role("link", name="打印户档案 (PDF)")
        sync_api.expect(button).to_be_visible()
        assert button.get_attribute("href").endswith(path)
        response = phone.request.get(f"{live_server.url}{path}")  # the page's session cookie goes along
    except Exception:
        phone.screenshot(path="/tmp/fupin-phone-print-failure.png", full_page=True)
        raise
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body()[:5] == b"%PDF-"
