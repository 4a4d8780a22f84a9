"""List filters matching the household list page (area subtree, status, attribute, cause, years, free text)."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, Level
from fupin.areas.selectors import area_get
from fupin.registry.choices import Attribute, Cause, Status
from fupin.registry.models import Household
from fupin.registry.selectors import SORTS, household_search_q


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value (``?status=``) is an error, not "no filter": for an API an
    empty year or code is a mistake in the caller, and the schema says so. Free text may be empty."""

    def is_valid(self):
        valid = super().is_valid()
        for name, flt in self.filters.items():
            if isinstance(flt, django_filters.CharFilter):
                continue
            if name in self.data and self.data.get(name) == "":
                if name in self.form.fields:
                    self.form.add_error(name, _("不能为空；不筛选时请省略该参数"))
                valid = False
        return valid


class AreaCodeFilterMixin:
    def _area(self, code: str) -> Area:
        try:
            return area_get(user=self.request.user, code=code)
        except Http404:
            raise forms.ValidationError(_("区划代码不存在，或不在您的管辖范围内")) from None


class HouseholdFilter(AreaCodeFilterMixin, StrictFilterSet):
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：只列出该区划（含下级）内的户"))
    status = django_filters.ChoiceFilter(choices=Status.choices)
    attribute = django_filters.ChoiceFilter(choices=Attribute.choices)
    cause = django_filters.ChoiceFilter(field_name="main_cause", choices=Cause.choices, help_text=_("主要致贫原因"))
    identified_year = YearFilter()
    exit_year = YearFilter()
    q = django_filters.CharFilter(method="filter_q", max_length=50,
                                  help_text=_("户编号、证件号码或成员姓名"))
    ordering = django_filters.ChoiceFilter(method="filter_ordering", choices=[(k, k) for k in SORTS],
                                           help_text=_("排序，前加 - 为倒序"))

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_path__subtree=self._area(value).path)

    def filter_q(self, queryset, name, value):
        return queryset.filter(household_search_q(value))

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(SORTS[value], "id")

    def filter_queryset(self, queryset):
        try:
            return super().filter_queryset(queryset)
        except forms.ValidationError as exc:
            # Raised by a filter method after the form was valid (an area outside scope).
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"area": list(exc.messages)}) from None


class AreaFilter(AreaCodeFilterMixin, StrictFilterSet):
    parent = django_filters.CharFilter(method="filter_parent", max_length=15, help_text=_("上级区划代码"))
    level = django_filters.ChoiceFilter(choices=Level.choices)
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", max_length=50)

    class Meta:
        model = Area
        fields: list[str] = []

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent=self._area(value))

    def filter_queryset(self, queryset):
        try:
            return super().filter_queryset(queryset)
        except forms.ValidationError as exc:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"parent": list(exc.messages)}) from None
