"""走访 and 我的帮扶 (issue 15, visit15): the pages under /assistance/ (namespace "visits") and the API under
/api/visits/; included once from fupin/urls.py, before the API's catch-all. The service worker is
served at /assistance/sw.js so that its scope is /assistance/."""

from django.urls import include, path

from . import api_visits
from . import views_visits as v

pages = [
    path("sw.js", v.service_worker, name="sw"),
    path("my/", v.my_page, name="my"),
    path("my/households.json", v.my_households_json, name="my_households"),
    path("visits/new/", v.visit_new, name="new"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", v.visit_photo, name="visit_photo"),
    path("households/<int:pk>/visits/", v.household_visits, name="household"),
    path("cadres/<int:pk>/visits/", v.cadre_visits, name="cadre"),
]

api = [
    path("", api_visits.VisitListView.as_view(), name="api-visits"),
    path("<int:pk>/", api_visits.VisitDetailView.as_view(), name="api-visit"),
    path("<int:pk>/photos/", api_visits.VisitPhotoView.as_view(), name="api-visit-photos"),
]

urlpatterns = [
    path("assistance/", include((pages, "visits"))),
    path("api/visits/", include(api)),
]
