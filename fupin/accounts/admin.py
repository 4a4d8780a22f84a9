"""Users in the admin: Django's UserAdmin plus the role and the area that scope what a user sees; API
tokens (listed without their keys, revocable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.audit.services import audit_token_revoked

from . import policy
from .models import ApiToken, LoginAttempt, LoginLock, User
from .tokens import token_revoke

FUPIN_FIELDS = ("role", "area", "display_name", "phone")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("扶贫系统"), {"fields": FUPIN_FIELDS}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("扶贫系统"), {"classes": ("wide",), "fields": FUPIN_FIELDS}),
    )
    list_display = ["username", "display_name", "role", "area", "phone", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "display_name", "phone", "email", "^area__code", "area__name"]
    list_select_related = ["area"]  # the area column
    autocomplete_fields = ["area"]
    ordering = ["username"]

    def get_list_display(self, request: HttpRequest) -> list[str | Callable[[User], Any]]:
        """The list of accounts shows phones masked, as the policy shows every phone (the staff directory
        at a glance is a bulk surface); an account's change form keeps it whole and editable, since it is
        opened to correct that one account — as the registry's edit forms (issue 11 #7)."""
        viewer = request.user

        @admin.display(description=_("电话"))
        def phone(obj: User) -> str:
            return policy.shown(viewer, "phone", obj.phone) or "—"

        return [phone if name == "phone" else name for name in super().get_list_display(request)]


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Locks from too many failed sign-ins; deleting one lets the username or address sign in again."""

    list_display = ["scope", "key", "created", "until"]
    list_filter = ["scope"]
    search_fields = ["key"]
    readonly_fields = ["scope", "key", "created", "until"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginLock | None = None) -> bool:
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """The last day's sign-in attempts (the throttle's counts); the audit trail keeps the history."""

    list_display = ["at", "username", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginAttempt | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LoginAttempt | None = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: who, when issued, last used, until when, revoked — never the key (only its hash is
    stored; the prefix tells tokens apart). An administrator revokes, audited; nothing is added or
    edited here, and a token is not deleted (its row says when and why it stopped working)."""

    list_display = ["prefix", "user", "created", "last_used", "expires", "revoked_at", "revoked_reason"]
    list_filter = ["revoked_reason"]
    search_fields = ["prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    fields = ["prefix", "user", "created", "last_used", "expires", "revoked_at", "revoked_reason"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("撤销所选令牌"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        with transaction.atomic():
            for token in queryset.select_related("user", "user__area"):
                if token_revoke(token=token, reason=ApiToken.Reason.ADMIN):
                    audit_token_revoked(actor=request.user, token=token)
                    count += 1
        self.message_user(request, _("已撤销 %(n)d 个令牌") % {"n": count})
