"""Signing out a session nobody has used for ``FUPIN_IDLE_MINUTES`` (0: never).

The session's cookie already ends with the browser and after ``SESSION_COOKIE_AGE``; this also ends a
session left open on a shared office PC. The last time the session was used is kept in the session
(rewritten at most once a minute, not on every request).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_KEY = "fupin_last_seen"
#: Seconds between rewrites of the session's "last seen" time.
RESOLUTION = 60


def is_public(request: HttpRequest) -> bool:
    """The public notice board (/public/) is the same page for everyone, signed in or not: neither an
    idle session nor a pending password change sends its reader to another page."""
    return request.path.startswith(resolve_url("public_board"))


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        idle_minutes = settings.FUPIN_IDLE_MINUTES
        user = getattr(request, "user", None)
        if idle_minutes > 0 and not is_public(request) and user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(SESSION_KEY)
            if isinstance(last, int) and now - last > idle_minutes * 60:
                return self._expired(request, idle_minutes)
            if not isinstance(last, int) or now - last >= RESOLUTION:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest, idle_minutes: int) -> HttpResponseBase:
        request.fupin_logout_reason = "idle"
        logout(request)
        messages.warning(request, _("超过 %(minutes)d 分钟未操作，已自动退出，请重新登录。") % {"minutes": idle_minutes})
        path = request.get_full_path()
        if request.headers.get("HX-Request"):
            # htmx would put the login page inside the fragment; ask it to load the page instead.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = (current.path + (f"?{current.query}" if current.query else "")) or path
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(back).url
            return response
        if (request.method in ("GET", "HEAD") and not request.path.startswith("/api/")
                and request.path != resolve_url(settings.LOGIN_URL)):
            return redirect_to_login(path)
        # Anything else goes on as an anonymous request: the view refuses it as it would any other.
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password a manager reset (``must_change_password``) is sent to 修改密码 until they
    choose their own: every page but that one, 退出 and static files redirects there (an htmx request
    is told to load it). The API authenticates per view, by token; a reset already ended the user's
    tokens, and a new token needs the password the user chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if not is_public(request) and user is not None and user.is_authenticated \
                and getattr(user, "must_change_password", False):
            target = resolve_url("accounts:password_change")
            allowed = (target, resolve_url("logout"), resolve_url(settings.LOGIN_URL))
            if request.path not in allowed and not request.path.startswith((settings.STATIC_URL, "/api/", "/i18n/")):
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)
