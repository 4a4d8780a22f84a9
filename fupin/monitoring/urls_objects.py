"""The monitoring objects' pages and the public mobile application page (mproc), under one include."""

from django.urls import path

from . import views_objects as views

urlpatterns = [
    path("monitoring/objects/", views.object_list, name="monitoring_objects"),
    path("monitoring/objects/new/", views.object_new, name="monitoring_object_new"),
    path("monitoring/objects/new/household/", views.object_new_household, name="monitoring_object_new_household"),
    path("monitoring/objects/<int:pk>/", views.object_detail, name="monitoring_object"),
    path("monitoring/objects/<int:pk>/measure/", views.object_measure, name="monitoring_object_measure"),
    path("monitoring/objects/<int:pk>/instant/", views.object_instant, name="monitoring_object_instant"),
    path("monitoring/objects/<int:pk>/entry/", views.object_entry, name="monitoring_object_entry"),
    path("monitoring/objects/<int:pk>/clear/", views.object_clear, name="monitoring_object_clear"),
    path("monitoring/ledger/", views.ledger, name="monitoring_ledger"),
    path("monitoring/reports/", views.report_list, name="monitoring_reports"),
    path("monitoring/reports/<int:pk>/", views.report_detail, name="monitoring_report"),
    path("monitoring/reports/<int:pk>/reveal/", views.report_reveal, name="monitoring_report_reveal"),
    # No login: a household applies from its phone (REFERENCE §7 "on a mobile page").
    path("public/monitoring/apply/", views.public_apply, name="monitoring_apply"),
]
