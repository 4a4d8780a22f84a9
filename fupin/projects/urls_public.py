"""The public board of funds and projects, /public/funds/ (issue 16, pub16; no login)."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/notice.pdf", views.pdf, name="pdf"),
]
