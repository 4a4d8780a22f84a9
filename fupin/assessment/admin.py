"""Samples in the admin: created through the service (audited); their households and evaluators are
listed read-only here and added through fupin.assessment.services (the sampling pages come later)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from fupin.accounts import policy

from . import services
from .models import Sample, SampleAssessor, SampleHousehold


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    # ``obj`` is the sample the inline belongs to (InlineModelAdmin's convention).
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class SampleHouseholdInline(_ReadOnlyInline):
    model = SampleHousehold
    fields = readonly_fields = ["household", "added_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SampleHousehold]:
        return super().get_queryset(request).filter(policy.household_q(request.user)).select_related("household")


class SampleAssessorInline(_ReadOnlyInline):
    model = SampleAssessor
    fields = readonly_fields = ["assessor", "assigned_at"]


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "created_by", "created_at"]
    list_filter = ["year"]
    search_fields = ["name"]
    list_select_related = ["created_by"]  # the creator column
    inlines = [SampleHouseholdInline, SampleAssessorInline]
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Sample]:
        qs = super().get_queryset(request)
        if policy.scope_path(request.user) == "":
            return qs
        # A sample is seen by whoever drew it and by anyone whose subtree holds one of its households.
        in_scope = SampleHousehold.objects.filter(policy.household_q(request.user)).values("sample_id")
        return qs.filter(Q(created_by=request.user) | Q(pk__in=in_scope))

    def get_readonly_fields(self, request: HttpRequest, obj: Sample | None = None) -> list[str]:
        return ["created_by", "created_at"] if obj is None else ["name", "year", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_write(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Sample | None = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Sample | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Sample, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.pk = services.sample_create(actor=request.user, name=obj.name, year=obj.year).pk
