"""The idle clock starts at sign-in (so the first page after it does not have to write the session)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .middleware import SESSION_KEY
from .models import User


@receiver(user_logged_in, dispatch_uid="fupin.accounts.idle_clock")
def start_idle_clock(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = int(timezone.now().timestamp())
