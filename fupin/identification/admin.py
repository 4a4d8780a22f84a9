"""Cases, notices and objections in the admin: read-only lists scoped like the pages (selectors). Every
change goes through the case and notice pages (the services check the step's role, the notice period and
write the audit row); the admin never bypasses them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import selectors
from .models import Case, Notice, Objection


class ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["id", "kind", "household", "area", "year", "step", "origin", "updated_at"]
    list_filter = ["kind", "step", "year"]
    list_select_related = ["household", "area"]  # the household and village columns
    search_fields = ["^household__number", "household__head_name", "area__name"]
    exclude = ["household"]  # shown through list_display; the change form would list every household
    readonly_fields = ["kind", "area", "year", "origin", "step", "reason", "opened_by", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return selectors.cases_for(request.user).select_related("household", "area")


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ["id", "kind", "area", "year", "starts_on", "ends_on", "withdrawn"]
    list_filter = ["kind", "withdrawn", "year"]
    list_select_related = ["area"]  # the area column

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notice]:
        return selectors.notices_for(request.user)


@admin.register(Objection)
class ObjectionAdmin(ReadOnly):
    list_display = ["id", "notice", "received_on", "status", "resolved_on"]
    list_filter = ["status"]
    list_select_related = ["notice__area"]  # the notice column names its area
    exclude = ["contact", "raised_by"]  # the objector's identity stays on the notice page for its deciders

    def get_queryset(self, request: HttpRequest) -> QuerySet[Objection]:
        return Objection.objects.filter(notice__in=selectors.notices_for(request.user))


from . import admin_villages  # noqa: E402, F401  (the village/county exit thresholds and indicators)
