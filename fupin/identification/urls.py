"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path

from . import views_notices

urlpatterns: list = [
    # 公示公告 (notices): the list, publishing, one notice, its objections, withdrawing, its PDF
    path("notices/", views_notices.notice_list, name="notice_list"),
    path("notices/new/", views_notices.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/objections/", views_notices.objection_add, name="notice_objection_add"),
    path("notices/objections/<int:pk>/resolve/", views_notices.objection_resolve, name="notice_objection_resolve"),
    path("notices/<int:pk>/withdraw/", views_notices.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/notice.pdf", views_notices.notice_pdf, name="notice_pdf"),
]
