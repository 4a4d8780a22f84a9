"""The access policy in the admin: scope and field privacy for every registry-like ModelAdmin.

Django's admin checks model permissions only; a staff user of a township must also see only the
township's rows, a 帮扶责任人 only the paired households, and sensitive fields as the policy says —
exactly as on the pages and in the API (tests/scope/test_field_matrix.py). A ModelAdmin declares
which relation leads to the household (``policy_household_field``) or to an area path
(``policy_area_field``), lists sensitive fields by their plain names, and this mixin does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib.admin import ListFilter
from django.contrib.admin.utils import label_for_field
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from . import policy
from .models import User

#: An entry of list_display / fields: a name, or a callable taking the row.
FieldEntry = str | Callable[[Model], Any]
#: An entry of list_filter: a field name, (field name, filter class), or a filter class.
FilterEntry = str | tuple[str, type[ListFilter]] | type[ListFilter]

#: The user whose admin page is being rendered. A ContextVar, not a module global: each thread and
#: each task has its own, so concurrent requests never see each other's user.
_admin_user: ContextVar[User | AnonymousUser | None] = ContextVar("fupin_admin_user", default=None)

_PREFIX = "policy_"


def admin_viewer() -> User | AnonymousUser | None:
    """The user whose admin page is being rendered (inside a PolicyAdminMixin view), for displays
    that ask the policy about more than one field (the audit trail's before/after)."""
    return _admin_user.get()


class PolicyAdminMixin:
    """Scope the queryset through the policy and show sensitive fields whole, masked or not at all."""

    #: Lookup from this model to the household ("" when the model is Household), or None.
    policy_household_field: str | None = None
    #: Lookup from this model to an area-code path (when there is no household), or None.
    policy_area_field: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if self.policy_household_field is not None:
            return qs.filter(policy.household_q(request.user, self.policy_household_field))
        if self.policy_area_field is not None:
            return qs.filter(policy.area_q(request.user, self.policy_area_field))
        return qs

    # Field privacy: every sensitive name is swapped for a read-only display that asks the policy,
    # or dropped when the role may not see it at all.
    def _swap(self, request: HttpRequest, names: Sequence[FieldEntry]) -> list[FieldEntry]:
        out: list[FieldEntry] = []
        for name in names:
            if isinstance(name, str) and name in policy.GROUP_OF:
                if not policy.sees(request.user, name):
                    continue
                out.append(_PREFIX + name)
            else:
                out.append(name)
        return out

    def get_list_display(self, request: HttpRequest) -> list[FieldEntry]:
        return self._swap(request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> list[FilterEntry]:
        return [f for f in super().get_list_filter(request)
                if not (isinstance(f, str) and f in policy.GROUP_OF and not policy.sees(request.user, f))]

    def get_fieldsets(self, request: HttpRequest,
                      obj: Model | None = None) -> list[tuple[str | None, dict[str, Any]]]:
        return [(title, {**opts, "fields": self._swap(request, opts.get("fields", []))})
                for title, opts in super().get_fieldsets(request, obj)]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[FieldEntry]:
        return self._swap(request, super().get_fields(request, obj))

    def __getattr__(self, name: str) -> Callable[[Model], Any]:
        if not name.startswith(_PREFIX):
            raise AttributeError(name)
        field = name[len(_PREFIX):]
        if field not in policy.GROUP_OF:
            raise AttributeError(name)

        try:
            choices = dict(self.model._meta.get_field(field).flatchoices)
        except FieldDoesNotExist:  # not a model field (a property): no labels
            choices = {}

        def display(obj: Model) -> Any:
            user = _admin_user.get()
            value = policy.shown(user, field, getattr(obj, field, None))
            if value is None:
                return "—"
            return choices.get(value, value)

        display.short_description = label_for_field(field, self.model)
        display.__name__ = name
        return display

    # The views render inside the user's context (TemplateResponse renders lazily, after the view
    # returns, so render here while the context is set).
    def _render_as(self, request: HttpRequest, view: Callable[..., HttpResponseBase], *args: Any,
                   **kwargs: Any) -> HttpResponseBase:
        token = _admin_user.set(request.user)
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
        finally:
            _admin_user.reset(token)

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponseBase:
        return self._render_as(request, super().changelist_view, extra_context)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponseBase:
        return self._render_as(request, super().changeform_view, object_id, form_url, extra_context)
