"""The village/county exit data in the admin: the thresholds and the western provinces are edited here by
those who manage the standards (policy capability ``manage_standards``), each change audited; a village's
indicators and exits are read here, scoped to the user's subtree (they are written through the pages)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from fupin.accounts import policy
from fupin.accounts.policy_admin import PolicyAdminMixin
from fupin.audit.services import audit_create, audit_delete, audit_update, snapshot
from fupin.registry.admin import ReadOnlyAdminMixin

from .models_villages import ExitThreshold, VillageExit, VillageIndicators, WesternProvince


class StandardAdmin(admin.ModelAdmin):
    """Seen by every staff user; changed only by those who manage the standards, with an audit row."""

    def _manages(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "manage_standards")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if change:
            audit_update(actor=request.user, obj=obj, before=before, after=snapshot(obj), summary=str(obj))
        else:
            audit_create(actor=request.user, obj=obj, summary=str(obj))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_delete(actor=request.user, obj=obj, summary=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ExitThreshold)
class ExitThresholdAdmin(StandardAdmin):
    list_display = ("level", "region", "year_from", "incidence", "wrong_exit", "missed_poor", "approval",
                    "collective_income", "note")
    list_filter = ("level", "region")


@admin.register(WesternProvince)
class WesternProvinceAdmin(StandardAdmin):
    list_display = ("code", "name", "note")


@admin.register(VillageIndicators)
class VillageIndicatorsAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    policy_area_field = "area_path"
    list_display = ("area", "year", "road", "water", "power", "clinic", "school", "broadband", "collective_income",
                    "industry", "updated_by", "updated_at")
    list_filter = ("year",)
    list_select_related = ("area", "updated_by")


@admin.register(VillageExit)
class VillageExitAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    policy_area_field = "area_path"
    list_display = ("area", "year", "date", "case", "recorded_by")
    list_select_related = ("area", "recorded_by", "case")
