#!/usr/bin/env python
"""Screenshots of the 精准帮扶 "who helps" pages (issue 15 item 1, who15) at 1400×900 and 390×844:

    .venv/bin/python docs/take_who_screenshots.py --base http://127.0.0.1:8104

Expects the demo county served at --base (read-only: it only opens pages). Signs in as the demo 县级管理员
("county"). Writes docs/screenshots/71-who-*.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import DESKTOP, OUT, PHONE, sign_in  # noqa: E402


def shoot(page, name: str, phone: bool) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"71-who-{name}{'-phone' if phone else ''}.png"), full_page=not phone)


def first_href(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


def run(base: str, password: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for phone in (False, True):
            page = browser.new_page(viewport=PHONE if phone else DESKTOP, locale="zh-CN")
            page.set_default_timeout(20000)
            sign_in(page, base, "county", password)
            page.goto(base + "/assistance/cadres/")
            shoot(page, "cadres", phone)
            page.goto(base + "/assistance/cadres/?state=left")
            page.goto(base + first_href(page, "table.data td.who a"))
            shoot(page, "cadre-left-reassign", phone)
            page.goto(base + "/assistance/cadres/?state=over")
            page.goto(base + first_href(page, "table.data td.who a"))
            shoot(page, "cadre-over", phone)
            page.goto(base + "/assistance/cadres/new/")
            shoot(page, "cadre-new", phone)
            page.goto(base + "/assistance/units/")
            shoot(page, "units", phone)
            page.goto(base + first_href(page, "table.data td.who a"))
            shoot(page, "unit", phone)
            page.goto(base + "/assistance/teams/")
            shoot(page, "teams", phone)
            page.goto(base + first_href(page, "table.data td.who a"))
            shoot(page, "team", phone)
            page.goto(page.url + "presence/")
            shoot(page, "presence", phone)
            page.goto(base + "/assistance/links/")
            shoot(page, "links", phone)
            page.goto(base + "/assistance/links/new/")
            shoot(page, "link-new", phone)
            page.goto(base + "/assistance/pairings/")
            shoot(page, "pairings", phone)
            household = first_href(page, "#without a")
            # The village of the departed cadre's first household (a household number starts with its village's code).
            village = page.locator("#departed td.who small").first.inner_text().strip()[:12]
            page.goto(base + f"/assistance/pairings/?village={village}")
            shoot(page, "pairings-village", phone)
            page.goto(base + household)
            shoot(page, "household", phone)
            page.goto(base + "/assistance/rules/")
            shoot(page, "rules", phone)
            page.goto(base + "/assistance/rules/cadre_max_households/")
            shoot(page, "rule-edit", phone)
            page.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8104")
    parser.add_argument("--password", default="fupin-demo-2026")
    args = parser.parse_args()
    run(args.base.rstrip("/"), args.password)
