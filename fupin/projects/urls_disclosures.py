"""公告公示 pages of issue 16 (pub16; see fupin/projects/urls.py)."""

from django.urls import path

from . import views_disclosures as views

urlpatterns = [
    path("", views.disclosure_list, name="list"),
    path("new/", views.disclosure_new, name="new"),
    path("<int:pk>/", views.disclosure_detail, name="detail"),
    path("<int:pk>/notice.pdf", views.disclosure_pdf, name="pdf"),
    path("<int:pk>/withdraw/", views.disclosure_withdraw, name="withdraw"),
]
