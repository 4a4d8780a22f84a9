"""disclosures pages of issue 16 (see fupin/projects/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
