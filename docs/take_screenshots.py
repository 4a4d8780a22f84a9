#!/usr/bin/env python
"""Screenshots of every page for the README, taken in Debian's chromium through Playwright.

    .venv/bin/python docs/take_screenshots.py [--base http://127.0.0.1:8000] [--password ...]

Expects the demo county to be served (`make run`). Writes docs/screenshots/*.png.
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
        page.wait_for_url(re.compile(r".*/overview/"))
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
        browser.close()


if __name__ == "__main__":
    main()
