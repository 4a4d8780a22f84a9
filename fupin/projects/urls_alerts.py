"""项目资金预警 of issue 16 (pub16; see fupin/projects/urls.py)."""

from django.urls import path

from . import views_alerts

urlpatterns = [
    path("", views_alerts.alerts_page, name="page"),
]
