#!/usr/bin/env python
"""Screenshots of the 标准 pages (issue 13 item 2) at 1400×900 and 390×844, as docs/take_screenshots.py
takes the others:

    .venv/bin/python docs/take_standards_screenshots.py --base http://127.0.0.1:8101

Expects the demo county served at --base. Signs in as the demo 县级管理员 ("county"), makes a county
scoring scheme from the national one (so it writes to the database it is pointed at), previews an edit,
shows a refused edit, the poverty lines and a household's score. Writes docs/screenshots/30-standards-*.png.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import DESKTOP, OUT, PHONE, sign_in  # noqa: E402


def shoot(page, name: str, phone: bool) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"30-standards-{name}{'-phone' if phone else ''}.png"), full_page=True)


def run(base: str, password: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for phone in (False, True):
            page = browser.new_page(viewport=PHONE if phone else DESKTOP, locale="zh-CN")
            page.set_default_timeout(15000)
            sign_in(page, base, "county", password)
            page.goto(base + "/standards/?year=2019")
            shoot(page, "list", phone)
            page.locator("#rulesets a", has_text="七不进").first.click()
            page.wait_for_url(re.compile(r".*/standards/\d+/$"))
            shoot(page, "detail", phone)
            # A county scoring scheme from the national one, previewed before saving.
            page.goto(base + "/standards/?kind=scoring&year=2019")
            page.locator("#rulesets a", has_text="四看").first.click()
            page.wait_for_url(re.compile(r".*/standards/\d+/$"))
            derive = page.locator("a", has_text="以此为基础制定")
            if derive.count():
                derive.first.click()
                page.wait_for_url(re.compile(r".*/standards/new/.*"))
                page.fill("input[name=name]", "罗平县量化评分（四看法）")
                page.locator("input[name$=-points]").nth(5).fill("15")
                page.locator("input[name$=-points]").nth(6).fill("5")
                page.click("#preview-button")
                page.wait_for_selector("#preview .kpi")
                shoot(page, "create-preview", phone)
                page.click("#ruleset-form button[type=submit]")
                page.wait_for_url(re.compile(r".*/standards/\d+/$"))
            page.goto(base + "/standards/?kind=scoring&year=2019")
            page.locator("#rulesets tr", has_text="罗平县").locator("a", has_text="编辑").first.click()
            page.wait_for_url(re.compile(r".*/edit/$"))
            page.click("#add-row")
            page.locator("#cond-rows [data-row]").nth(13).wait_for()
            last = page.locator("#cond-rows [data-row]").last
            last.locator("select[name$=-field]").select_option("labour_count")
            page.wait_for_timeout(500)
            last = page.locator("#cond-rows [data-row]").last
            last.locator("select[name$=-group]").select_option("三看劳动力")
            last.locator("input[name$=-value]").fill("3")
            last.locator("input[name$=-label]").fill("劳动力 3 人及以上")
            last.locator("input[name$=-points]").fill("很多")
            page.click("#ruleset-form button[type=submit]")
            page.wait_for_selector("#errors")
            shoot(page, "edit-error", phone)
            page.goto(base + "/standards/lines/?year=2019")
            shoot(page, "lines", phone)
            page.goto(base + "/households/")
            page.locator("#results tbody a").first.click()
            page.wait_for_url(re.compile(r".*/households/\d+/$"))
            pk = page.url.rstrip("/").split("/")[-1]
            page.goto(f"{base}/standards/score/{pk}/?year=2019")
            shoot(page, "score", phone)
            page.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8101")
    parser.add_argument("--password", default="fupin-demo-2026")
    args = parser.parse_args()
    run(args.base, args.password)
