"""Response headers that keep pages from loading anything from outside and from lingering in caches.

* ``Content-Security-Policy``: nothing from another origin, no inline script (``app.js`` attaches
  behaviour; data goes through ``json_script``). Inline *styles* are allowed: templates use style
  attributes and ECharts sets styles. Overridable with ``FUPIN_CONTENT_SECURITY_POLICY``.
* ``Permissions-Policy``: no camera, microphone, location, payment, USB or sensors.
* ``Cache-Control: no-store`` on every response to a signed-in user unless the view chose its own:
  pages carry personal data and office PCs are shared.

``Cross-Origin-Opener-Policy``, ``X-Content-Type-Options``, ``Referrer-Policy`` and
``X-Frame-Options`` come from Django's own middleware (see settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "FUPIN_CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        self.permissions = getattr(settings, "FUPIN_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            patch_cache_control(response, no_store=True, private=True)
        return response
