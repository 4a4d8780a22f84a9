"""待办: what waits for the signed-in user, shown on the home page (issue 12 #16).

Each domain registers a *provider* in its ``AppConfig.ready`` (as fupin.accounts.policy's household
providers): a function of the user giving the items waiting for them — imports waiting for
confirmation (fupin.sheets), data-quality findings to verify (fupin.quality) — each with a count and a
link. A later capability (monitoring cases, 帮扶 visits ...) adds its own by registering one more; the
home page knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


@dataclass(frozen=True)
class Todo:
    """One line of the panel: ``count`` things of a kind, ``url`` to deal with them."""

    label: str
    count: int
    url: str
    hint: str = ""


TodoProvider = Callable[["User"], list[Todo]]

#: name → provider, in registration order (the order of INSTALLED_APPS).
_PROVIDERS: dict[str, TodoProvider] = {}


def register_todo_provider(name: str, provider: TodoProvider) -> None:
    """Add (or replace, by ``name``) a source of to-dos. ``provider(user)`` must apply the user's scope
    itself (through fupin.accounts.policy) and return only items with something waiting."""
    _PROVIDERS[name] = provider


def todos_for(user: User | AnonymousUser) -> list[Todo]:
    """Everything waiting for ``user``, provider by provider; items with a zero count are left out."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for provider in _PROVIDERS.values() for item in provider(user) if item.count > 0]
