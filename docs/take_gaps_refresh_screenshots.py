#!/usr/bin/env python
"""Screenshots of the 帮扶缺口 page on the first view of a day (day15; prefix 79-): yesterday's stored counts
labelled with their date while the refresh runs, and the progress bar when nothing is stored.

The demo has one county, so the server runs with ``FUPIN_GAPS_INLINE_COUNTIES=0`` (every stale area is
refreshed in the background) and this script stages the state in the server's database and job cache: the
stored counts a day old, a refresh job of the area running at its second step (its progress as the job
reports it). Run with the server's DATABASE_URL and FUPIN_DATA_DIR:

    FUPIN_GAPS_INLINE_COUNTIES=0 fupin runserver 127.0.0.1:8115 &
    .venv/bin/python docs/take_gaps_refresh_screenshots.py --base http://127.0.0.1:8115 --area 530000000000
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("form.login-card button[type=submit]")
    page.wait_for_url(base + "/")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8115")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="fupin-demo-2026")
    parser.add_argument("--area", default="530000000000")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM between Playwright's (sync) calls
    import django

    django.setup()
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.assistance import gaps
    from fupin.assistance.models import GapRollup
    from fupin.jobs import runner
    from fupin.jobs.models import Job, JobState

    area = Area.objects.get(code=args.area)
    user = User.objects.get(username=args.user)
    gaps.refresh(user=user, areas=list(Area.objects.filter(path__startswith=area.path, level__in=(
        "province", "city", "county"))))
    GapRollup.objects.update(computed_at=timezone.now() - datetime.timedelta(days=1))  # last night's counts
    Job.objects.filter(kind=gaps.JOB_KIND).delete()
    job = runner.job_create(kind=gaps.JOB_KIND, user=user, area=area)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now())
    stale = gaps.freshness(user=user, area=area).stale
    names = dict(Area.objects.filter(path__in=stale).values_list("path", "name"))

    def progress() -> None:  # as run_refresh reports it: the counties, then the sum
        runner.set_progress(job.id, len(stale), len(stale) + 1, f"正在汇总 {area.name}" if len(stale) == 1 else
                            f"正在统计 {names[stale[-1]]}（{len(stale)} / {len(stale)}）")

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for state in ("stale", "progress"):
                if state == "progress":  # nothing stored for the area and the levels between it and the counties
                    GapRollup.objects.filter(area_path__in=list(Area.objects.filter(
                        path__startswith=area.path, level__in=("province", "city")).values_list("path", flat=True))).delete()
                for name, viewport in (("", DESKTOP), ("-phone", PHONE)):
                    progress()
                    context = browser.new_context(viewport=viewport, locale="zh-CN")
                    page = context.new_page()
                    sign_in(page, args.base, args.user, args.password)
                    page.goto(f"{args.base}/assistance/gaps/?area={area.code}")
                    page.wait_for_selector("#progress")
                    page.wait_for_timeout(2500)  # one poll of the progress bar
                    page.screenshot(path=str(OUT / f"79-gaps-{state}{name}.png"), full_page=name == "")
                    context.close()
            browser.close()
    finally:
        Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, finished_at=timezone.now(), message="截图用")
        gaps.refresh(user=user, areas=list(Area.objects.filter(path__startswith=area.path, level__in=(
            "province", "city", "county"))))


if __name__ == "__main__":
    main()
