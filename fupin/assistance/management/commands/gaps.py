"""``fupin gaps refresh``: precompute the gap report's rollups (fupin.assistance.gaps, kept exact by the
mechanism of fupin.monitoring.rollups): each county live in one pass (storing the rollups of its townships
and villages), the cities and the province summed from them; ``fupin gaps status``: how many are not current.

Run it nightly, after midnight (the gaps are of one day: visits within N days, measures past their date, last
month's presence), and after a change made outside the services. The report stays exact without it (a
rollup that is not current is recomputed on view, a write makes stale only the rollups of the areas it
concerns); it spares the first visitor of the day computing a province live."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fupin.accounts.models import User
from fupin.areas.models import Area, Level


class Command(BaseCommand):
    help = "帮扶缺口预计算：refresh 预计算各级帮扶缺口（县及以下一次计算，省市由县汇总），status 显示过期数"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["refresh", "status"])
        parser.add_argument("--levels", default="province,city,county",
                            help="预计算的区划级别，逗号分隔（默认 province,city,county；县级一次算出其乡镇与村）")
        parser.add_argument("--area", default="", help="只计算该区划及其下级")
        parser.add_argument("--job", action="store_true",
                            help="作为后台任务运行（页面显示进度，与页面发起的更新去重）：设置 REDIS_URL 时交给 fupin worker，"
                                 "否则在本进程内运行至完成")
        parser.add_argument("--user", default="", help="--job 的任务记在该用户名下（默认：第一个超级用户）")

    def handle(self, *args: Any, **opts: Any) -> None:
        from fupin.assistance import gaps
        from fupin.assistance.models import GapRollup
        from fupin.monitoring import rollups

        if opts["action"] == "status":
            self.stdout.write(f"帮扶缺口预计算结果 {GapRollup.objects.count()} 条，过期 "
                              f"{rollups.stale_count(gaps.KIND)} 条，数据版本 #{rollups.stamp()}")
            return
        if opts["job"]:
            self._as_job(opts)
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
        # A system administrator's view (the whole tree), not saved: rollups are per area, not per user.
        actor = User(username="gaps-refresh", is_superuser=True)
        started = time.perf_counter()
        n = gaps.refresh(user=actor, areas=list(areas))
        self.stdout.write(f"已预计算 {n} 个区划的帮扶缺口（{areas.count()} 个区划），用时 {time.perf_counter() - started:.1f} 秒")

    def _as_job(self, opts: dict[str, Any]) -> None:
        """The refresh of the top areas (or ``--area``) as jobs of fupin.jobs: the same job a view starts
        (one per area at a time: when one already runs, it is left to finish)."""
        from django.conf import settings

        from fupin.assistance import gaps
        from fupin.jobs import runner

        user = (User.objects.filter(username=opts["user"]).first() if opts["user"] else
                User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first())
        if user is None:
            raise CommandError("--job 需要一个用户（--user 用户名；默认第一个超级用户，但没有）")
        if opts["area"]:
            roots = list(Area.objects.filter(code=opts["area"]))
            if not roots:
                raise CommandError(f"区划代码 {opts['area']} 不存在")
        else:
            roots = list(Area.objects.filter(parent__isnull=True).order_by("path"))
        for area in roots:
            started = time.perf_counter()
            queue = settings.FUPIN_JOBS == "rq"
            job = gaps.start_refresh(user=user, area=area, submit=queue)
            if job.state != "queued" or job.started_at is not None:
                self.stdout.write(f"{area.name}：已有更新任务 {job.pk}（{job.get_state_display()}）")
            elif queue:
                self.stdout.write(f"{area.name}：已交给 fupin worker，任务 {job.pk}")
            else:
                runner.run_job(str(job.pk))
                job.refresh_from_db()
                self.stdout.write(f"{area.name}：任务 {job.pk} {job.get_state_display()} {job.message}"
                                  f"（{job.result.get('counties', 0)} 个县重新计算，用时 {time.perf_counter() - started:.1f} 秒）")
