"""Running background jobs: submit, claim, progress, cancel, finish, file retention.

``submit(job)`` hands a queued job to the runner chosen by ``settings.FUPIN_JOBS``, once the caller's
transaction has committed (the runner works in another thread or process and must find the row):

* ``thread`` (the embedded default): a thread of the web process; no extra service. At most
  FUPIN_MAX_CONCURRENT_JOBS jobs run at once in one process (a county check takes hundreds of MB):
  the others wait, queued (and cancellable), for a slot;
* ``rq``: the Redis queue "fupin", worked by ``fupin worker`` (production);
* ``sync``: at once, in the caller and its transaction (tests).

Whoever runs a job first **claims** it with a conditional UPDATE (queued → running). Only one claim
can succeed, so a job runs at most once even when two workers pick it up or a job is submitted twice;
a cancel of a queued job is the same kind of conditional UPDATE (queued → cancelled), so a job is
either cancelled before it starts or started, never both.

Progress and the cancel flag of a running job live in the "jobs" cache (shared by the web workers and
the job runner): a job may write in one long transaction, and on SQLite a progress UPDATE would wait
for it.
"""

from __future__ import annotations

import datetime
import functools
import logging
import shutil
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from fupin.audit.context import audit_context

from . import kinds
from .models import Job, JobState

if TYPE_CHECKING:
    from fupin.accounts.models import User
    from fupin.areas.models import Area

#: A job's id as the runner is given it: the UUID, or its text (rq and threads pass text).
JobId = uuid.UUID | str

log = logging.getLogger(__name__)
QUEUE = "fupin"
#: A running job whose progress has not moved for this long is shown as interrupted.
STALE_SECONDS = 120
_CACHE_SECONDS = 24 * 3600


class JobCancelled(Exception):  # noqa: N818 - a request, not an error
    """Raised by a handler (or by ``reporter``) when the user cancelled the job: it ends as cancelled."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class JobRefused(Exception):  # noqa: N818 - the job's expected way to fail
    """Raised by a handler for an outcome the user must read (a file that cannot be read, a rule that
    refuses the whole job): it ends as failed with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- progress and cancel ----------------------------------------------------------------------------

def _cache():
    return caches["jobs"]


def _key(job_id: JobId, what: str) -> str:
    return f"jobs:{job_id}:{what}"


def set_progress(job_id: JobId, done: int, total: int, stage: str) -> None:
    _cache().set(_key(job_id, "progress"), {"done": done, "total": total, "stage": stage, "at": time.time()},
                 timeout=_CACHE_SECONDS)


def progress_of(job: Job) -> dict:
    """For the progress bar: done, total, stage, percent, and whether a running job has gone quiet."""
    data = _cache().get(_key(job.id, "progress")) or {"done": 0, "total": 0, "stage": "", "at": None}
    total = data.get("total") or 0
    data["percent"] = 100 if job.finished else (int(100 * data["done"] / total) if total else 0)
    data["stale"] = (job.state == JobState.RUNNING and data.get("at") is not None
                     and time.time() - data["at"] > STALE_SECONDS)
    return data


def cancel_requested(job_id: JobId) -> bool:
    return bool(_cache().get(_key(job_id, "cancel")))


def reporter(job: Job, stage: str, *, cancelled: type[Exception] = JobCancelled) -> Callable[[int, int], None]:
    """A progress callback for a handler's loops: records (done, total) under ``stage`` and raises
    ``cancelled`` once the user has asked to cancel."""
    def report(done: int, total: int) -> None:
        set_progress(job.id, done, total, stage)
        if cancel_requested(job.id):
            raise cancelled
    return report


def request_cancel(job: Job) -> bool:
    """Cancel ``job``: a queued job at once (True), a running one at its next progress report."""
    if Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.CANCELLED, message=_("已取消"), finished_at=timezone.now()):
        set_progress(job.id, 1, 1, str(JobState.CANCELLED.label))
        return True
    _cache().set(_key(job.id, "cancel"), True, timeout=_CACHE_SECONDS)
    return False


# --- files ------------------------------------------------------------------------------------------

def purge_old_files(days: int | None = None) -> int:
    """Uploads, error sheets and exports hold personal data: delete the files of jobs older than
    FUPIN_JOB_FILE_DAYS days (the job rows, with their counts, stay). Returns the folders removed."""
    days = settings.FUPIN_JOB_FILE_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for job in Job.objects.filter(created_at__lt=cutoff).only("id"):
        if job.folder.exists():
            shutil.rmtree(job.folder, ignore_errors=True)
            removed += 1
    return removed


# --- creating and submitting ------------------------------------------------------------------------

#: An unfinished job older than this no longer counts against FUPIN_MAX_JOBS_PER_USER: the longest
#: job (a county import) takes minutes, so it was lost with a stopped worker and must not lock its
#: user out for ever.
LIMIT_WINDOW = datetime.timedelta(hours=2)


def fail_abandoned() -> int:
    """Mark failed the jobs still queued or running LIMIT_WINDOW after they were created: their worker
    stopped (a web process restarted, a `fupin worker` killed), and they would show "进行中" for ever.
    An import in one is all or nothing, so nothing of it was written. Returns how many were marked."""
    return Job.objects.filter(state__in=(JobState.QUEUED, JobState.RUNNING),
                              created_at__lt=timezone.now() - LIMIT_WINDOW).update(
        state=JobState.FAILED, finished_at=timezone.now(),
        message=_("任务中断：处理它的进程已停止，没有写入任何数据；请重新提交"))


def unfinished_jobs(user: User) -> int:
    """How many of ``user``'s jobs are queued or running (started within LIMIT_WINDOW): what
    FUPIN_MAX_JOBS_PER_USER limits."""
    return Job.objects.filter(user=user, state__in=(JobState.QUEUED, JobState.RUNNING),
                              created_at__gte=timezone.now() - LIMIT_WINDOW).count()


class JobLimitReached(Exception):  # noqa: N818 - the user's expected way to be refused
    """The user has FUPIN_MAX_JOBS_PER_USER unfinished jobs already: no job was created."""

    def __init__(self, running: int, limit: int) -> None:
        super().__init__(f"{running} unfinished jobs, limit {limit}")
        self.running = running
        self.limit = limit


def job_create(*, kind: str, user: User, filename: str = "", area: Area | None = None, source: Job | None = None,
               params: dict | None = None, limited: bool = False) -> Job:
    """A queued job of a registered kind (an instance of the kind's model). Submit it with ``submit``.

    ``limited``: refuse with :class:`JobLimitReached` when the user already has
    FUPIN_MAX_JOBS_PER_USER unfinished jobs. Counting and creating are one transaction that holds
    the user's row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the transaction takes the write lock
    as it begins, BEGIN IMMEDIATE): of two requests at once, the second counts after the first has
    committed, so the limit holds under concurrent requests."""
    spec = kinds.get(kind)
    if spec is None:
        raise ValueError(f"unknown job kind {kind!r}")
    fields = {"kind": kind, "user": user, "filename": filename[:200], "area": area, "source": source,
              "params": params or {}}
    if not limited:
        return spec.model.objects.create(**fields)
    with transaction.atomic():
        list(get_user_model()._base_manager.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        running, limit = unfinished_jobs(user), settings.FUPIN_MAX_JOBS_PER_USER
        if running >= limit:
            raise JobLimitReached(running, limit)
        return spec.model.objects.create(**fields)


def submit(job: Job) -> None:
    """Run ``job`` in the configured runner after the caller's transaction commits."""
    spec = kinds.get(job.kind)
    if spec is None:
        raise ValueError(f"unknown job kind {job.kind!r}")
    purge_old_files()
    fail_abandoned()
    set_progress(job.id, 0, 0, _("排队中"))
    mode = settings.FUPIN_JOBS
    if mode == "sync":
        run_job(str(job.id))
        return
    transaction.on_commit(functools.partial(_dispatch, mode, str(job.id), spec.timeout))


def _dispatch(mode: str, job_id: str, timeout: int) -> None:
    if mode == "thread":
        threading.Thread(target=_in_thread, args=(job_id,), daemon=True, name=f"job-{job_id}").start()
        return
    try:
        from redis import Redis
        from rq import Queue

        Queue(QUEUE, connection=Redis.from_url(settings.REDIS_URL)).enqueue(
            run_job, job_id, job_timeout=timeout, result_ttl=3600, failure_ttl=24 * 3600)
    except Exception:  # noqa: BLE001 - the request has committed; say so on the job instead of a 500
        log.error("job %s could not be queued\n%s", job_id, traceback.format_exc())
        if Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
                state=JobState.FAILED, finished_at=timezone.now(),
                message=_("任务队列不可用，任务未执行。请联系系统管理员（任务编号 %(id)s）") % {"id": job_id}):
            set_progress(job_id, 1, 1, str(JobState.FAILED.label))


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _thread_slots() -> threading.BoundedSemaphore:
    """The process's job slots, made anew if FUPIN_MAX_CONCURRENT_JOBS changed (tests change it)."""
    global _slots
    size = max(1, settings.FUPIN_MAX_CONCURRENT_JOBS)
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def _in_thread(job_id: str) -> None:
    # Waits for a slot while the job stays queued: claimed (running) only once it has one.
    with _thread_slots():
        try:
            run_job(job_id)
        finally:
            connection.close()


# --- running ----------------------------------------------------------------------------------------

def claim(job_id: JobId) -> bool:
    """Take a queued job for running: True for exactly one caller, however many try at once."""
    return bool(Job.objects.filter(pk=job_id, state=JobState.QUEUED)
                .update(state=JobState.RUNNING, started_at=timezone.now()))


def run_job(job_id: str) -> None:
    """Claim and run one job to its end; never raises (the outcome is in the job row). A job that is
    not queued any more (run or cancelled already, or claimed by another worker) is left alone."""
    if not connection.in_atomic_block:  # a long-lived worker: drop a connection the server closed
        close_old_connections()
    if not claim(job_id):
        return
    name = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    if name is None:  # deleted since
        return
    spec = kinds.get(name)
    model = spec.model if spec is not None else Job
    job = model._base_manager.select_related("user__area", "area", "source").get(pk=job_id)
    # The job acts for the request that submitted it: its language, and its client address in the
    # audit rows it writes (a new thread or an rq worker starts with an empty audit context).
    with override(job.params.get("language") or settings.LANGUAGE_CODE), audit_context(ip=job.params.get("ip")):
        if spec is None:
            _finish(job, JobState.FAILED, _("未知的任务类型“%(k)s”") % {"k": name})
            return
        try:
            if cancel_requested(job.id):
                raise JobCancelled
            spec.handler(job)
        except JobCancelled as exc:
            _finish(job, JobState.CANCELLED, exc.message or _("已取消"))
        except JobRefused as exc:
            _finish(job, JobState.FAILED, exc.message)
        except Exception:  # noqa: BLE001 - any failure ends the job; its transaction has rolled back
            log.error("job %s (%s) failed\n%s", job.id, job.kind, traceback.format_exc())
            _finish(job, JobState.FAILED, _("处理时发生内部错误，数据库未改变。请联系系统管理员（任务编号 %(id)s）")
                    % {"id": job.id})
        else:
            _finish(job, JobState.DONE)


def _finish(job: Job, state: str, message: str = "") -> None:
    job.state = state
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "message", "result", "finished_at"])
    progress = _cache().get(_key(job.id, "progress")) or {}
    set_progress(job.id, progress.get("total") or 1, progress.get("total") or 1, str(JobState(state).label))
