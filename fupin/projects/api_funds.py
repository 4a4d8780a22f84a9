"""The fund ledger in the API (issue 16, money16): /api/projects/documents/ (the documents the caller sees,
with allocated, paid and balance) and /api/projects/payments/ (payments of the projects the caller sees).
Scoped through fupin.projects.selectors; filters: year, level, channel, area (documents); kind, year,
project, area (payments). Exact money as strings with two places."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, IdFilter, StrictFilterSet
from fupin.api.views import READ_ERRORS, Base

from . import selectors, selectors_funds
from .models import FundDocument, Payment
from .rules import Channel, Level, PaymentKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class DocumentFilter(AreaCodeFilterMixin, StrictFilterSet):
    year = django_filters.NumberFilter(field_name="year", min_value=2000, max_value=2100)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：该区划的资金文件及资金流入该区划项目的文件"))

    class Meta:
        model = FundDocument
        fields = ["year", "level", "channel"]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        path = self._area(value).path
        return queryset.filter(Q(area_path__startswith=path) | Q(allocations__project__area_path__startswith=path)).distinct()


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    level = s.ChoiceOut(Level)
    channel = s.ChoiceOut(Channel)
    year = serializers.IntegerField()
    purpose = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    allocated = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY)
    issued_on = serializers.DateField()
    area = serializers.CharField(source="area.code")


class PaymentFilter(AreaCodeFilterMixin, StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices)
    year = django_filters.NumberFilter(field_name="paid_on__year", min_value=2000, max_value=2100)
    project = IdFilter(field_name="project_id")
    area = django_filters.CharFilter(method="filter_area", max_length=15, help_text=_("区划代码：该区划内项目的支付"))

    class Meta:
        model = Payment
        fields = ["kind", "project"]

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(project__area_path__startswith=self._area(value).path)


class PaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField(source="project.code")
    project_name = serializers.CharField(source="project.name")
    document = serializers.CharField(source="allocation.document.number")
    kind = s.ChoiceOut(PaymentKind)
    contract = serializers.CharField(source="contract.number", allow_null=True, default=None)
    batch = serializers.IntegerField(source="batch_id", allow_null=True)
    households = serializers.IntegerField(source="batch.lines_count", allow_null=True, default=None)
    amount = serializers.DecimalField(**MONEY)
    paid_on = serializers.DateField()
    payee = serializers.CharField()
    purpose = serializers.CharField()


class DocumentListView(Base):
    serializer_class = DocumentOut
    filterset_class = DocumentFilter

    def get_queryset(self) -> QuerySet[FundDocument]:
        if self.fake():
            return FundDocument.objects.none()
        return selectors_funds.documents_ledger(self.request.user).select_related("area").order_by("-year", "number", "id")

    @extend_schema(summary="资金文件台账（含已分配、已支付、余额）", responses={200: DocumentOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DocumentOut(page, many=True).data)


class PaymentListView(Base):
    serializer_class = PaymentOut
    filterset_class = PaymentFilter

    def get_queryset(self) -> QuerySet[Payment]:
        if self.fake():
            return Payment.objects.none()
        return (selectors.payments_for(self.request.user)
                .select_related("project", "allocation__document", "contract", "batch").order_by("-paid_on", "-id"))

    @extend_schema(summary="资金支付列表", responses={200: PaymentOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PaymentOut(page, many=True).data)
