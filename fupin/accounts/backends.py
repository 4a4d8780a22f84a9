"""Django's username/password check, refusing guesses once a username or an address is locked.

Every sign-in goes through ``django.contrib.auth.authenticate`` — the login page, the admin's login
page and the REST API's token endpoint (DRF's ``AuthTokenSerializer``) — so one backend throttles all
of them. A locked attempt raises ``PermissionDenied``: ``authenticate`` then stops (no password is
checked) and sends ``user_login_failed`` like any other failure, which the audit trail records.

The outcome is left on the request for the login page and the audit trail:
``request.fupin_lockout_minutes`` (minutes until sign-in is possible again, when locked) and
``request.fupin_login_refused`` (``"username"`` or ``"ip"``: which lock refused this attempt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import lockout
from .models import User

if TYPE_CHECKING:
    from rest_framework.request import Request


def _note(request: HttpRequest | Request | None, name: str, value: str | int) -> None:
    if request is not None:
        try:
            setattr(request, name, value)
        except AttributeError:  # pragma: no cover - a request object that takes no attributes
            pass


class LockoutModelBackend(ModelBackend):
    # ``request`` is DRF's Request when the API's token endpoint signs in, None from scripts.
    def authenticate(self, request: HttpRequest | Request | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = lockout.client_ip(request)
        lock = lockout.current_lock(username, ip)
        if lock is not None:
            _note(request, "fupin_login_refused", lock.scope)
            _note(request, "fupin_lockout_minutes", lock.minutes)
            raise PermissionDenied("sign-in temporarily locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            new_lock = lockout.record_failure(username, ip)
            if new_lock is not None:
                _note(request, "fupin_lockout_minutes", new_lock.minutes)
        else:
            lockout.record_success(username, ip)
        return user
