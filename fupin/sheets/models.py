"""Background jobs of the sheets app: an import (check, then write) or an export, with its files.

Progress and the cancel flag live in the "jobs" cache, not in this row: an import writes inside one
transaction, and on SQLite a second writer (the progress update) would wait for it to finish.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    CHECK = "check", _("导入检查")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class ImportMode(models.TextChoices):
    VALID = "valid", _("导入有效的户，拒绝有错误的户")
    ALL = "all", _("全部有效才导入，否则什么也不导入")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=JobKind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                             related_name="sheet_jobs")
    area = models.ForeignKey("areas.Area", verbose_name=_("限定区划"), null=True, blank=True,
                             on_delete=models.PROTECT)
    filename = models.CharField(_("文件名"), max_length=200)
    mode = models.CharField(_("导入方式"), max_length=10, choices=ImportMode.choices, default=ImportMode.VALID)
    # The check job this import job confirms (the same uploaded file).
    source = models.ForeignKey("self", verbose_name=_("检查任务"), null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入导出任务")
        verbose_name_plural = _("导入导出任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def folder(self):
        return settings.DATA_DIR / "jobs" / str(self.id)

    @property
    def upload_path(self):
        src = self.source if self.source_id else self
        return src.folder / "upload"

    @property
    def errors_path(self):
        return self.folder / "errors.xlsx"

    @property
    def output_path(self):
        return self.folder / "output.xlsx"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
