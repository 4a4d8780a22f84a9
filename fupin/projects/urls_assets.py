"""扶贫项目资产 pages of issue 16 (pub16; see fupin/projects/urls.py)."""

from django.urls import path

from . import views_assets as views

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.export, name="export"),
    path("new/", views.asset_new, name="new"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/confirm/", views.asset_confirm, name="confirm"),
    path("<int:pk>/maintenance/", views.asset_maintenance, name="maintenance"),
    path("<int:pk>/income/", views.asset_income, name="income"),
    path("<int:pk>/income/<int:income>/paid/", views.asset_income_paid, name="income_paid"),
    path("<int:pk>/dispose/", views.asset_dispose, name="dispose"),
]
