"""Users in the admin: Django's UserAdmin plus the role and the area that scope what a user sees."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import LoginAttempt, LoginLock, User

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
