#!/usr/bin/env python
"""Screenshots of the 明白卡 pages (issue 15, card15; prefix 74-), in Debian's chromium through Playwright,
and PNGs of a rendered card and of a page of a village's file (pdftoppm).

    .venv/bin/python docs/take_card_screenshots.py --base http://127.0.0.1:8107 --household 3902 --village 530324201205
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url(base + "/")


def pdf_png(pdf: bytes, target: Path, page: int = 1, dpi: int = 60) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "card.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(Path(tmp) / "out")], check=True)
        target.write_bytes((Path(tmp) / "out.png").read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8107")
    parser.add_argument("--user", default="county")
    parser.add_argument("--password", default="fupin-demo-2026")
    parser.add_argument("--household", type=int, required=True)
    parser.add_argument("--village", required=True)
    parser.add_argument("--township", default="")
    args = parser.parse_args()
    base = args.base
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            sign_in(page, base, args.user, args.password)
            page.goto(f"{base}/assistance/cards/")
            page.screenshot(path=str(OUT / f"74-cards-{name}.png"))
            page.goto(f"{base}/households/{args.household}/")
            page.screenshot(path=str(OUT / f"74-household-print-card-{name}.png"))
            if name == "desktop":
                pdf = page.request.get(f"{base}/households/{args.household}/card.pdf", timeout=120_000).body()
                pdf_png(pdf, OUT / "74-card.png")
                pdf_png(pdf, OUT / "74-card-large.png", dpi=110)
                village = page.request.get(f"{base}/assistance/cards/area/{args.village}.pdf", timeout=600_000).body()
                pdf_png(village, OUT / "74-village-card.png", page=2)
                if args.township:
                    page.goto(f"{base}/assistance/cards/")
                    page.select_option("#cards-area", args.township)
                    page.click("form.filters button[type=submit]")
                    page.wait_for_url("**/assistance/cards/jobs/**")
                    page.wait_for_timeout(2500)
                    page.screenshot(path=str(OUT / "74-cards-job-running.png"))
                    page.wait_for_selector("text=下载 PDF", timeout=600_000)
                    page.screenshot(path=str(OUT / "74-cards-job-done.png"))
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
