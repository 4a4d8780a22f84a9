"""The audit trail in the admin: to read and search only. Audit rows are append-only (the model and
its queryset refuse updates and deletes); the admin offers no way to add, change or delete one."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from fupin.accounts import policy
from fupin.accounts.policy_admin import PolicyAdminMixin, admin_viewer

from .display import change_rows, extra_rows
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_name", "kind", "entity", "entity_id", "summary", "ip"]
    list_filter = ["kind", "entity"]
    search_fields = ["actor_name", "=entity_id", "entity", "summary", "^area_path"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    list_per_page = 100
    # The trail grows without bound; skip the extra unfiltered COUNT(*) on every page.
    show_full_result_count = False
    # Not the raw ``data``: it keeps personal numbers whole (the trail must), and the admin shows them
    # as every page does, masked by the policy (issue 11 #7).
    fields = ["at", "kind", "entity", "entity_id", "actor", "actor_name", "ip", "area_path", "summary", "content"]
    readonly_fields = fields
    actions = None
    # A staff user tied to an area sees only that subtree's events (logins carry no area).
    policy_area_field = "area_path"

    @admin.display(description=_("内容"))
    def content(self, obj: AuditEvent) -> str:
        """The event's fields before and after, and its other details, as the audit page shows them."""
        user = admin_viewer()
        changes = format_html_join("", "<tr><th>{}</th><td>{}</td><td>→ {}</td></tr>",
                                   ((r["label"], r["before"], r["after"]) for r in change_rows(obj, user)))
        extra = format_html_join("", "<tr><th>{}</th><td colspan=\"2\">{}</td></tr>",
                                 ((r["label"], r["value"]) for r in extra_rows(obj)))
        return format_html("<table>{}{}</table>", changes, extra)

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
