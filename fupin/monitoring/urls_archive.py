"""年度档案 (/monitoring/archives/): fupin.monitoring.views_archive."""

from django.urls import path

from . import views_archive as views

urlpatterns = [
    path("", views.archive_list, name="archive_list"),
    path("<int:pk>/", views.archive_detail, name="archive_detail"),
    path("<int:pk>/progress/", views.archive_progress, name="archive_progress"),
    path("<int:pk>/cancel/", views.archive_cancel, name="archive_cancel"),
    path("<int:pk>/download/", views.archive_download, name="archive_download"),
    path("<int:pk>/verify/", views.archive_verify, name="archive_verify"),
]
