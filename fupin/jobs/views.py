"""The two views every background job's page repeats, as helpers its own views call after finding the job
their way (the owner's job, an archive or an adjustment run of the user's scope):

* :func:`progress_partial` — the htmx partial polled by the page: the bar while the job runs; once it has
  finished (or its record says it no longer runs), an empty answer asking htmx to reload the whole page
  (``HX-Refresh``), which then shows the result;
* :func:`cancel` — a queued job is cancelled at once (``on_cancelled`` then marks its record), a running one
  is asked to stop at its next progress report; the user is told which (a Django message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import runner
from .models import Job


def progress_partial(request: HttpRequest, job: Job | None, template: str, context: dict[str, Any], *,
                     running: bool = True) -> HttpResponse:
    """``template`` with ``context`` and the job's ``progress`` while it runs; a page reload once it is over."""
    if job is None or job.finished or not running:
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, template, {**context, "progress": runner.progress_of(job)})


def cancel(request: HttpRequest, job: Job | None, *, requested: str, done: str | None = None,
           on_cancelled: Callable[[], Any] | None = None) -> None:
    """Cancel ``job`` if it has not finished. ``done``: the message when it stopped at once (default 已取消);
    ``requested``: the message when a running job was asked to stop (what becomes of its work)."""
    if job is None or job.finished:
        return
    if runner.request_cancel(job):
        if on_cancelled is not None:
            on_cancelled()
        messages.info(request, done or _("已取消"))
    else:
        messages.info(request, requested)
