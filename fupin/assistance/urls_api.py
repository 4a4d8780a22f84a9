"""精准帮扶 in the API (issue 15): /api/assistance/…, included from fupin/urls.py before the API's catch-all.
Each part adds its own lines (who15: cadres and pairings)."""

from django.urls import path

from . import api_people

urlpatterns = [
    path("cadres/", api_people.CadreListView.as_view(), name="api-assistance-cadres"),  # who15
    path("pairings/", api_people.PairingListView.as_view(), name="api-assistance-pairings"),  # who15
]
