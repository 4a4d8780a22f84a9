"""tail16 in the browser: the asset form's 到户对象 shows only while 到户类 is chosen (app.js; a household chosen
then hidden is not posted), an income recorded without its 发放到户日期 is dated from the asset page, and on
the phone the beneficiary table's 移出 buttons sit inside the card. Debian's chromium through Playwright."""

from __future__ import annotations

import datetime

import pytest

from fupin.projects import services_assets as svc
from fupin.projects.models import Asset, IncomeShare
from fupin.projects.rules import AssetKind, Stage
from tests import factories
from tests.browser.test_walkthrough import PASSWORD, browser_page, sync_api
from tests.projects import pub16_world as w

pytestmark = pytest.mark.browser
D = datetime.date


@pytest.fixture
def accepted(transactional_db):
    tree = factories.area_tree()
    data = w.build(tree)
    p = data["project"]
    p.stage, p.accepted_on = Stage.ACCEPTED, D(2025, 11, 20)
    p.save()
    return data


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/")


def test_the_household_follows_the_class_and_undated_shares_are_dated(live_server, accepted):
    expect = sync_api.expect
    p, households = accepted["project"], sorted(accepted["households"], key=lambda h: h.number)
    with browser_page() as page:
        sign_in(page, live_server.url, "v16")
        page.goto(f"{live_server.url}/projects/assets/new/?project={p.pk}")
        expect(page.locator("#id_household")).to_be_hidden()  # 经营性资产 is chosen first
        page.select_option("#id_kind", "household")
        expect(page.locator("#id_household")).to_be_visible()
        page.select_option("#id_household", str(households[0].pk))
        page.select_option("#id_kind", "public")  # the household chosen, then hidden: not posted
        expect(page.locator("#id_household")).to_be_hidden()
        page.fill("#id_owner", "甲一村村委会")
        page.get_by_role("button", name="登记").click()
        expect(page.locator("h1")).to_contain_text(p.name)
        road = Asset.objects.get(project=p)
        assert (road.kind, road.household_id) == (AssetKind.PUBLIC, None)

        income = svc.income_record(actor=None, asset=road, year=2025, amount="300", distributable="300",
                                   received_on=D(2025, 12, 20), households=households)
        page.goto(f"{live_server.url}/projects/assets/{road.pk}/")
        form = page.locator(f"#paid-{income.pk}")
        expect(page.locator(f"#income-{income.pk} summary")).to_contain_text("3 户未登记发放日期")
        form.locator("input[name=paid_on]").fill("2025-12-19")
        form.locator("button").click()
        expect(page.locator(f"#paid-{income.pk} .err")).to_contain_text("发放日期应在收益日期 2025-12-20 至今天之间")
        page.locator(f"#paid-{income.pk} input[name=paid_on]").fill("2025-12-26")
        page.locator(f"#paid-{income.pk} button").click()
        expect(page.locator(".messages")).to_contain_text("已登记 3 户的发放到户日期：2025-12-26")
        expect(page.locator(f"#income-{income.pk} summary")).to_contain_text("2025-12-26 发放到户")
        expect(page.locator(f"#paid-{income.pk}")).to_have_count(0)
        assert set(IncomeShare.objects.filter(income=income).values_list("paid_on", flat=True)) == {D(2025, 12, 26)}


def test_the_remove_buttons_sit_inside_the_card_on_the_phone(live_server, accepted):
    p = accepted["project"]
    for i in range(3):  # household numbers as long as the registry's (16 digits)
        h = factories.household(p.area, number=f"53032410020100{i + 50}")
        p.beneficiaries.create(household=h, people=h.member_count)
    with browser_page(viewport={"width": 390, "height": 844}) as page:
        sign_in(page, live_server.url, "v16")
        page.goto(f"{live_server.url}/projects/{p.pk}/")
        box = page.locator("#beneficiaries .scroll-x").first
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "the table is wider than its box"
        right = box.evaluate("b => b.getBoundingClientRect().right")
        for button in page.locator("#beneficiaries td.act button").all():
            assert button.evaluate("b => b.getBoundingClientRect().right") <= right - 8
