"""The dashboards' pages (fupin.monitoring.views_dash) and ``/api/stats/`` (fupin.monitoring.api_stats)."""

from django.urls import include, path

from . import api_stats, views_dash

dash = [
    path("", views_dash.dashboard, name="dashboard"),
    path("targets/", views_dash.targets_page, name="targets"),
    path("tables/", views_dash.tables_page, name="tables"),
    path("tables/download/", views_dash.tables_download, name="tables_download"),
]

urlpatterns = [
    path("dashboard/", include((dash, "dash"))),
    path("api/stats/", api_stats.StatsView.as_view(), name="api-stats"),
]
