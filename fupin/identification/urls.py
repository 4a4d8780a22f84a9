"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
