"""``fupin worker``: work the Redis job queue (background jobs of every domain) when FUPIN_JOBS=rq."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("处理后台任务队列（导入、导出等）；生产环境设置 REDIS_URL 后运行。"
            " / Work the Redis job queue (imports, exports and other background jobs).")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--burst", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args: Any, burst: bool, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("未设置 REDIS_URL：嵌入式部署的任务在网站进程内运行，不需要 worker")
        from redis import Redis
        from rq import Queue

        from fupin.jobs.rqworker import Worker
        from fupin.jobs.runner import QUEUE

        connection = Redis.from_url(settings.REDIS_URL)
        worker = Worker([Queue(QUEUE, connection=connection)], connection=connection)
        self.stdout.write(f"fupin worker: 队列 {QUEUE} @ {settings.REDIS_URL}")
        worker.work(burst=burst, with_scheduler=False)
