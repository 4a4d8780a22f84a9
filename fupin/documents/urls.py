"""PDF documents. The household record sits beside the household's page; it is routed here, not in
fupin.registry.urls, because it reads the assistance app too (the registry imports neither
assistance nor assessment)."""

from django.urls import path

from . import views

urlpatterns = [
    path("households/<int:pk>/record.pdf", views.household_record_pdf, name="household_record_pdf"),
]
