"""Reads of projects and funds, scoped through fupin.accounts.policy (issue 16).

Who sees what:

* area-scoped roles (county, township, village officers, leaders, auditors) see the projects sited in
  their subtree and the fund documents, allocations, payments, batches, disclosures and assets of their
  subtree (``area_path``);
* a 行业部门 account sees the projects its department leads (``Project.lead``) and their money, wherever
  in its county they are sited (organisation scope "department");
* household-scoped roles (帮扶责任人, 评估人员, 银行) see no project ledger (their households' pages list the
  projects and payments that reached those households: ``household_projects``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from fupin.accounts import policy

from .models import (
    Allocation,
    Asset,
    DepartmentStaff,
    Disclosure,
    FundDocument,
    Payment,
    Project,
    SubsidyBatch,
    SubsidyLine,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


def staff_department_id(user: User) -> int | None:
    """The department (HelpingUnit id) a 行业部门 account acts for (None: not linked — it sees nothing)."""
    return DepartmentStaff.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()


def department_beneficiary_ids(user: User) -> QuerySet:
    """The households a 行业部门 account may see: the beneficiaries of the projects it leads."""
    household = apps.get_model("registry", "Household")
    department = staff_department_id(user)
    return household.objects.filter(project_benefits__project__lead_id=department).values("pk")


def project_q(user: User | AnonymousUser | None, prefix: str = "") -> Q:
    """The filter of the projects ``user`` sees (``prefix``: the path to the project from the model
    queried, e.g. ``"project__"``)."""
    if policy.role_of(user) is None:
        return Q(pk__in=[])
    if policy.acts_for(user, "department"):
        return (policy.organisation_q(user, f"{prefix}lead_id")
                & policy.area_q(user, f"{prefix}area_path"))
    if policy.scoped_by_households(user):
        return Q(pk__in=[])
    return policy.area_q(user, f"{prefix}area_path")


def projects_for(user: User | AnonymousUser | None) -> QuerySet[Project]:
    return Project.objects.filter(project_q(user))


def ledger_q(user: User | AnonymousUser | None, project_prefix: str) -> Q:
    """Rows hanging off a project (allocations, payments, batches, disclosures, assets): those of the
    projects the user sees. For area-scoped users also rows of their subtree (``area_path``)."""
    return project_q(user, project_prefix)


def documents_for(user: User | AnonymousUser | None) -> QuerySet[FundDocument]:
    """Fund documents: area-scoped roles see those of their subtree and those above it that paid for
    a project in it; a 行业部门 those credited to it or paying for its projects."""
    department = policy.acts_for(user, "department")
    if policy.role_of(user) is None or (policy.scoped_by_households(user) and not department):
        return FundDocument.objects.none()
    funded = Allocation.objects.filter(project_q(user, "project__")).values("document_id")
    if department:
        return FundDocument.objects.filter(Q(pk__in=funded) | policy.organisation_q(user, "department_id"))
    return FundDocument.objects.filter(policy.area_q(user, "area_path") | Q(pk__in=funded))


def allocations_for(user: User | AnonymousUser | None) -> QuerySet[Allocation]:
    return Allocation.objects.filter(project_q(user, "project__"))


def payments_for(user: User | AnonymousUser | None) -> QuerySet[Payment]:
    return Payment.objects.filter(project_q(user, "project__"))


def batches_for(user: User | AnonymousUser | None) -> QuerySet[SubsidyBatch]:
    return SubsidyBatch.objects.filter(project_q(user, "project__"))


def disclosures_for(user: User | AnonymousUser | None) -> QuerySet[Disclosure]:
    projects = project_q(user, "project__")
    if not projects:
        # an empty Q is no filter at all (a global administrator): ``Q() | x`` would narrow it to ``x`` (pub16)
        return Disclosure.objects.all()
    return Disclosure.objects.filter(projects | (Q(project__isnull=True) & policy.area_q(user, "area_path")))


def assets_for(user: User | AnonymousUser | None) -> QuerySet[Asset]:
    if policy.acts_for(user, "department"):
        return Asset.objects.filter(project_q(user, "project__"))
    if policy.scoped_by_households(user):
        return Asset.objects.none()
    return Asset.objects.filter(policy.area_q(user, "area_path"))


#: Lines of a subsidy batch on one page of the batch's page (``funds:batch``, ordered by row then id).
BATCH_LINES_PER_PAGE = 100


def with_batch_page(lines: QuerySet[SubsidyLine]) -> QuerySet[SubsidyLine]:
    """Each line with ``batch_page``: the page of its batch's page it is listed on (the lines before it in
    the batch's order — row, then id — counted by a subquery, in the same query)."""
    before = (SubsidyLine.objects.filter(batch_id=OuterRef("batch_id"))
              .filter(Q(row__lt=OuterRef("row")) | Q(row=OuterRef("row"), id__lt=OuterRef("id")))
              .order_by().values("batch_id").annotate(n=Count("id")).values("n")[:1])
    return lines.annotate(batch_index=Coalesce(Subquery(before, output_field=IntegerField()), Value(0))) \
        .annotate(batch_page=F("batch_index") / BATCH_LINES_PER_PAGE + 1)


def household_projects(user: User | AnonymousUser | None, household_id: int) -> dict[str, QuerySet]:
    """What reached one household the user may see: the projects it benefits from, its subsidy lines and
    its asset income shares (for the household page's 项目资金 tab)."""
    if not policy.visible_households(user).filter(pk=household_id).exists():
        return {"projects": Project.objects.none(), "lines": SubsidyLine.objects.none()}
    return {
        "projects": Project.objects.filter(beneficiaries__household_id=household_id).order_by("-year", "code"),
        # each line with the page of its batch it is on (the tab links batch?page=N#line-…), same query
        "lines": with_batch_page(SubsidyLine.objects.filter(household_id=household_id))
        .select_related("batch", "batch__project", "batch__allocation__document", "batch__payment")
        .order_by("-batch__drawn_on"),
    }


# --- the project library (life16) -----------------------------------------------------------------------


def project_get(user: User | AnonymousUser | None, pk: int) -> Project:
    """One project the user sees (404 otherwise: its existence is not revealed)."""
    from django.http import Http404

    project = projects_for(user).select_related("area", "area__parent", "lead", "created_by").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def library_for(user: User | AnonymousUser | None, *, area_path: str = "", year: int | None = None,
                stage: str = "", category: str = "", q: str = "", channel: str = "") -> QuerySet[Project]:
    """The project list's rows: scoped, then narrowed by the page's or the API's filters (``channel``: the
    projects that received an allocation from a document of that fund channel)."""
    rows = projects_for(user).select_related("area", "lead")
    if area_path:
        rows = rows.filter(area_path__startswith=area_path)
    if year:
        rows = rows.filter(year=year)
    if stage:
        rows = rows.filter(stage=stage)
    if category:
        rows = rows.filter(category=category)
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if channel:
        rows = rows.filter(pk__in=Allocation.objects.filter(document__channel=channel).values("project_id"))
    return rows.order_by("-year", "code")
