"""The audit trail in the admin: to read and search only. Audit rows are append-only (the model and
its queryset refuse updates and deletes); the admin offers no way to add, change or delete one."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fupin.accounts import policy

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "kind", "entity", "entity_id", "summary", "ip"]
    list_filter = ["kind", "entity"]
    search_fields = ["actor_name", "=entity_id", "entity", "summary", "^area_path"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    list_per_page = 100
    # The trail grows without bound; skip the extra unfiltered COUNT(*) on every page.
    show_full_result_count = False
    fields = ["at", "kind", "entity", "entity_id", "actor", "actor_name", "ip", "area_path", "summary", "data"]
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # A staff user tied to an area sees only that subtree's events (logins carry no area).
        return super().get_queryset(request).filter(policy.area_q(request.user, "area_path"))

    # The trail is for those the policy lets read it, whatever Django permissions a staff account
    # was given (a 领导 with view_auditevent still may not read it).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_read_audit(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return policy.can_read_audit(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
