#!/usr/bin/env python
"""Screenshots of every page for the README, taken in Debian's chromium through Playwright.

    .venv/bin/python docs/take_screenshots.py [--base http://127.0.0.1:8000] [--password ...]

Expects the demo county to be served (`make run`). Writes docs/screenshots/*.png. Chinese text needs a
CJK font on the machine that takes them (`apt-get install fonts-noto-cjk`); without one every
character is an empty box.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="county")
    parser.add_argument("--password", default=os.environ.get("FUPIN_DEMO_PASSWORD", "fupin-demo-2026"))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

        def shot(name: str, full: bool = True) -> None:
            page.wait_for_timeout(500)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
            print("saved", name)

        page.goto(args.base + "/login/")
        shot("01-login", full=False)
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("form.login-card button[type=submit]")
        page.wait_for_url(args.base + "/")  # home: the 待办 panel (issue 12 #16)
        page.goto(args.base + "/overview/")
        shot("02-overview")
        page.goto(args.base + "/areas/")
        page.locator(".toggle:not(.leaf)").first.click()
        page.wait_for_timeout(800)
        shot("03-area-tree")
        page.goto(args.base + "/households/")
        page.select_option("select[name=township]", index=1)
        page.wait_for_timeout(800)
        page.select_option("select[name=cause]", "illness")
        page.wait_for_timeout(800)
        shot("04-household-list")
        page.locator("#results tbody a").first.click()
        page.wait_for_url(re.compile(r".*/households/\d+/$"))
        household_url = page.url
        shot("05-household")
        page.locator("#members a", has_text="修改").first.click()
        page.wait_for_url(re.compile(r".*/members/\d+/edit/$"))
        page.fill("input[name=id_number]", "530324199001011234")
        page.click("main .formactions button[type=submit]")
        page.wait_for_load_state()
        shot("06-member-form-error")
        page.goto(household_url)
        page.locator("a", has_text="修改户信息").click()
        page.wait_for_url(re.compile(r".*/edit/$"))
        shot("07-household-form")
        page.goto(args.base + "/households/new/")
        shot("08-household-create")
        page.goto(args.base + "/sheets/")
        shot("11-sheets")
        import_preview(page, args.base, shot)
        page.goto(args.base + "/quality/")
        shot("13-quality")
        # The same pages on a village cadre's phone (390 × 844).
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2,
                                 is_mobile=True, has_touch=True)
        phone.context.add_cookies(page.context.cookies())
        for name, url in (("14-phone-household", household_url), ("15-phone-quality", args.base + "/quality/"),
                          ("16-phone-overview", args.base + "/overview/")):
            phone.goto(url)
            phone.wait_for_timeout(500)
            phone.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
            print("saved", name)
        browser.close()


def import_preview(page, base: str, shot) -> None:
    """Export one village (a background job with a progress bar), spoil and change a few cells as a
    township would, upload it again: the check's preview with the changes and the bad cells."""
    import openpyxl

    page.goto(base + "/households/")
    page.select_option("select[name=township]", index=1)
    page.wait_for_timeout(800)
    page.select_option("select[name=village]", index=1)
    page.wait_for_timeout(800)
    page.locator("a", has_text="导出 Excel").click()
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
    shot("12-import-preview")


if __name__ == "__main__":
    main()
