from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.ruleset_list, name="list"),
    path("new/", views.ruleset_create, name="create"),
    path("<int:pk>/", views.ruleset_detail, name="detail"),
    path("<int:pk>/edit/", views.ruleset_edit, name="edit"),
    path("condition-row/", views.condition_row, name="condition_row"),
    path("preview/", views.ruleset_preview, name="preview"),
    path("lines/", views.line_list, name="lines"),
    path("score/<int:pk>/", views.score_detail, name="score"),
]
