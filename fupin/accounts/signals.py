"""The idle clock starts at sign-in (so the first page after it does not have to write the session);
a password change or deactivation revokes the user's API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .middleware import SESSION_KEY
from .models import User
from .tokens import tokens_revoke_stale


@receiver(user_logged_in, dispatch_uid="fupin.accounts.idle_clock")
def start_idle_clock(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = int(timezone.now().timestamp())


@receiver(post_save, sender=User, dispatch_uid="fupin.accounts.revoke_api_tokens")
def revoke_api_tokens(sender: type[User], instance: User, created: bool, update_fields: frozenset | None = None,
                      **kwargs: Any) -> None:
    """A password change or a deactivation ends the user's API tokens (a sign-in's last_login save
    cannot change either, and is skipped)."""
    if created or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    tokens_revoke_stale(user=instance)
