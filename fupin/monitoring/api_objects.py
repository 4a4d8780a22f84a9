"""Monitoring objects in the API (mproc): the list (filters kind, state, risk type, instant, area), one
object with its measures and risk-elimination check, and recording a measure. Reads through the scoped
selectors (outside scope → 404); the measure through services.measure_add with the request's user (role,
scope, dates and the audit are the service's)."""

from __future__ import annotations

import django_filters
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet
from fupin.api.views import ACTION_ERRORS, READ_ERRORS, Base

from . import rules, services
from . import selectors_objects as selectors
from .models import Channel, Measure, MonitoringObject, ObjectKind, ObjectState, RiskType, Sector


class ObjectFilter(AreaCodeFilterMixin, StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=ObjectKind.choices)
    state = django_filters.ChoiceFilter(choices=ObjectState.choices)
    risk = django_filters.ChoiceFilter(choices=RiskType.choices, method="filter_risk", help_text=_("风险类型"))
    instant = django_filters.BooleanFilter(help_text=_("即时帮扶"))
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：只列出该区划（含下级）内的监测对象"))

    class Meta:
        model = MonitoringObject
        fields = ["kind", "state", "instant"]

    def filter_area(self, queryset: QuerySet[MonitoringObject], name: str, value: str) -> QuerySet[MonitoringObject]:
        return queryset.filter(area_path__startswith=self._area(value).path)

    def filter_risk(self, queryset: QuerySet[MonitoringObject], name: str, value: str) -> QuerySet[MonitoringObject]:
        return queryset.annotate(risk_text=Cast("risk_types", CharField())).filter(risk_text__contains=f'"{value}"')


class MeasureOut(s.PolicyOut):
    """A measure; its free-text content follows the health rule (``note``)."""

    id = serializers.IntegerField()
    sector = s.ChoiceOut(Sector)
    category = serializers.CharField()
    note = serializers.CharField(source="description")
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ObjectOut(s.PolicyOut):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    area_name = serializers.CharField(source="household.area.name")
    kind = s.ChoiceOut(ObjectKind)
    risk_types = serializers.ListField(child=serializers.CharField())
    channel = s.ChoiceOut(Channel)
    found_on = serializers.DateField()
    income_12m = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    line = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    line_year = serializers.IntegerField(allow_null=True)
    state = s.ChoiceOut(ObjectState)
    enrolled_on = serializers.DateField(allow_null=True)
    cleared_on = serializers.DateField(allow_null=True)
    instant = serializers.BooleanField()
    instant_on = serializers.DateField(allow_null=True)
    entry_case = serializers.IntegerField(source="entry_case_id", allow_null=True)
    clear_case = serializers.IntegerField(source="clear_case_id", allow_null=True)
    version = serializers.IntegerField()


class ConditionOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    holds = serializers.BooleanField()
    reason = serializers.CharField()


class ObjectDetailOut(ObjectOut):
    note = serializers.CharField()
    measures = serializers.SerializerMethodField()
    clear_conditions = serializers.SerializerMethodField()

    def get_measures(self, obj: MonitoringObject) -> list[dict]:
        return s.represent_many(MeasureOut, selectors.measures_of(obj), request=self.context.get("request"))

    def get_clear_conditions(self, obj: MonitoringObject) -> list[dict]:
        """REFERENCE §7's risk-elimination conditions today (only for an object at risk)."""
        if obj.state != ObjectState.AT_RISK:
            return []
        return [ConditionOut(c).data for c in rules.clear_check(obj, timezone.localdate()).conditions]


class MeasureIn(s.StrictInput):
    sector = serializers.ChoiceField(choices=Sector.choices)
    category = serializers.CharField(max_length=30)
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ObjectListView(Base):
    serializer_class = ObjectOut
    filterset_class = ObjectFilter

    def get_queryset(self) -> QuerySet[MonitoringObject]:
        if self.fake():
            return MonitoringObject.objects.none()
        return selectors.objects_for(self.request.user).select_related("household", "household__area").order_by(
            "-found_on", "-id")

    @extend_schema(summary="监测对象列表", responses={200: ObjectOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(ObjectOut, page, request=request))


class ObjectDetailView(Base):
    serializer_class = ObjectDetailOut

    @extend_schema(summary="监测对象详情（含帮扶措施和风险消除条件）", responses={200: ObjectDetailOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        obj = selectors.object_get(request.user, pk)
        return Response(ObjectDetailOut(obj, context={"request": request}).data)


class MeasureCreateView(Base):
    serializer_class = MeasureOut

    @extend_schema(summary="登记帮扶措施", request=MeasureIn, responses={201: MeasureOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        obj = selectors.object_get(request.user, pk)
        ser = MeasureIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        measure: Measure = services.measure_add(actor=request.user, obj=obj, sector=data["sector"],
                                                category=data["category"], date=data["date"],
                                                amount=data.get("amount"), description=data.get("description", ""))
        return Response(MeasureOut(measure, context={"request": request}).data, status=status.HTTP_201_CREATED)
