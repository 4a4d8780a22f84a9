from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.finding_list, name="list"),
    path("<int:pk>/resolve/", views.finding_resolve, name="resolve"),
]
