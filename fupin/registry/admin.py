"""The registry in the admin, to look things up only.

Every write to households, members, yearly records and status history goes through
fupin.registry.services (validation, one-head and one-household rules, status transitions, audit
rows); the admin would bypass all of that, so it offers no add, change or delete here. Poverty lines
may be added and corrected, again through the service. ID and bank account numbers are shown masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fupin.accounts.policy_admin import PolicyAdminMixin
from fupin.lib import idnumber

from . import services
from .models import LIVING_FIELDS, Household, Member, PovertyLine, StatusChange, YearlyRecord

ID_LIKE = re.compile(r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$|^[0-9]{20}([0-9]{2})?$")


class ReadOnlyAdminMixin:
    """View-only: the changelist and the detail page, nothing else."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Sequence[str]:
        return flatten_fieldsets(self.get_fieldsets(request, obj))


class ReadOnlyTabularInline(PolicyAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    show_change_link = True


class MemberInline(ReadOnlyTabularInline):
    model = Member
    fields = ["name", "id_number", "relation", "sex", "birth_date", "active", "removal_reason"]


class YearlyRecordInline(ReadOnlyTabularInline):
    model = YearlyRecord
    fields = ["year", "member_count", "net_income", "per_capita_income", "poverty_line"]


class StatusChangeInline(ReadOnlyTabularInline):
    model = StatusChange
    fields = ["date", "from_status", "to_status", "procedure", "reason", "actor_name"]
    show_change_link = False


@admin.register(Household)
class HouseholdAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "head_name", "area", "status", "attribute", "main_cause", "member_count",
                    "identified_year", "exit_year"]
    list_filter = ["status", "attribute", "main_cause", "standard", "identified_year"]
    search_fields = ["^number", "head_name"]
    list_select_related = ["area"]  # the area column
    show_full_result_count = False
    inlines = [MemberInline, YearlyRecordInline, StatusChangeInline]
    fieldsets = [
        (_("基本信息"), {"fields": ["number", "area", "area_path", "address", "head_name", "member_count", "phone",
                                "bank_name", "bank_account"]}),
        (_("识别与状态"), {"fields": ["standard", "attribute", "main_cause", "other_causes_display",
                                  "identified_year", "exit_year_planned", "exit_year", "status",
                                  "cancel_reason"]}),
        (_("生产生活条件"), {"fields": LIVING_FIELDS, "classes": ["collapse"]}),
        (_("记录"), {"fields": ["synthetic", "version", "created_at", "updated_at"]}),
    ]

    policy_household_field = ""

    @admin.display(description=_("其他致贫原因"))
    def other_causes_display(self, obj: Household) -> str:
        return "、".join(obj.other_cause_labels)


@admin.register(Member)
class MemberAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "id_number", "household", "relation", "sex", "birth_date", "active"]
    list_filter = ["active", "relation", "sex", "health", "labour"]
    search_fields = ["name", "^household__number"]
    list_select_related = ["household"]  # the household column
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["household", "name", "id_number", "id_kind", "sex", "birth_date", "ethnicity",
                           "relation", "phone"]}),
        (_("教育、健康与就业"), {"fields": ["education", "school_status", "health", "disability_category",
                                     "disability_grade", "disability_cert_no", "labour", "work_status", "work_months", "work_place"]}),
        (_("保障"), {"fields": ["medical_insurance", "serious_illness_insurance", "pension_insurance", "on_dibao",
                              "dibao_amount", "on_tekun", "tekun_amount", "soldier"]}),
        (_("记录"), {"fields": ["active", "removal_reason", "removed_on", "version", "created_at", "updated_at"]}),
    ]

    policy_household_field = "household"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Member],
                           search_term: str) -> tuple[QuerySet[Member], bool]:
        # An ID number is looked up exactly, so that the index on id_number answers (a LIKE on
        # UPPER(id_number) would scan the table); 15-digit numbers are stored upgraded to 18.
        term = idnumber.clean(search_term)
        if ID_LIKE.match(term):
            wanted = {term, idnumber.upgrade15(term)} if len(term) == 15 else {term}
            return queryset.filter(id_number__in=wanted), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(YearlyRecord)
class YearlyRecordAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["household", "year", "member_count", "net_income", "per_capita_income", "poverty_line"]
    list_filter = ["year"]
    search_fields = ["^household__number", "household__head_name"]
    list_select_related = ["household"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["household", "year", "member_count", "note"]}),
        (_("收入（元）"), {"fields": ["wage_income", "business_income", "property_income", "transfer_income",
                                 "business_expense", "net_income", "per_capita_income", "poverty_line"]}),
        (_("两不愁三保障"), {"fields": ["food_clothing_secure", "education_secure", "medical_secure",
                                   "housing_secure", "water_secure"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]

    policy_household_field = "household"


@admin.register(StatusChange)
class StatusChangeAdmin(PolicyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["household", "date", "from_status", "to_status", "procedure", "reason", "actor_name"]
    list_filter = ["to_status", "procedure"]
    search_fields = ["^household__number", "household__head_name"]
    list_select_related = ["household"]
    date_hierarchy = "date"
    show_full_result_count = False
    fields = ["household", "date", "from_status", "to_status", "procedure", "reason", "actor", "actor_name",
              "created_at"]

    policy_household_field = "household"


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    """Lines are configuration (REFERENCE §3): added and corrected through poverty_line_set, which
    audits the change. Year, kind and area identify a line and are fixed once it exists."""

    list_display = ["year", "kind", "area", "amount", "note"]
    list_filter = ["kind", "year"]
    search_fields = ["note", "^area__code", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    ordering = ["-year", "kind"]
    fields = ["year", "kind", "area", "amount", "note"]

    def get_readonly_fields(self, request: HttpRequest, obj: PovertyLine | None = None) -> Sequence[str]:
        # poverty_line_set only updates the amount of an existing line (keeping its note).
        return ["year", "kind", "area", "note"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: PovertyLine | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PovertyLine, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            line = services.poverty_line_set(actor=request.user, year=obj.year, kind=obj.kind, area=obj.area,
                                             amount=data["amount"], note=obj.note)
        else:
            line = services.poverty_line_set(actor=request.user, year=data["year"], kind=data["kind"],
                                             area=data.get("area"), amount=data["amount"], note=data.get("note", ""))
        for f in line._meta.concrete_fields:
            setattr(obj, f.attname, getattr(line, f.attname))
        obj._state.adding = False
