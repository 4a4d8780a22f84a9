"""``fupin dashboard refresh``: precompute the dashboards' rollups (fupin.monitoring.rollups), today and
the last N year ends: each county live in one pass (storing the rollups of its townships and villages),
the cities and the province summed from them; ``fupin dashboard status``: how many are not current.

Run it nightly ("today" figures are of one day; rollups older than rollups.MAX_AGE are recomputed) and
after a change made outside the services. The dashboards stay exact without it (a rollup that is not
current is recomputed on view, a write makes stale only the rollups of its areas), it spares the first
visitor of the day the wait."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area, Level


class Command(BaseCommand):
    help = "看板预计算：refresh 预计算各级看板（当前与最近 N 个年末；县及以下一次计算，省市由县汇总），status 显示过期数"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["refresh", "status"])
        parser.add_argument("--year-ends", type=int, default=5, help="最近几个年末（默认 5）")
        parser.add_argument("--levels", default="province,city,county,township",
                            help="预计算的区划级别，逗号分隔（默认 province,city,county,township）")
        parser.add_argument("--area", default="", help="只计算该区划及其下级")

    def handle(self, *args: Any, **opts: Any) -> None:
        from fupin.monitoring import rollups

        if opts["action"] == "status":
            from fupin.monitoring.models import FigureRollup

            self.stdout.write(f"看板预计算结果 {FigureRollup.objects.count()} 条，过期 {rollups.stale_count()} 条，"
                              f"数据版本 #{rollups.stamp()}")
            return
        levels = [lv.strip() for lv in opts["levels"].split(",") if lv.strip()]
        unknown = set(levels) - set(Level.values)
        if unknown:
            raise CommandError(f"未知的区划级别：{', '.join(sorted(unknown))}")
        areas = Area.objects.filter(level__in=levels).order_by("path")
        if opts["area"]:
            root = Area.objects.filter(code=opts["area"]).first()
            if root is None:
                raise CommandError(f"区划代码 {opts['area']} 不存在")
            areas = areas.filter(path__startswith=root.path)
        today = timezone.localdate()
        dates: list[datetime.date | None] = [None] + [datetime.date(today.year - k, 12, 31)
                                                      for k in range(1, opts["year_ends"] + 1)]
        # A system administrator's view (the whole tree), not saved: rollups are per area, not per user.
        actor = User(username="dashboard-refresh", is_superuser=True)
        started = time.perf_counter()
        n = rollups.refresh(user=actor, areas=list(areas), dates=dates)
        self.stdout.write(f"已预计算 {n} 个看板（{areas.count()} 个区划 × {len(dates)} 个时点），"
                          f"用时 {time.perf_counter() - started:.1f} 秒")
