"""The shell's pages: home, and helpers every domain's pages share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fupin.accounts import policy

from . import todo


def no_scope(request: HttpRequest) -> HttpResponse:
    """Nothing to show: no area assigned, or (帮扶责任人, 评估人员) no household paired or sampled."""
    return render(request, "web/no_scope.html", {"by_households": policy.scoped_by_households(request.user)})


def parse_int(value: object) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


#: capability → the view that is the home page of the roles holding it (issue 15: the 帮扶责任人's own
#: page). Registered by the owning app in its AppConfig.ready, so that the shell imports none of them;
#: such a view puts the 待办 ("todos") in its context too.
_LANDINGS: dict[str, Callable[[HttpRequest], HttpResponse]] = {}


def register_landing(capability: str, view: Callable[[HttpRequest], HttpResponse]) -> None:
    _LANDINGS[capability] = view


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """首页: the user's 待办 (fupin.web.todo: what the domains registered) and the way to their pages —
    or, for a role with a landing page of its own (register_landing), that page."""
    for capability, view in _LANDINGS.items():
        if policy.can(request.user, capability):
            return view(request)
    return render(request, "web/home.html", {"todos": todo.todos_for(request.user)})
