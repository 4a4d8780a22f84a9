"""精准帮扶 pages under /assistance/ (issue 15): each part includes its own urls module with one line."""

from django.urls import include, path

urlpatterns = [
    path("", include("fupin.assistance.urls_plans")),  # 一户一策、措施目录 (plan15)
    path("", include("fupin.assistance.urls_gaps")),  # 帮扶缺口 (plan15)
    path("", include("fupin.assistance.urls_cards")),  # 明白卡 (card15)
]
