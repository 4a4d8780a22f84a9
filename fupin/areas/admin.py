"""Areas in the admin. Writes go through fupin.areas.services, as everywhere else (ARCHITECTURE habit 1):
the admin only collects the code and name; level, parent and path are derived from the code there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.accounts import policy

from . import services
from .models import Area, AreaDesignation


def _copy_saved(target: Model, saved: Model) -> None:
    """Make the admin's unsaved instance the row the service wrote (for the redirect and the log entry)."""
    for f in saved._meta.concrete_fields:
        setattr(target, f.attname, getattr(saved, f.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class AreaAddForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "name"]

    def clean_code(self) -> str:
        code = services.normalize_code(self.cleaned_data.get("code", ""))
        try:
            level = services.level_for_code(code)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["code"]) from exc
        ppath = services.parent_path(code, level)
        if ppath is not None and not Area.objects.filter(path=ppath).exists():
            raise ValidationError(_("上级区划（代码前缀 %(path)s）不存在，请先添加上级") % {"path": ppath})
        return code

    def _post_clean(self) -> None:
        # Fill the derived fields so that the model's own validation (unique path) runs on them.
        code = self.cleaned_data.get("code")
        if code and "code" not in self._errors:
            level = services.level_for_code(code)
            self.instance.level = level
            self.instance.path = Area.path_for(code, level)
            ppath = services.parent_path(code, level)
            self.instance.parent = Area.objects.filter(path=ppath).first() if ppath else None
        super()._post_clean()


class DesignationForm(forms.ModelForm):
    """Refuses a kind that does not fit the area's level before area_designate would."""

    class Meta:
        model = AreaDesignation
        fields = ["area", "year", "kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        area = data.get("area") or (self.instance.area if self.instance.area_id else None)
        if kind and area is not None and area.level != services.designation_level(kind):
            self.add_error("kind", _("%(kind)s只能认定给%(level)s") % {
                "kind": AreaDesignation(kind=kind).get_kind_display(),
                "level": services.designation_level(kind).label})
        return data


class AreaDesignationInline(admin.TabularInline):
    """Existing designations are shown read-only; new ones are added through area_designate.

    There is no service to withdraw a designation yet, so none can be deleted here.
    """

    model = AreaDesignation
    form = DesignationForm
    extra = 0
    can_delete = False
    fields = ["year", "kind"]
    ordering = ["year", "kind"]

    def has_change_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "synthetic"]
    list_filter = ["level", "synthetic"]
    # ^code: a prefix search, which is how codes are looked up (530324 → the county and below).
    search_fields = ["^code", "name"]
    list_select_related = ["parent"]  # the parent column would otherwise cost one query per row
    ordering = ["path"]
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = ["path", "level", "parent", "synthetic"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Area]:
        return super().get_queryset(request).filter(policy.area_q(request.user))

    def get_form(self, request: HttpRequest, obj: Area | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = AreaAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Area | None = None) -> list[str]:
        if obj is None:
            return ["code", "name"]
        return ["code", "name", "level", "parent", "path", "synthetic"]

    def get_readonly_fields(self, request: HttpRequest, obj: Area | None = None) -> list[str]:
        if obj is None:
            return []
        # The code fixes the level, the parent and every descendant's path: it is never edited.
        return ["code", *self.readonly_fields]

    def get_inlines(self, request: HttpRequest, obj: Area | None) -> list[type[admin.TabularInline]]:
        return [AreaDesignationInline] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        # Areas are referenced by households, users and the audit trail; there is no delete service.
        return False

    def save_model(self, request: HttpRequest, obj: Area, form: forms.ModelForm, change: bool) -> None:
        if change:
            if "name" in form.changed_data:
                # A fresh copy: ``obj`` already carries the new name, and the audit row needs the old one.
                saved = services.area_rename(actor=request.user, area=Area.objects.get(pk=obj.pk),
                                             name=form.cleaned_data["name"])
                _copy_saved(obj, saved)
        else:
            saved = services.area_create(actor=request.user, code=form.cleaned_data["code"],
                                         name=form.cleaned_data["name"])
            _copy_saved(obj, saved)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet,
                     change: bool) -> None:
        if formset.model is not AreaDesignation:
            return super().save_formset(request, form, formset, change)
        created = []
        for inline_form in formset.extra_forms:
            if inline_form.has_changed() and inline_form.cleaned_data:
                created.append(services.area_designate(
                    actor=request.user, area=form.instance,
                    year=inline_form.cleaned_data["year"], kind=inline_form.cleaned_data["kind"]))
        # What the admin's change message reads.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []


@admin.register(AreaDesignation)
class AreaDesignationAdmin(admin.ModelAdmin):
    form = DesignationForm
    list_display = ["area", "area_code", "year", "kind"]
    list_filter = ["kind", "year"]
    search_fields = ["^area__code", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    ordering = ["area__path", "year", "kind"]

    @admin.display(description=_("区划代码"), ordering="area__code")
    def area_code(self, obj: AreaDesignation) -> str:
        return obj.area.code

    def get_queryset(self, request: HttpRequest) -> QuerySet[AreaDesignation]:
        return super().get_queryset(request).filter(policy.area_q(request.user, "area__path"))

    def has_change_permission(self, request: HttpRequest, obj: AreaDesignation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AreaDesignation | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AreaDesignation, form: forms.ModelForm,
                   change: bool) -> None:
        saved = services.area_designate(actor=request.user, area=form.cleaned_data["area"],
                                        year=form.cleaned_data["year"], kind=form.cleaned_data["kind"])
        _copy_saved(obj, saved)
