"""精准帮扶 pages under /assistance/ (issue 15): one include line per part (fupin/assistance/urls_<part>.py).
Who helps (units, cadres, teams, links, pairings, rules) is the namespace "assistance"; 明白卡 is
"assistance_cards"; plans and gaps are named without a namespace (plan_*, gaps_*)."""

from django.urls import include, path

urlpatterns = [
    path("", include(("fupin.assistance.urls_people", "assistance"))),  # who15: units, cadres, teams, links, pairings, rules
    path("", include("fupin.assistance.urls_plans")),  # 一户一策、措施目录 (plan15)
    path("", include("fupin.assistance.urls_gaps")),  # 帮扶缺口 (plan15)
    path("", include("fupin.assistance.urls_cards")),  # 明白卡 (card15)
]
