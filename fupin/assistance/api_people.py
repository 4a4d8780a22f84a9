"""Who helps in the API (issue 15, who15): the scoped list of cadres (with their load) and of pairings
(with history: ``?ongoing=true`` for those in force today). Reads go through selectors_people (the
policy's scope); phone numbers follow the policy's phone rule (masked)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet
from fupin.api.views import READ_ERRORS, Base

from . import selectors_people as sel
from .models import Cadre, CadreRank, Pairing


class CadreFilter(StrictFilterSet):
    rank = django_filters.ChoiceFilter(choices=CadreRank.choices)
    unit = django_filters.NumberFilter(field_name="unit_id")
    in_post = django_filters.ChoiceFilter(choices=(("true", "true"), ("false", "false")), method="filter_in_post",
                                          help_text=_("true：只列出在岗干部；false：只列出已离岗干部"))

    class Meta:
        model = Cadre
        fields = ["rank", "unit"]

    def filter_in_post(self, queryset: QuerySet[Cadre], name: str, value: str) -> QuerySet[Cadre]:
        q = Q(left_on__isnull=True) | Q(left_on__gt=timezone.localdate())
        return queryset.filter(q) if value == "true" else queryset.exclude(q)


class CadreOut(s.PolicyOut):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.CharField(source="unit.name", default="")
    post = serializers.CharField()
    rank = s.ChoiceOut(CadreRank)
    phone = serializers.CharField()
    area = serializers.CharField(source="area.code")
    username = serializers.CharField(source="user.username", default=None, allow_null=True)
    left_on = serializers.DateField(allow_null=True)
    households = serializers.IntegerField(source="n_households", help_text=_("今日在帮的结对户数"))


class PairingFilter(AreaCodeFilterMixin, StrictFilterSet):
    cadre = django_filters.NumberFilter(field_name="cadre_id")
    household = django_filters.NumberFilter(field_name="household_id")
    ongoing = django_filters.ChoiceFilter(choices=(("true", "true"), ("false", "false")), method="filter_ongoing",
                                          help_text=_("true：只列出今日仍在帮扶的结对；false：只列出已解除的"))
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：只列出该区划内户的结对"))

    class Meta:
        model = Pairing
        fields = ["cadre", "household"]

    def filter_ongoing(self, queryset: QuerySet[Pairing], name: str, value: str) -> QuerySet[Pairing]:
        ongoing = Pairing.objects.ongoing().values("pk")
        return queryset.filter(pk__in=ongoing) if value == "true" else queryset.exclude(pk__in=ongoing)

    def filter_area(self, queryset: QuerySet[Pairing], name: str, value: str) -> QuerySet[Pairing]:
        return queryset.filter(household__area_path__startswith=self._area(value).path)


class PairingOut(serializers.Serializer):
    id = serializers.IntegerField()
    cadre = serializers.IntegerField(source="cadre_id")
    cadre_name = serializers.CharField(source="cadre.name")
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class CadreListView(Base):
    serializer_class = CadreOut
    filterset_class = CadreFilter

    def get_queryset(self) -> QuerySet[Cadre]:
        if self.fake():
            return Cadre.objects.none()
        return sel.cadres_for(self.request.user).order_by("id")

    @extend_schema(summary="帮扶干部列表", responses={200: CadreOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.represent_many(CadreOut, page, request=request))


class PairingListView(Base):
    serializer_class = PairingOut
    filterset_class = PairingFilter

    def get_queryset(self) -> QuerySet[Pairing]:
        if self.fake():
            return Pairing.objects.none()
        # select_related: every row names the cadre and the household.
        return sel.pairings_for(self.request.user).order_by("household_id", "start", "id")

    @extend_schema(summary="帮扶结对列表（含历史）", responses={200: PairingOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.represent_many(PairingOut, page, request=request))
