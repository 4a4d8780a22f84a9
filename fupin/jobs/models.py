"""A background job of any domain: its kind, state, owner, parameters, outcome and files.

The kind names a handler registered by a domain app (fupin.jobs.kinds). Progress and the cancel flag
live in the "jobs" cache, not in this row: a job may write inside one long transaction, and on
SQLite a second writer (a progress update) would wait for it to finish.

The table is still ``sheets_job``: the model moved here from the sheets app, and existing
installations keep their jobs (migrations jobs/0001 and sheets/0002 move it in the migration state
only).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A name registered in fupin.jobs.kinds (no choices here: each domain app registers its own).
    kind = models.CharField(_("类型"), max_length=40)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                             related_name="jobs")
    # The area the job is limited to (an import into one village), when it is.
    area = models.ForeignKey("areas.Area", verbose_name=_("限定区划"), null=True, blank=True,
                             on_delete=models.PROTECT)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    # The job this one confirms or continues (an import confirms its check and reads its upload). At
    # most one per job, in the database: two confirms sent at once give one follow-up job, not two.
    source = models.ForeignKey("self", verbose_name=_("检查任务"), null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        db_table = "sheets_job"
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["source"], name="jobs_one_follow_up_per_job")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    def get_kind_display(self) -> str:
        from .kinds import label

        return label(self.kind)

    @property
    def folder(self) -> Path:
        """The job's files (uploads, outputs): deleted after FUPIN_JOB_FILE_DAYS days (fupin.jobs.runner)."""
        return settings.DATA_DIR / "jobs" / str(self.id)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED
