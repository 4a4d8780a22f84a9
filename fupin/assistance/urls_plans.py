"""一户一策 and the measure catalogue (issue 15 item 3, plan15)."""

from django.urls import path

from . import views_plans

urlpatterns = [
    path("households/<int:pk>/plan/", views_plans.plan_page, name="plan_page"),
    path("measures/<int:pk>/edit/", views_plans.measure_edit, name="plan_measure_edit"),
    path("measures/<int:pk>/status/", views_plans.measure_status, name="plan_measure_status"),
    path("catalogue/", views_plans.catalogue, name="plan_catalogue"),
    path("catalogue/<int:pk>/", views_plans.catalogue_edit, name="plan_catalogue_edit"),
]
