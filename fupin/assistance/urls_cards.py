"""明白卡 (issue 15, card15): fupin.assistance.views_cards."""

from django.urls import path

from . import views_cards as views

app_name = "assistance_cards"

urlpatterns = [
    path("households/<int:pk>/card.pdf", views.household_card, name="household"),
    path("cards/", views.cards_index, name="index"),
    path("cards/area/<str:code>.pdf", views.area_cards, name="area"),
    path("cards/jobs/new/", views.cards_job_start, name="job_start"),
    path("cards/jobs/<uuid:pk>/", views.cards_job, name="job"),
    path("cards/jobs/<uuid:pk>/progress/", views.cards_job_progress, name="job_progress"),
    path("cards/jobs/<uuid:pk>/cancel/", views.cards_job_cancel, name="job_cancel"),
    path("cards/jobs/<uuid:pk>/cards.pdf", views.cards_job_download, name="job_download"),
]
