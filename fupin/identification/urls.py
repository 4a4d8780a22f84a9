"""Pages of identification, exit, notices and the yearly adjustment (issue 13)."""

from django.urls import path

from . import views_villages

urlpatterns: list = [
    # 贫困村退出 / 贫困县摘帽 (villages)
    path("incidence/", views_villages.incidence, name="incidence"),
    path("incidence/indicators/<str:code>/<int:year>/", views_villages.indicators_edit, name="village_indicators"),
    path("incidence/exit/apply/<str:code>/", views_villages.village_exit_apply, name="village_exit_apply"),
    path("incidence/exit/<int:pk>/", views_villages.village_exit_detail, name="village_exit_detail"),
]
