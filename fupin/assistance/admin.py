"""Pairings in the admin: listed within the user's subtree; added and ended only through the services
(scope check and audit row), never deleted (the history of who helped whom is kept). 挂钩联系 (AreaLink)
read-only, scoped as its pages (selectors_people.links_for): links are made and ended on /assistance/links/
through services_people, with their checks and audit rows."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.accounts import policy
from fupin.areas.models import Area

from . import services
from .models import AreaLink, Pairing


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["household", "household_area", "cadre", "start", "end", "note"]
    list_filter = ["end"]
    search_fields = ["^household__number", "household__head_name", "cadre__name", "cadre__user__username"]
    list_select_related = ["household__area", "cadre"]  # the household, area and cadre columns
    raw_id_fields = ["household"]
    date_hierarchy = "start"
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pairing]:
        return super().get_queryset(request).filter(policy.household_q(request.user))

    @admin.display(description=_("所属区划"))
    def household_area(self, obj: Pairing) -> Area:
        return obj.household.area

    def get_readonly_fields(self, request: HttpRequest, obj: Pairing | None = None) -> list[str]:
        if obj is None:
            return ["end"]
        # Only the end date (and the note with it) may be set once, through pairing_end.
        if obj.end is not None or not policy.can_write(request.user):
            return ["cadre", "household", "start", "end", "note"]
        return ["cadre", "household", "start"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_write(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Pairing | None = None) -> bool:
        return policy.can_write(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Pairing | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Pairing, form: forms.ModelForm, change: bool) -> None:
        try:
            if not change:
                saved = services.pairing_create(actor=request.user, cadre=obj.cadre, household=obj.household,
                                                start=obj.start, note=obj.note)
                obj.pk = saved.pk
            elif obj.end is not None and "end" in form.changed_data:
                services.pairing_end(actor=request.user, pairing=obj, end=obj.end, note=obj.note)
        except (ValidationError, PermissionDenied) as exc:
            # The form validated already; a refusal here is a scope or concurrency problem.
            raise PermissionDenied(exc) from exc


@admin.register(AreaLink)
class AreaLinkAdmin(admin.ModelAdmin):
    list_display = ["holder_name", "area", "start", "end", "note"]
    list_filter = ["end"]
    list_select_related = ["area", "cadre", "unit"]  # the holder and area columns
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AreaLink]:
        from .selectors_people import links_for

        return super().get_queryset(request).filter(pk__in=links_for(request.user).values("pk"))

    @admin.display(description=_("挂钩领导/单位"))
    def holder_name(self, obj: AreaLink) -> str:
        return str(obj.holder or "—")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AreaLink | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AreaLink | None = None) -> bool:
        return False
