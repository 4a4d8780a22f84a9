"""Throttling of sign-in guesses, per username and per client address.

* ``FUPIN_LOGIN_MAX_FAILURES`` failures for one username within ``FUPIN_LOGIN_LOCK_MINUTES`` lock that
  username for ``FUPIN_LOGIN_LOCK_MINUTES`` — whether or not the account exists, so the refusal says
  nothing about which accounts there are.
* ``FUPIN_LOGIN_MAX_IP_FAILURES`` failures from one client address in the same window lock that
  address (all usernames) for the same time.
* A successful sign-in starts the username's count afresh (not the address's).

State lives in the database (``LoginAttempt``, ``LoginLock``) so that every worker process of a
gunicorn install sees the same counts. The address is ``REMOTE_ADDR``: behind a reverse proxy that is
the proxy's address, so the per-address limit then applies to everyone together (see README).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginAttempt, LoginLock

if TYPE_CHECKING:
    from rest_framework.request import Request

#: Attempts older than this are deleted (they only matter for the throttle; the audit trail keeps them).
KEEP = datetime.timedelta(days=1)


def username_key(username: str | None) -> str:
    return str(username or "").strip().casefold()[:150]


def client_ip(request: HttpRequest | Request | None) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def user_agent(request: HttpRequest | Request | None) -> str:
    if request is None:
        return ""
    meta = getattr(request, "META", None) or {}
    return str(meta.get("HTTP_USER_AGENT", ""))[:300]


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=max(settings.FUPIN_LOGIN_LOCK_MINUTES, 1))


@dataclass(frozen=True)
class Lock:
    scope: str
    until: datetime.datetime

    @property
    def minutes(self) -> int:
        """Whole minutes left, rounded up (never 0 while locked)."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def current_lock(username: str, ip: str | None) -> Lock | None:
    """The lock that refuses this attempt, if any (the one that lasts longest)."""
    now = timezone.now()
    keys = [(LoginLock.Scope.USERNAME, username_key(username))]
    if ip:
        keys.append((LoginLock.Scope.IP, ip))
    found = None
    for scope, key in keys:
        until = LoginLock.objects.filter(scope=scope, key=key, until__gt=now).aggregate(m=Max("until"))["m"]
        if until and (found is None or until > found.until):
            found = Lock(scope, until)
    return found


def _since(scope: str, key: str, start: datetime.datetime) -> datetime.datetime:
    """Count from the later of the window's start and the end of the key's last lock."""
    last = LoginLock.objects.filter(scope=scope, key=key).aggregate(m=Max("until"))["m"]
    return max(start, last) if last else start


def record_success(username: str, ip: str | None) -> None:
    LoginAttempt.objects.create(username=username_key(username), ip=ip, succeeded=True)


def record_failure(username: str, ip: str | None) -> Lock | None:
    """Note a failed attempt; returns the lock it triggers, if it reaches a limit."""
    now = timezone.now()
    key = username_key(username)
    LoginAttempt.objects.create(username=key, ip=ip, at=now, succeeded=False)
    LoginAttempt.objects.filter(at__lt=now - KEEP).delete()
    start = now - window()
    until = now + window()
    lock = None

    max_user = settings.FUPIN_LOGIN_MAX_FAILURES
    if max_user > 0:
        since = _since(LoginLock.Scope.USERNAME, key, start)
        last_success = LoginAttempt.objects.filter(username=key, succeeded=True).aggregate(m=Max("at"))["m"]
        if last_success and last_success > since:
            since = last_success
        failures = LoginAttempt.objects.filter(username=key, succeeded=False, at__gt=since).count()
        if failures >= max_user:
            LoginLock.objects.create(scope=LoginLock.Scope.USERNAME, key=key, created=now, until=until)
            lock = Lock(LoginLock.Scope.USERNAME, until)

    max_ip = settings.FUPIN_LOGIN_MAX_IP_FAILURES
    if ip and max_ip > 0:
        since = _since(LoginLock.Scope.IP, ip, start)
        failures = LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gt=since).count()
        if failures >= max_ip:
            LoginLock.objects.create(scope=LoginLock.Scope.IP, key=ip, created=now, until=until)
            lock = lock or Lock(LoginLock.Scope.IP, until)
    return lock
