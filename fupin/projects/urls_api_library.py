"""/api/projects/… of the project library (life16; see fupin/projects/urls_api.py)."""

from django.urls import path

from . import api_library as api

urlpatterns = [
    path("", api.ProjectListView.as_view(), name="api-projects"),
    path("<int:pk>/", api.ProjectDetailView.as_view(), name="api-project"),
]
