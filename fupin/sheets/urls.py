from django.urls import path

from . import views

app_name = "sheets"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("summary.xlsx", views.summary, name="summary"),
    path("export/", views.export_households, name="export"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<uuid:pk>/errors.xlsx", views.job_errors, name="job_errors"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
]
