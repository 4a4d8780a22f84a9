"""Sign-ins, refused sign-ins and sign-outs in the audit trail, from django.contrib.auth's signals.

Each event records the username (as typed, for a failure), the client address (``REMOTE_ADDR``) and
the browser's user agent. Connected in ``AuditConfig.ready``.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditKind
from .services import record

USER_ENTITY = "accounts.user"


def _client(request) -> tuple[str | None, str]:
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None, str(meta.get("HTTP_USER_AGENT", ""))[:300]


def _area_path(user) -> str:
    area = getattr(user, "area", None)
    return getattr(area, "path", "") or ""


@receiver(user_logged_in, dispatch_uid="fupin.audit.login")
def audit_login(sender, request, user, **kwargs):
    ip, agent = _client(request)
    record(kind=AuditKind.LOGIN, actor=user, entity=USER_ENTITY, entity_id=str(user.pk), ip=ip,
           area_path=_area_path(user), summary="登录成功",
           data={"username": user.get_username(), "user_agent": agent})


@receiver(user_login_failed, dispatch_uid="fupin.audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    ip, agent = _client(request)
    refused = getattr(request, "fupin_login_refused", None)
    data = {"username": username, "user_agent": agent, "reason": f"locked_{refused}" if refused else "credentials"}
    minutes = getattr(request, "fupin_lockout_minutes", None)
    if minutes:
        data["locked_minutes"] = minutes
    known = User._default_manager.filter(**{User.USERNAME_FIELD: username}).only("pk").first() if username else None
    summary = "登录被拒绝（失败次数过多，已锁定）" if refused else "登录失败"
    # The actor is unknown: the trail names the username tried (record() keeps a string as the name).
    record(kind=AuditKind.LOGIN_FAILED, actor=username or "?", entity=USER_ENTITY if known else "",
           entity_id=str(known.pk) if known else "", ip=ip, summary=summary, data=data)


@receiver(user_logged_out, dispatch_uid="fupin.audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None:  # a visitor who was not signed in
        return
    ip, agent = _client(request)
    idle = getattr(request, "fupin_logout_reason", "") == "idle"
    record(kind=AuditKind.LOGOUT, actor=user, entity=USER_ENTITY, entity_id=str(user.pk), ip=ip,
           area_path=_area_path(user), summary="闲置超时，自动退出" if idle else "退出",
           data={"username": user.get_username(), "user_agent": agent, "reason": "idle" if idle else "user"})
