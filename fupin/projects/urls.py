"""项目资金 pages under /projects/ (issue 16): one include line per part (fupin/projects/urls_<part>.py).

* ``projects``: the project library — list, a project's page and lifecycle, beneficiaries, contracts,
  progress, the library's Excel import/export (life16);
* ``funds``: fund documents, allocations, payments, household subsidy batches, the money trail, the
  household tab (money16);
* ``disclosures`` / ``assets`` / ``project_alerts``: 公告公示, 扶贫项目资产, alerts (pub16);
* ``projects_overview``: projects and funds by area and year (demo16).
"""

from django.urls import include, path

urlpatterns = [
    path("funds/", include(("fupin.projects.urls_funds", "funds"))),
    path("disclosures/", include(("fupin.projects.urls_disclosures", "disclosures"))),
    path("assets/", include(("fupin.projects.urls_assets", "assets"))),
    path("alerts/", include(("fupin.projects.urls_alerts", "project_alerts"))),
    path("overview/", include(("fupin.projects.urls_overview", "projects_overview"))),
    path("", include(("fupin.projects.urls_library", "projects"))),
]
