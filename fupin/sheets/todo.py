"""The sheets' 待办 (fupin.web.todo): import checks of the user that wait for 确认导入."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.web.todo import Todo

from .models import JobKind, JobState, SheetJob

if TYPE_CHECKING:
    from fupin.accounts.models import User


def pending_checks(user: User) -> QuerySet[SheetJob]:
    """The user's finished import checks not yet confirmed (no import made from them), while their
    uploaded file is still kept (FUPIN_JOB_FILE_DAYS)."""
    since = timezone.now() - datetime.timedelta(days=settings.FUPIN_JOB_FILE_DAYS)
    return (SheetJob.objects.filter(user=user, kind=JobKind.CHECK, state=JobState.DONE, created_at__gte=since)
            .exclude(pk__in=SheetJob.objects.filter(source__isnull=False).values("source_id"))
            .order_by("-created_at"))


def todos(user: User) -> list[Todo]:
    if not policy.can_write(user):
        return []
    checks = pending_checks(user)
    latest = checks.first()
    if latest is None:
        return []
    count = checks.count()
    url = reverse("sheets:job", args=[latest.pk]) if count == 1 else reverse("sheets:index")
    return [Todo(_("导入待确认"), count, url,
                 _("已检查的表格尚未确认导入，最近一份：%(f)s") % {"f": latest.filename})]
