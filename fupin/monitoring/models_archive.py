"""年度档案 (issue 14 item 5): one year-end archive of one area — a ZIP under FUPIN_DATA_DIR/archives with
the statistical tables, the household list, the year's decisions and notices, and a manifest with each
file's SHA-256 (fupin.monitoring.archive builds and verifies it).

The row is the archive's lasting record: who asked for it, for which area and year, its state, the
ZIP's own size and SHA-256 and the manifest's counts. The background job (fupin.jobs, kind
``archive``) only carries its progress and cancel; the ZIP is not kept in the job's folder, whose
files are deleted after FUPIN_JOB_FILE_DAYS days — an archive is kept until someone deletes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArchiveState(models.TextChoices):
    BUILDING = "building", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class Archive(models.Model):
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    # The area's code prefix, for the scope filter (policy.area_q) without a join.
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2013), MaxValueValidator(2100)])
    state = models.CharField(_("状态"), max_length=10, choices=ArchiveState.choices, default=ArchiveState.BUILDING)
    job = models.ForeignKey("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: The ZIP's name under FUPIN_DATA_DIR/archives (set once it is written).
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    #: The manifest's counts and the seconds each part took.
    counts = models.JSONField(_("数量"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("年度档案")
        verbose_name_plural = _("年度档案")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.area_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.area_id and not self.area_path:
            self.area_path = self.area.path
        super().save(*args, **kwargs)

    @property
    def path(self) -> Path | None:
        return archive_dir() / self.filename if self.filename else None


def archive_dir() -> Path:
    return Path(settings.DATA_DIR) / "archives"
