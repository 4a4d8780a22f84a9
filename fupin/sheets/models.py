"""The sheets app's background jobs: an import check, an import (check, then write) or an export,
with its files. The job itself is fupin.jobs' (state, owner, claim, progress, cancel, retention);
``SheetJob`` is its proxy with the sheets' kinds and file names.
"""

from __future__ import annotations

from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.jobs.models import Job as BaseJob
from fupin.jobs.models import JobState

__all__ = ["ImportMode", "Job", "JobKind", "JobState", "SheetJob"]


class JobKind(models.TextChoices):
    CHECK = "check", _("导入检查")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")


class ImportMode(models.TextChoices):
    VALID = "valid", _("导入有效的户，拒绝有错误的户")
    ALL = "all", _("全部有效才导入，否则什么也不导入")


class SheetJobManager(models.Manager):
    def get_queryset(self):
        # The sheets pages list and open the sheets' own jobs, not another domain's.
        return super().get_queryset().filter(kind__in=JobKind.values)


class SheetJob(BaseJob):
    objects = SheetJobManager()

    class Meta:
        proxy = True
        verbose_name = _("导入导出任务")
        verbose_name_plural = _("导入导出任务")

    @property
    def mode(self) -> str:
        """How an import treats households with errors (ImportMode), chosen on confirming the check."""
        return (self.params or {}).get("mode") or ImportMode.VALID

    def get_mode_display(self) -> str:
        return str(ImportMode(self.mode).label)

    @property
    def refused_households(self) -> int:
        """Households an import left out (or a check found with errors), from the job's result."""
        result = self.result or {}
        if self.kind == JobKind.IMPORT:
            return int((result.get("written") or {}).get("refused") or 0)
        if self.kind == JobKind.CHECK:
            return int((result.get("counts") or {}).get("refused") or 0)
        return 0

    def state_text(self) -> str:
        """The state as the lists show it: a finished import that left households out says so ("已完成" alone
        reads as "all imported")."""
        refused = self.refused_households if self.state == JobState.DONE else 0
        if refused and self.kind == JobKind.IMPORT:
            return _("已完成，%(n)d 户未导入") % {"n": refused}
        if refused and self.kind == JobKind.CHECK:
            return _("已完成，%(n)d 户有错误") % {"n": refused}
        return str(self.get_state_display())

    @property
    def upload_path(self) -> Path:
        """The uploaded sheet: an import reads the file its check job received."""
        src = self.source if self.source_id else self
        return src.folder / "upload"

    @property
    def errors_path(self) -> Path:
        return self.folder / "errors.xlsx"

    @property
    def output_path(self) -> Path:
        return self.folder / "output.xlsx"


#: The name the sheets code and its tests have always used for their jobs.
Job = SheetJob
