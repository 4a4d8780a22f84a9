"""预警 in the API (for the cadres' phones): the scoped list with its filters, one warning, and closing it.
Reads go through fupin.monitoring.alerts' scoped selectors (outside scope → 404); closing goes through
alerts.alert_close with the request's user (scope, reason, object_found and the race are the service's;
an alert someone closed first → 409)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.accounts import policy
from fupin.api import serializers as s
from fupin.api.errors import Conflict
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet
from fupin.api.views import ACTION_ERRORS, READ_ERRORS, Base, etag, optional_version

from . import alerts
from .models import Alert, AlertStatus, ListKind, ObjectKind, RiskType


class AlertFilter(AreaCodeFilterMixin, StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    kind = django_filters.ChoiceFilter(choices=ListKind.choices)
    overdue = django_filters.ChoiceFilter(choices=(("true", "true"), ("false", "false")), method="filter_overdue",
                                          help_text=_("true：只列出已超过核实时限仍未办结的预警；false：其余"))
    village = django_filters.CharFilter(method="filter_area", max_length=15,
                                        help_text=_("区划代码（村或其上级）：只列出该区划内的预警"))

    class Meta:
        model = Alert
        fields = ["status", "kind"]

    def filter_area(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        return queryset.filter(area_path__startswith=self._area(value).path)

    def filter_overdue(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        q = alerts.overdue_q(timezone.localdate())
        return queryset.filter(q) if value == "true" else queryset.exclude(q)


class AlertOut(s.PolicyOut):
    """A warning. ``reason`` and ``note`` (核实说明) may name an illness or 低保: they follow the health rule."""

    id = serializers.IntegerField()
    kind = s.ChoiceOut(ListKind)
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    reason = serializers.CharField()
    raised_on = serializers.DateField()
    due_on = serializers.DateField()
    overdue = serializers.SerializerMethodField()
    status = s.ChoiceOut(AlertStatus)
    note = serializers.CharField(source="closed_note")
    closed_on = serializers.DateField(allow_null=True)
    object = serializers.IntegerField(source="object_id", allow_null=True)
    sector_list = serializers.IntegerField(source="sector_list_id", allow_null=True)
    row_number = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()

    def get_overdue(self, alert: Alert) -> bool:
        return alert.status == AlertStatus.OPEN and alert.due_on < timezone.localdate()


class AlertDetailOut(AlertOut):
    rule = serializers.SerializerMethodField()

    def get_rule(self, alert: Alert) -> dict:
        """The rule's key, version and area; its figures only to those who may read the reason."""
        user = getattr(self.context.get("request"), "user", None)
        rule = {k: alert.rule.get(k) for k in ("key", "version", "area")}
        if policy.sees(user, "reason"):
            rule["figures"] = alert.rule.get("figures", {})
        return rule


class AlertCloseIn(s.StrictInput):
    outcome = serializers.ChoiceField(choices=[(c, AlertStatus(c).label) for c in alerts.CLOSE_OUTCOMES])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                 help_text=_("核实说明（核实无风险时必填）"))
    object_kind = serializers.ChoiceField(choices=ObjectKind.choices, required=False,
                                          help_text=_("纳入时的监测对象类别（默认突发严重困难户）"))
    risk_types = serializers.ListField(child=serializers.ChoiceField(choices=RiskType.choices), required=False,
                                       max_length=len(RiskType.values))
    date = serializers.DateField(required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


def _alerts(request: Request) -> QuerySet[Alert]:
    # select_related: every row names the household and the village.
    return alerts.open_first(alerts.alerts_for(request.user).select_related("household", "village"))


class AlertListView(Base):
    serializer_class = AlertOut
    filterset_class = AlertFilter

    def get_queryset(self) -> QuerySet[Alert]:
        if self.fake():
            return Alert.objects.none()
        return _alerts(self.request)

    @extend_schema(summary="预警列表", responses={200: AlertOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.represent_many(AlertOut, page, request=request))


class AlertDetailView(Base):
    serializer_class = AlertDetailOut

    @extend_schema(summary="预警详情", responses={200: AlertDetailOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        alert = alerts.alert_get(request.user, pk)
        return Response(AlertDetailOut(alert, context={"request": request}).data, headers=etag(alert))


class AlertCloseView(Base):
    serializer_class = AlertDetailOut

    @extend_schema(summary="办结预警（纳入监测、核实无风险、重复预警）", request=AlertCloseIn,
                   responses={200: AlertDetailOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        alert = alerts.alert_get(request.user, pk)
        ser = AlertCloseIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = optional_version(request, data)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(_("该预警已由他人办结（%(s)s），请刷新后查看") % {"s": alert.get_status_display()})
        try:
            alerts.alert_close(actor=request.user, alert=alert, outcome=data["outcome"], note=data.get("note", ""),
                               object_kind=data.get("object_kind", ""), risk_types=data.get("risk_types"),
                               on=data.get("date"), expected_version=version)
        except ValidationError as exc:
            if "status" in getattr(exc, "message_dict", {}):
                raise Conflict(exc.message_dict["status"][0]) from None
            raise
        alert = alerts.alert_get(request.user, pk)
        return Response(AlertDetailOut(alert, context={"request": request}).data, headers=etag(alert))
