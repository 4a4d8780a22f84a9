from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from fupin.areas import api as areas_api
from fupin.identification import api as cases_api
from fupin.monitoring import api_objects as monitoring_api
from fupin.registry import api as registry_api

from . import views
from .errors import not_found


class IdConverter:
    """Database ids: at most 18 digits, so that no id overflows a 64-bit column (that would be a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class AreaCodeConverter:
    regex = "[0-9]{2,15}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class YearConverter(IdConverter):
    regex = "[0-9]{4}"


register_converter(IdConverter, "id")
register_converter(AreaCodeConverter, "areacode")
register_converter(YearConverter, "year")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves the page's script as a separate file, so it runs under a
    # Content-Security-Policy without inline scripts; the assets come from the sidecar package.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("ping/", views.PingView.as_view(), name="api-ping"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("areas/", areas_api.AreaListView.as_view(), name="api-areas"),
    path("areas/<areacode:code>/", areas_api.AreaDetailView.as_view(), name="api-area"),
    path("households/", registry_api.HouseholdListView.as_view(), name="api-households"),
    path("households/<id:pk>/", registry_api.HouseholdDetailView.as_view(), name="api-household"),
    path("households/<id:pk>/status/", registry_api.HouseholdStatusView.as_view(), name="api-household-status"),
    path("households/<id:pk>/head/", registry_api.HouseholdHeadView.as_view(), name="api-household-head"),
    path("households/<id:pk>/status-history/", registry_api.StatusHistoryView.as_view(), name="api-status-history"),
    path("households/<id:pk>/members/", registry_api.HouseholdMembersView.as_view(), name="api-household-members"),
    path("households/<id:pk>/yearly/", registry_api.YearlyListView.as_view(), name="api-yearly"),
    path("households/<id:pk>/yearly/<year:year>/", registry_api.YearlyDetailView.as_view(), name="api-yearly-year"),
    path("members/<id:pk>/", registry_api.MemberDetailView.as_view(), name="api-member"),
    path("members/<id:pk>/remove/", registry_api.MemberRemoveView.as_view(), name="api-member-remove"),
    path("cases/", cases_api.CaseListView.as_view(), name="api-cases"),
    path("cases/<id:pk>/", cases_api.CaseDetailView.as_view(), name="api-case"),
    path("cases/<id:pk>/step/", cases_api.CaseStepView.as_view(), name="api-case-step"),
    # 防返贫监测 (issue 14, mproc): monitoring objects and their measures.
    path("monitoring/objects/", monitoring_api.ObjectListView.as_view(), name="api-monitoring-objects"),
    path("monitoring/objects/<id:pk>/", monitoring_api.ObjectDetailView.as_view(), name="api-monitoring-object"),
    path("monitoring/objects/<id:pk>/measures/", monitoring_api.MeasureCreateView.as_view(),
         name="api-monitoring-measure"),
    re_path(r"^.*$", not_found, name="api-not-found"),
]
