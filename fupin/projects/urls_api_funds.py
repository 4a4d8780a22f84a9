"""api_funds routes of issue 16 (money16), under /api/projects/ (see fupin/projects/urls_api.py)."""

from django.urls import path

from . import api_funds

urlpatterns = [
    path("documents/", api_funds.DocumentListView.as_view(), name="api-fund-documents"),
    path("payments/", api_funds.PaymentListView.as_view(), name="api-fund-payments"),
]
