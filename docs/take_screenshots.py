#!/usr/bin/env python
"""Screenshots of every page for the README, taken in Debian's chromium through Playwright.

    .venv/bin/python docs/take_screenshots.py [--base http://127.0.0.1:8000] [--password ...]

Expects the demo county to be served (`make run`; the address defaults to FUPIN_URL, else
http://$HOST:$PORT as `make run` uses). Writes docs/screenshots/*.png: every page at 1400×900
(NN-name.png) and on a 390×844 phone (NN-name-phone.png), and the phone's unfolded menu. Chinese text needs a
CJK font on the machine that takes them (`apt-get install fonts-noto-cjk`); without one every
character is an empty box.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}  # a village cadre's phone


def sign_in(page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url(base + "/")  # home: the 待办 panel


def first_household(page, base: str) -> str:
    page.goto(base + "/households/")
    page.locator("#results tbody a").first.click()
    page.wait_for_url(re.compile(r".*/households/\d+/$"))
    return page.url


class Pages:
    """How to reach each page from a signed-in browser; run once per screen size (what the first run
    found, such as the household or the import preview, is reused by the second)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.state: dict[str, str] = {}

    def login(self, page) -> None:
        page.context.clear_cookies()
        page.goto(self.base + "/login/")

    def overview(self, page) -> None:
        page.goto(self.base + "/overview/")

    def area_tree(self, page) -> None:
        page.goto(self.base + "/areas/")
        page.locator(".toggle:not(.leaf)").first.click()
        page.wait_for_timeout(800)

    def household_list(self, page) -> None:
        if "list" in self.state:
            page.goto(self.state["list"])
            return
        page.goto(self.base + "/households/")
        page.select_option("select[name=township]", index=1)
        page.wait_for_timeout(800)
        page.select_option("select[name=cause]", "illness")
        page.wait_for_timeout(800)
        self.state["list"] = page.url  # the filtered list has its own address

    def household(self, page) -> None:
        if "household" not in self.state:
            self.state["household"] = first_household(page, self.base)
        page.goto(self.state["household"])

    def member_error(self, page) -> None:
        self.household(page)
        page.locator("#members a", has_text="修改").first.click()
        page.wait_for_url(re.compile(r".*/members/\d+/edit/$"))
        page.fill("input[name=id_number]", "530324199001011234")
        page.click("main .formactions button[type=submit]")
        page.wait_for_load_state()

    def household_form(self, page) -> None:
        self.household(page)
        page.locator("a", has_text="修改户信息").click()
        page.wait_for_url(re.compile(r".*/edit/$"))

    def household_create(self, page) -> None:
        page.goto(self.base + "/households/new/")

    def audit(self, page) -> None:
        page.goto(self.base + "/audit/")

    def reveal(self, page) -> None:
        self.household(page)
        page.get_by_role("button", name="显示完整信息").click()
        page.locator(".revealed-note").wait_for()

    def sheets(self, page) -> None:
        page.goto(self.base + "/sheets/")

    def import_preview(self, page) -> None:
        if "preview" not in self.state:
            import_preview(page, self.base)
            self.state["preview"] = page.url
        page.goto(self.state["preview"])
        page.get_by_role("heading", name="确认导入").wait_for(timeout=60_000)

    def quality(self, page) -> None:
        page.goto(self.base + "/quality/")

    def home(self, page) -> None:
        page.goto(self.base + "/")

    def users(self, page) -> None:
        page.goto(self.base + "/accounts/users/")

    def user_create(self, page) -> None:
        page.goto(self.base + "/accounts/users/new/")

    def search(self, page) -> None:
        # Any member's name finds the household; the member it matched is named under the result.
        page.goto(self.base + "/households/?q=%E6%A2%85")  # 梅

    def quality_resolve(self, page) -> None:
        page.goto(self.base + "/quality/")
        page.goto(self.base + page.locator("a[href*='/resolve/']").first.get_attribute("href"))

    def bulk_correct(self, page) -> None:
        self.household_list(page)
        boxes = page.locator("input[name=ids]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_role("button", name="批量更正所选").click()
        page.wait_for_load_state()

    def exit_check(self, page) -> None:
        # The whole register (回头看): in the demo every household has exited by 2020.
        page.goto(self.base + "/exit-check/?year=2020&scope=register")

    def exit_check_household(self, page) -> None:
        page.goto(self.base + "/exit-check/?year=2020&scope=register&conclusion=no")
        page.locator("#rows tbody a").first.click()
        page.wait_for_url(re.compile(r".*/households/\d+/.*"))
        page.locator("#exit-check").scroll_into_view_if_needed()


#: (file name, Pages method, whole page rather than the first screen)
SHOTS = [("01-login", "login", False), ("02-overview", "overview", True), ("03-area-tree", "area_tree", True),
         ("04-household-list", "household_list", True), ("05-household", "household", True),
         ("06-member-form-error", "member_error", True), ("07-household-form", "household_form", True),
         ("08-household-create", "household_create", True), ("09-audit", "audit", True),
         ("10-reveal", "reveal", True), ("11-sheets", "sheets", True), ("12-import-preview", "import_preview", True),
         ("13-quality", "quality", True), ("14-home", "home", True), ("15-users", "users", True),
         ("17-user-create", "user_create", True), ("18-search", "search", True),
         ("19-quality-resolve", "quality_resolve", True), ("20-bulk-correct", "bulk_correct", True),
         ("31-exit-check", "exit_check", True), ("31-exit-check-household", "exit_check_household", False)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=os.environ.get("FUPIN_URL") or
                        f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--user", default="county")
    parser.add_argument("--password", default=os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026"))
    args = parser.parse_args()
    base = args.base.rstrip("/")
    OUT.mkdir(exist_ok=True)
    pages = Pages(base)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        desktop = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        phone = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        for suffix, page in (("", desktop), ("-phone", phone)):
            for name, method, full in SHOTS:
                if name != "01-login":
                    sign_in_if_needed(page, base, args.user, args.password)
                getattr(pages, method)(page)
                page.wait_for_timeout(600)
                page.screenshot(path=str(OUT / f"{name}{suffix}.png"), full_page=full)
                print("saved", name + suffix)
        pages.overview(phone)  # the phone's menu, unfolded
        phone.locator(".menu-toggle").click()
        phone.wait_for_timeout(300)
        phone.screenshot(path=str(OUT / "16-menu-phone.png"))
        print("saved 16-menu-phone")
        record_pdf(desktop, pages)
        browser.close()


def record_pdf(page, pages: Pages) -> None:
    """The household's 户档案 PDF, its first page as a PNG (pdftoppm, from poppler-utils)."""
    pages.household(page)
    response = page.request.get(page.url.rstrip("/") + "/record.pdf")
    pdf = OUT / "21-household-record.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(OUT / "21-household-record")],
                   check=True)
    pdf.unlink()
    print("saved 21-household-record")


def sign_in_if_needed(page, base: str, user: str, password: str) -> None:
    if not page.context.cookies() or "/login/" in page.url:
        sign_in(page, base, user, password)


def import_preview(page, base: str) -> None:
    """Export one village (a background job with a progress bar), spoil and change a few cells as a
    township would, upload it again: the check's preview with the changes and the bad cells."""
    import openpyxl

    page.goto(base + "/households/")
    page.select_option("select[name=township]", index=1)
    page.wait_for_timeout(800)
    page.select_option("select[name=village]", index=1)
    page.wait_for_timeout(800)
    page.locator("#export-form").get_by_role("button", name="导出 Excel").click()
    page.wait_for_url(re.compile(r".*/sheets/jobs/.*"))
    with page.expect_download(timeout=60_000) as download:
        page.locator("a", has_text="下载导出文件").click(timeout=60_000)
    exported = Path("/tmp") / "fupin-screenshot-export.xlsx"
    download.value.save_as(exported)
    book = openpyxl.load_workbook(exported)
    sheet = book.worksheets[0]
    header_row = next(r for r in range(1, 10) if any(c.value == "证件号码" for c in sheet[r]))
    col = {c.value: c.column for c in sheet[header_row]}
    first = header_row + 1
    last = max(r for r in range(first, sheet.max_row + 1) if sheet.cell(r, col["户编号"]).value)
    number = sheet.cell(last, col["户编号"]).value
    for r in range(first, sheet.max_row + 1):  # a change to preview: the last household's phone
        if sheet.cell(r, col["户编号"]).value == number:
            sheet.cell(r, col["联系电话"]).value = "13912345678"
    sheet.cell(first + 1, col["性别"]).value = "男" if sheet.cell(first + 1, col["性别"]).value == "女" else "女"
    sheet.cell(first + 2, col["证件号码"]).value = 5.30324198501011e17  # Excel turned it into a number
    sheet.cell(first + 3, col["出生日期"]).value = "1985年13月1日"
    changed = Path("/tmp") / "老厂乡上报（修改）.xlsx"
    book.save(changed)
    page.goto(base + "/sheets/")
    page.set_input_files("input[type=file]", str(changed))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r".*/sheets/jobs/.*"))
    page.get_by_role("heading", name="确认导入").wait_for(timeout=60_000)


if __name__ == "__main__":
    main()
