"""The project library in the API (issue 16, life16): the scoped project list (filters: area, year, stage,
category, q) and one project with its beneficiaries (household number and head's name only for households
the caller may see), contracts and lifecycle history. Reads through fupin.projects.selectors (outside the
scope → 404, as the pages)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.accounts import policy
from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet
from fupin.api.views import READ_ERRORS, Base

from . import selectors
from .models import Beneficiary, Project
from .rules import Category, Stage


class ProjectFilter(AreaCodeFilterMixin, StrictFilterSet):
    area = django_filters.CharFilter(method="filter_area", max_length=15, help_text=_("区划代码：只列出该区划内的项目"))
    year = django_filters.NumberFilter(field_name="year")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    q = django_filters.CharFilter(method="filter_q", max_length=50, help_text=_("项目编号或名称（包含）"))

    class Meta:
        model = Project
        fields = ["year", "stage", "category"]

    def filter_area(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(area_path__startswith=self._area(value).path)

    def filter_q(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProjectOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    category = s.ChoiceOut(Category)
    stage = s.ChoiceOut(Stage)
    area_code = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    lead = serializers.CharField(source="lead.name", default=None)
    year = serializers.IntegerField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    progress = serializers.IntegerField()
    households = serializers.IntegerField()
    people = serializers.IntegerField()
    poor_households = serializers.IntegerField()
    poor_people = serializers.IntegerField()


class BeneficiaryOut(serializers.Serializer):
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.SerializerMethodField()
    head_name = serializers.SerializerMethodField()
    people = serializers.IntegerField()
    note = serializers.CharField()

    def _seen(self, b: Beneficiary) -> bool:
        return b.household_id in self.context.get("visible", set())

    def get_household_number(self, b: Beneficiary) -> str | None:
        return b.household.number if self._seen(b) else None

    def get_head_name(self, b: Beneficiary) -> str | None:
        return b.household.head_name if self._seen(b) else None


class ContractOut(serializers.Serializer):
    number = serializers.CharField()
    party = serializers.CharField()
    procurement = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    signed_on = serializers.DateField()


class EventOut(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    on = serializers.DateField()
    reason = serializers.CharField()
    data = serializers.JSONField()


class ProjectDetailOut(ProjectOut):
    nature = serializers.CharField()
    site = serializers.CharField()
    implementer = serializers.CharField()
    tasks = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    started_on = serializers.DateField()
    finished_on = serializers.DateField()
    accepted_on = serializers.DateField()
    financing = serializers.CharField()
    targets = serializers.JSONField()
    participation = serializers.CharField()
    mechanism = serializers.CharField()
    version = serializers.IntegerField()
    beneficiaries = serializers.SerializerMethodField()
    contracts = ContractOut(many=True)
    events = serializers.SerializerMethodField()

    def get_beneficiaries(self, p: Project) -> list:
        rows = list(p.beneficiaries.select_related("household").order_by("household__number"))
        user = getattr(self.context.get("request"), "user", None)
        visible = set(policy.visible_households(user).filter(pk__in=[b.household_id for b in rows])
                      .values_list("pk", flat=True))
        return BeneficiaryOut(rows, many=True, context={"visible": visible}).data

    def get_events(self, p: Project) -> list:
        return EventOut(p.events.order_by("at", "id"), many=True).data


class ProjectListView(Base):
    serializer_class = ProjectOut
    filterset_class = ProjectFilter

    def get_queryset(self) -> QuerySet[Project]:
        if self.fake():
            return Project.objects.none()
        return selectors.library_for(self.request.user)

    @extend_schema(summary="项目库列表", responses={200: ProjectOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProjectOut(page, many=True).data)


class ProjectDetailView(Base):
    serializer_class = ProjectDetailOut

    @extend_schema(summary="项目详情（受益户、合同、项目进程）", responses={200: ProjectDetailOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        project = selectors.project_get(request.user, pk)
        return Response(ProjectDetailOut(project, context={"request": request}).data)
