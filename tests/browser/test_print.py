"""Printing the household page from the browser (fupin/static/fupin/print.css): chromium prints it to
A4 as a PDF, read back page by page with pdftotext. No menu, no buttons, no tabs; the member table is
not cut: each member's row lies whole on one page and every page of the table repeats its header.

Drives Debian's chromium through Playwright (never a downloaded browser); skipped where chromium or
poppler-utils is absent.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium): browser tests skipped",
                allow_module_level=True)
if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext missing (apt-get install poppler-utils): print tests skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: browser tests skipped")

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # see test_walkthrough.py

from django.db import connections  # noqa: E402

from fupin.registry import services  # noqa: E402
from fupin.registry.choices import Relation  # noqa: E402
from tests import factories  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "test-pass-123456"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"


@pytest.fixture
def household(transactional_db):
    tree = factories.area_tree()
    officer = factories.user("county_officer", "county", tree["county"], display_name="县扶贫办")
    # Many members and years, so the page runs over more than one sheet of A4.
    members = [factories.member_data(Relation.HEAD, "1", name="朱镕基")] + [
        factories.member_data(Relation.SON if i % 2 else Relation.DAUGHTER, "1" if i % 2 else "2",
                              birth=datetime.date(1970 + i % 40, 3, 1), name=f"{SURNAMES[i % 20]}印{i:02d}")
        for i in range(1, 40)]
    h = factories.household(tree["village_a1"], actor=officer, number="5303241002010099", members=members)
    for year in range(2014, 2021):
        services.yearly_record_save(actor=officer, household=h, year=year,
                                    data={"wage_income": str(3000 * (year - 2012)), "member_count": 40})
    return h


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def test_the_household_page_prints_on_a4_without_menu_or_buttons_and_the_member_table_whole(
        live_server, household, tmp_path):
    out = tmp_path / "page.pdf"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "county_officer")
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(lambda url: "/login/" not in url)  # home or the overview
            page.goto(f"{live_server.url}/households/{household.pk}/")
            page.pdf(path=str(out), format="A4")
        finally:
            browser.close()
            connections.close_all()
    pages = pages_of(out)
    assert 2 <= len(pages) <= 8, len(pages)  # 40 members, 7 years, the 防返贫监测 and 帮扶走访 panels (issue 15)
    text = "".join(pages)
    # The 退出核查 panel is part of the record and prints (its text says 退出 often); outside it "退出" is the
    # sign-out button, which must not print. The panel runs from its title to its last criterion's reason.
    text_without_panel = text[:text.index("退出核查（")] + text[text.rindex("饮水是否困难"):]
    for screen_only in ("修改户信息", "增加成员", "打印户档案", "显示完整信息", "变更状态", "导入导出"):
        assert screen_only not in text, screen_only
    assert "退出" not in text_without_panel
    assert "第 1 页，共" in pages[0]  # the page numbers of @page
    members = list(household.members.all())
    table_pages = set()
    for m in members:
        masked = m.id_number[:6] + "********" + m.id_number[-4:]
        on = [i for i, t in enumerate(pages) if masked in t]
        assert len(on) == 1, (m.name, on)  # printed once, never split over two pages
        line = next(line for line in pages[on[0]].splitlines() if masked in line)
        assert m.name in line and m.get_relation_display() in line  # the row whole, on one line
        table_pages.add(on[0])
    assert len(table_pages) >= 2, "the member table should run over a page break in this test"
    for i in table_pages:
        assert "与户主关系" in pages[i] and "证件号码" in pages[i], f"no header on page {i + 1}"
