"""Sign-ins, refused sign-ins and sign-outs in the audit trail, from django.contrib.auth's signals.

Each event records the username (as typed, for a failure), the client address (``REMOTE_ADDR``) and
the browser's user agent. Connected in ``AuditConfig.ready``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .services import audit_login, audit_login_failed, audit_logout

if TYPE_CHECKING:
    from django.http import HttpRequest

    from fupin.accounts.models import User


def _client(request: HttpRequest | None) -> tuple[str | None, str]:
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None, str(meta.get("HTTP_USER_AGENT", ""))[:300]


@receiver(user_logged_in, dispatch_uid="fupin.audit.login")
def on_login(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    ip, agent = _client(request)
    audit_login(user=user, ip=ip, summary=_("登录成功"), data={"user_agent": agent})


@receiver(user_login_failed, dispatch_uid="fupin.audit.login_failed")
def on_login_failed(sender: str, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    ip, agent = _client(request)
    refused = getattr(request, "fupin_login_refused", None)
    data = {"user_agent": agent, "reason": f"locked_{refused}" if refused else "credentials"}
    minutes = getattr(request, "fupin_lockout_minutes", None)
    if minutes:
        data["locked_minutes"] = minutes
    known = User._default_manager.filter(**{User.USERNAME_FIELD: username}).only("pk").first() if username else None
    audit_login_failed(username=username, user_id=known.pk if known else None, ip=ip, data=data,
                       summary=_("登录被拒绝（失败次数过多，已锁定）") if refused else _("登录失败"))


@receiver(user_logged_out, dispatch_uid="fupin.audit.logout")
def on_logout(sender: type, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None:  # a visitor who was not signed in
        return
    ip, agent = _client(request)
    idle = getattr(request, "fupin_logout_reason", "") == "idle"
    audit_logout(user=user, ip=ip, summary=_("闲置超时，自动退出") if idle else _("退出"),
                 data={"user_agent": agent, "reason": "idle" if idle else "user"})
