"""The areas' API: the area tree as the user may see it."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet
from fupin.api.views import READ_ERRORS, Base
from fupin.areas.selectors import area_get, area_list

from . import serializers as area_s
from .models import Area, Level


class AreaFilter(AreaCodeFilterMixin, StrictFilterSet):
    parent = django_filters.CharFilter(method="filter_parent", max_length=15, help_text=_("上级区划代码"))
    level = django_filters.ChoiceFilter(choices=Level.choices)
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", max_length=50)

    class Meta:
        model = Area
        fields: list[str] = []

    def filter_parent(self, queryset: QuerySet[Area], name: str, value: str) -> QuerySet[Area]:
        return queryset.filter(parent=self._area(value))

    def filter_queryset(self, queryset: QuerySet[Area]) -> QuerySet[Area]:
        try:
            return super().filter_queryset(queryset)
        except forms.ValidationError as exc:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"parent": list(exc.messages)}) from None


class AreaListView(Base):
    serializer_class = area_s.AreaOut
    filterset_class = AreaFilter

    def get_queryset(self) -> QuerySet[Area]:
        return area_list(user=self.request.user).select_related("parent").order_by("path")

    @extend_schema(summary="区划列表（管辖范围内）", responses={200: area_s.AreaOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(area_s.AreaOut, page))


class AreaDetailView(Base):
    serializer_class = area_s.AreaOut

    @extend_schema(summary="区划详情", responses={200: area_s.AreaOut, **READ_ERRORS})
    def get(self, request: Request, code: str) -> Response:
        area = area_get(user=request.user, code=code)
        return Response(s.represent(area_s.AreaOut, area))
