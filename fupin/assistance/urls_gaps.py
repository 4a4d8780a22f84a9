"""Gaps by area, on screen and as .xlsx (issue 15 item 4, plan15)."""

from django.urls import path

from . import views_gaps

urlpatterns = [
    path("gaps/", views_gaps.gaps_page, name="gaps_page"),
    path("gaps/progress/", views_gaps.gaps_progress, name="gaps_progress"),
    path("gaps.xlsx", views_gaps.gaps_download, name="gaps_download"),
]
