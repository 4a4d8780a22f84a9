"""项目库 pages of issue 16 (life16; see fupin/projects/urls.py): namespace "projects"."""

from django.urls import path

from . import views_library as v
from . import views_rules

urlpatterns = [
    path("", v.project_list, name="list"),
    path("new/", v.project_new, name="new"),
    path("export.xlsx", v.library_export, name="export"),
    path("import/", v.library_import, name="import"),
    path("departments/", v.departments, name="departments"),
    path("rules/", views_rules.rules_page, name="rules"),
    path("rules/<slug:key>/", views_rules.rule_set, name="rule_set"),
    path("<int:pk>/", v.project_detail, name="detail"),
    path("<int:pk>/edit/", v.project_edit, name="edit"),
    path("<int:pk>/step/", v.project_step, name="step"),
    path("<int:pk>/beneficiaries/", v.beneficiary_add, name="beneficiary_add"),
    path("<int:pk>/beneficiaries/<int:bid>/remove/", v.beneficiary_remove, name="beneficiary_remove"),
    path("<int:pk>/contracts/", v.contract_add, name="contract_add"),
    path("<int:pk>/progress/", v.progress_add, name="progress"),
]
