"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path

from . import views_adjustment

urlpatterns: list = [
    # 动态调整 (adjust): runs, review, progress, cancel; the reconciliation and its lists; 五个清楚
    path("adjustment/", views_adjustment.adjustment_list, name="adjustment_list"),
    path("adjustment/<int:pk>/", views_adjustment.adjustment_detail, name="adjustment_detail"),
    path("adjustment/<int:pk>/progress/", views_adjustment.adjustment_progress, name="adjustment_progress"),
    path("adjustment/<int:pk>/cancel/", views_adjustment.adjustment_cancel, name="adjustment_cancel"),
    path("adjustment/<int:pk>/review/", views_adjustment.adjustment_review, name="adjustment_review"),
    path("adjustment/reconciliation/", views_adjustment.reconciliation_page, name="reconciliation"),
    path("adjustment/reconciliation/list/", views_adjustment.reconciliation_list, name="reconciliation_list"),
    path("households/<int:pk>/five-clear/", views_adjustment.household_five_clear, name="household_five_clear"),
]
