"""Projects and funds in the admin (issue 16). The project library (life16): 行业部门 accounts' departments
are configuration the system's administrators set; the thresholds (ProjectRule) are shown read-only (set on
the 规则与阈值 page, /projects/rules/, audited); the library's rows are
read-only and scoped (selectors.project_q): a project moves only through its lifecycle's services, with
their checks, history and audit rows."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Beneficiary, Contract, DepartmentStaff, Project, ProjectEvent, ProjectRule
from .selectors import project_q


class ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DepartmentStaff)
class DepartmentStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    list_select_related = ["user", "department"]
    raw_id_fields = ["user"]


@admin.register(ProjectRule)
class ProjectRuleAdmin(ReadOnly):
    """Read-only: the thresholds are set on the 规则与阈值 page (/projects/rules/, services_rules: validated,
    scoped by policy.check_rule_area, audited old → new)."""

    list_display = ["key", "value", "area", "changed_by", "changed_at"]
    list_select_related = ["area", "changed_by"]


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ["code", "name", "category", "area", "year", "stage", "budget"]
    list_filter = ["stage", "category", "year"]
    search_fields = ["code", "name"]
    list_select_related = ["area"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).filter(project_q(request.user))


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnly):
    list_display = ["project", "source", "target", "on", "actor"]
    list_select_related = ["project", "actor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectEvent]:
        return super().get_queryset(request).filter(project_q(request.user, "project__"))


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnly):
    list_display = ["project", "household", "people"]
    list_select_related = ["project", "household"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Beneficiary]:
        return super().get_queryset(request).filter(project_q(request.user, "project__"))


@admin.register(Contract)
class ContractAdmin(ReadOnly):
    list_display = ["number", "project", "party", "amount", "signed_on"]
    list_select_related = ["project"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        return super().get_queryset(request).filter(project_q(request.user, "project__"))
