"""退出核查 pages (/exit-check/)."""

from django.urls import path

from . import views_exitcheck as views

app_name = "exitcheck"

urlpatterns = [
    path("", views.exit_check_list, name="list"),
    path("download.<str:kind>", views.exit_check_download, name="download"),
]
