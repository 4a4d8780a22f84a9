"""Each app's pages under one root; the shell (home, sign-in) last."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fupin.monitoring.urls_alerts")),  # (alerts) 预警 pages and API, before the API's catch-all
    path("api/", include("fupin.api.urls")),
    path("sheets/", include("fupin.sheets.urls")),
    path("", include("fupin.monitoring.urls")),
    path("", include("fupin.registry.urls")),
    path("", include("fupin.documents.urls")),
    path("", include("fupin.audit.urls")),
    path("quality/", include("fupin.quality.urls")),
    path("standards/", include("fupin.standards.urls")),
    path("", include("fupin.identification.urls")),
    path("exit-check/", include("fupin.identification.urls_exitcheck")),
    # The public notice board: no login (fupin.identification.public)
    path("public/", include("fupin.identification.urls_public")),
    path("accounts/", include("fupin.accounts.urls")),
    path("", include("fupin.web.urls")),
]

# A bug under /api/ still answers the API's JSON error shape (fupin.api.errors); elsewhere the page.
handler500 = "fupin.api.errors.server_error"
