"""rules16 in the browser: on the accounts page the 所属部门 select shows only while the role 行业部门 is chosen
(app.js, no inline script), and the account is created with its department. Debian's chromium through
Playwright; skipped where it is absent."""

from __future__ import annotations

import pytest

from fupin.accounts.models import User
from tests.browser.test_walkthrough import PASSWORD, county, page, sync_api  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_the_department_select_follows_the_role_and_is_saved(live_server, county, page):  # noqa: F811
    from fupin.assistance.models import HelpingUnit, UnitKind
    from fupin.projects.models import DepartmentStaff

    expect = sync_api.expect
    officer = User.objects.get(username="county_officer")
    water = HelpingUnit.objects.create(name="县水务局", kind=UnitKind.DEPARTMENT, area=officer.area)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "county_officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/users/new/")
    expect(page.locator("#id_department")).to_be_hidden()
    page.select_option("#id_role", "department")
    expect(page.locator("#id_department")).to_be_visible()
    page.select_option("#id_role", "village")
    expect(page.locator("#id_department")).to_be_hidden()
    page.select_option("#id_role", "department")
    page.fill("#id_username", "dept_water")
    page.fill("#id_display_name", "水务局项目办")
    page.select_option("#id_area", officer.area.code)
    page.click("button.primary")
    expect(page.locator(".err")).to_contain_text("须选择所属部门")
    expect(page.locator("#id_department")).to_be_visible()  # the role stays chosen after the refusal
    page.select_option("#id_department", str(water.pk))
    page.click("button.primary")
    expect(page.get_by_text("已新建账号 dept_water")).to_be_visible()
    assert DepartmentStaff.objects.get(user__username="dept_water").department == water
