from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("fupin.api.urls")),
    path("sheets/", include("fupin.sheets.urls")),
    path("quality/", include("fupin.quality.urls")),
    path("", include("fupin.web.urls")),
]
