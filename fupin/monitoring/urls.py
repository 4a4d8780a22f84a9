from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("areas/", views.area_tree, name="area_tree"),
    path("areas/<str:code>/children/", views.area_children_partial, name="area_children"),
]
