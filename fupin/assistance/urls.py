"""精准帮扶 pages (issue 15): each part's urls_<part>.py, included here with one line each."""

from django.urls import include, path

urlpatterns = [
    path("", include("fupin.assistance.urls_cards")),  # 明白卡 (card15)
]
