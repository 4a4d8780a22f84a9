"""预警 (issue 14 item 2): the pages under /monitoring/alerts/ (namespace "alerts") and the API under
/api/monitoring/alerts/; included once from fupin/urls.py, before the API's catch-all."""

from django.urls import include, path

from . import api_alerts
from . import views_alerts as v

pages = [
    path("", v.alert_list, name="list"),
    path("<int:pk>/", v.alert_detail, name="detail"),
    path("<int:pk>/close/", v.alert_close, name="close"),
    path("push/", v.push, name="push"),
    path("push/<uuid:pk>/", v.job_detail, name="job"),
    path("push/<uuid:pk>/progress/", v.job_progress, name="job_progress"),
    path("push/<uuid:pk>/cancel/", v.job_cancel, name="job_cancel"),
    path("lists/", v.list_index, name="lists"),
    path("lists/<int:pk>/", v.list_detail, name="list_detail"),
    path("lists/<int:pk>/report.xlsx", v.list_report_xlsx, name="list_xlsx"),
    path("rules/", v.rule_list, name="rules"),
    path("rules/<str:kind>/", v.rule_edit, name="rule_edit"),
]

api = [
    path("", api_alerts.AlertListView.as_view(), name="api-alerts"),
    path("<int:pk>/", api_alerts.AlertDetailView.as_view(), name="api-alert"),
    path("<int:pk>/close/", api_alerts.AlertCloseView.as_view(), name="api-alert-close"),
]

urlpatterns = [
    path("monitoring/alerts/", include((pages, "alerts"))),
    path("api/monitoring/alerts/", include(api)),
]
