"""API tokens: issued per sign-in, stored hashed, expiring, revocable (fupin.accounts.models.ApiToken).

The one place that creates, checks and revokes tokens: the API's authentication class, its sign-in
and sign-out view, the admin's revoke action and the user-save signal all call these functions."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .models import ApiToken, User

PREFIX_LENGTH = 8
#: ``last_used`` is written at most this often per token: not one write per request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
#: Expired or revoked tokens are deleted this long after they stopped working (the audit keeps the history).
KEEP_DEAD = datetime.timedelta(days=30)


class TokenRefused(Exception):
    """The key opens nothing; the message (Chinese) says why."""


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def password_fingerprint(user: User) -> str:
    """A keyed digest of the user's password hash: changes whenever the password does."""
    return salted_hmac("fupin.accounts.tokens.password", user.password, algorithm="sha256").hexdigest()


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "FUPIN_API_TOKEN_HOURS", 12))


def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for a sign-in; the key is returned here and never again (only its hash is kept)."""
    now = timezone.now()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(key_hash=key_hash(key), prefix=key[:PREFIX_LENGTH], user=user,
                                    password_fingerprint=password_fingerprint(user), created=now,
                                    expires=now + token_lifetime())
    # The user's long-dead tokens go, so that signing in again and again does not grow the table.
    ApiToken.objects.filter(user=user).filter(
        Q(expires__lt=now - KEEP_DEAD) | Q(revoked_at__lt=now - KEEP_DEAD)).delete()
    return token, key


def token_authenticate(key: str) -> ApiToken:
    """The live token with this key (its user and the user's area loaded), or TokenRefused."""
    found = list(ApiToken.objects.select_related("user", "user__area")
                 .filter(key_hash=key_hash(key)).order_by()[:1])
    if not found:
        raise TokenRefused(_("令牌无效"))
    token = found[0]
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("令牌已撤销（%(reason)s），请重新登录") % {"reason": token.get_revoked_reason_display()})
    if token.expires <= now:
        raise TokenRefused(_("令牌已过期，请重新登录"))
    if not token.user.is_active:
        raise TokenRefused(_("账号已停用"))
    if token.password_fingerprint != password_fingerprint(token.user):
        raise TokenRefused(_("密码已修改，令牌已失效，请重新登录"))
    if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def token_revoke(*, token: ApiToken, reason: str) -> bool:
    """Revoke one token; False when it was already revoked (nothing changed)."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason)
    if changed:
        token.revoked_at, token.revoked_reason = now, reason
    return bool(changed)


def tokens_revoke_stale(*, user: User) -> int:
    """After a user is saved: revoke the tokens the user's state no longer allows — all of them when
    the account is deactivated, those issued under another password otherwise. Returns how many."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if not user.is_active:
        return live.update(revoked_at=timezone.now(), revoked_reason=ApiToken.Reason.DEACTIVATED)
    return live.exclude(password_fingerprint=password_fingerprint(user)).update(
        revoked_at=timezone.now(), revoked_reason=ApiToken.Reason.PASSWORD)
