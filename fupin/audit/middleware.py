from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import audit_context


class AuditRequestMiddleware:
    """Gives the audit trail the client address of the request being served (fupin.audit.context)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
