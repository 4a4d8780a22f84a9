"""/api/projects/… (issue 16): the project library (life16) and the fund ledger (money16)."""

from django.urls import include, path

urlpatterns = [
    path("", include("fupin.projects.urls_api_funds")),
    path("", include("fupin.projects.urls_api_library")),
]
