"""overview pages of issue 16 (see fupin/projects/urls.py): 项目资金概览 (demo16)."""

from django.urls import path

from . import views_overview

urlpatterns = [
    path("", views_overview.overview, name="index"),
]
