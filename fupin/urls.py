"""Each app's pages under one root; the shell (home, sign-in) last."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # issue 14 dashboards (dash): /dashboard/…, and /api/stats/ (before the API's catch-all 404)
    path("", include("fupin.monitoring.urls_dash")),
    path("", include("fupin.monitoring.urls_alerts")),  # (alerts) 预警 pages and API, before the API's catch-all
    path("", include("fupin.credit.urls")),  # 扶贫小额信贷 pages and /api/credit/ (before the API's catch-all)
    path("", include("fupin.assistance.urls_visits")),  # issue 15 (visit15): 走访, 我的帮扶, /api/visits/
    path("api/assistance/", include("fupin.assistance.urls_api")),  # issue 15 (who15), before the API's catch-all
    path("api/projects/", include("fupin.projects.urls_api")),  # issue 16, before the API's catch-all
    path("api/", include("fupin.api.urls")),
    path("sheets/", include("fupin.sheets.urls")),
    path("monitoring/archives/", include("fupin.monitoring.urls_archive")),  # 年度档案 (issue 14, archive)
    path("", include("fupin.monitoring.urls")),
    path("", include("fupin.monitoring.urls_objects")),  # 监测对象、纳入与风险消除、手机端申报 (issue 14, mproc)
    path("", include("fupin.registry.urls")),
    path("", include("fupin.documents.urls")),
    path("", include("fupin.audit.urls")),
    path("quality/", include("fupin.quality.urls")),
    path("standards/", include("fupin.standards.urls")),
    path("", include("fupin.identification.urls")),
    path("assistance/", include("fupin.assistance.urls")),  # 精准帮扶 (issue 15)
    path("projects/", include("fupin.projects.urls")),  # 项目资金 (issue 16)
    path("exit-check/", include("fupin.identification.urls_exitcheck")),
    # The public notice board: no login (fupin.identification.public)
    path("public/funds/", include(("fupin.projects.urls_public", "public_funds"))),  # 资金项目公告公示 (issue 16)
    path("public/", include("fupin.identification.urls_public")),
    path("accounts/", include("fupin.accounts.urls")),
    path("", include("fupin.web.urls")),
]

# A bug under /api/ still answers the API's JSON error shape (fupin.api.errors); elsewhere the page.
handler500 = "fupin.api.errors.server_error"
