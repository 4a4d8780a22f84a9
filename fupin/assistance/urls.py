"""精准帮扶 (issue 15): each part's pages under /assistance/ in the namespace "assistance", one include
line per part (fupin/assistance/urls_<part>.py)."""

from django.urls import include, path

app_name = "assistance"

urlpatterns = [
    path("", include("fupin.assistance.urls_people")),  # who15: units, cadres, teams, links, pairings, rules
]
