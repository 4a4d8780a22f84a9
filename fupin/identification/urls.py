"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path

from . import views, views_adjustment, views_notices, views_villages

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
    # 公示公告 (notices): the list, publishing, one notice, its objections, withdrawing, its PDF
    path("notices/", views_notices.notice_list, name="notice_list"),
    path("notices/new/", views_notices.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/objections/", views_notices.objection_add, name="notice_objection_add"),
    path("notices/objections/<int:pk>/resolve/", views_notices.objection_resolve, name="notice_objection_resolve"),
    path("notices/<int:pk>/withdraw/", views_notices.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/notice.pdf", views_notices.notice_pdf, name="notice_pdf"),
    # --- cases (casepages): the list, a case's page and its steps, attachments, opening a case
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/step/", views.case_step, name="case_step"),
    path("cases/<int:pk>/attachments/", views.case_attachment_add, name="case_attachment_add"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.case_attachment, name="case_attachment"),
    path("households/<int:household_pk>/cases/<str:kind>/", views.case_open, name="case_open"),
    # --- end of cases
]
