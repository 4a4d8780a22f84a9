"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path

from . import views_adjustment, views_villages

urlpatterns: list = [
    # 贫困村退出 / 贫困县摘帽 (villages)
    path("incidence/", views_villages.incidence, name="incidence"),
    path("incidence/indicators/<str:code>/<int:year>/", views_villages.indicators_edit, name="village_indicators"),
    path("incidence/exit/apply/<str:code>/", views_villages.village_exit_apply, name="village_exit_apply"),
    path("incidence/exit/<int:pk>/", views_villages.village_exit_detail, name="village_exit_detail"),
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
