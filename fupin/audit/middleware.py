from .context import audit_context


class AuditRequestMiddleware:
    """Gives the audit trail the client address of the request being served (fupin.audit.context)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
