"""Strict list filters the domains' APIs build on: an unknown parameter or a bad value is a 400."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area
from fupin.areas.selectors import area_get


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A database id: an integer of at most 18 digits (as the URLs' IdConverter), so that no value
    overflows a 64-bit column (that would be a 500). issue 15 (visit15)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 10**18 - 1)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value (``?status=``) is an error, not "no filter": for an API an
    empty year or code is a mistake in the caller, and the schema says so. Free text may be empty."""

    def is_valid(self) -> bool:
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
