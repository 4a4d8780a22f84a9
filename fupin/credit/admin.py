"""Microcredit in the admin: banks and the links of 银行 accounts to their bank (set up by the system's
administrators), and the ledgers read-only within the user's scope (money is written through the pages'
services only, with their checks and audit rows)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from fupin.accounts import policy

from .models import Bank, BankStaff, Loan, Rating


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area", "active"]
    list_select_related = ["area"]  # the area column

    def has_delete_permission(self, request: HttpRequest, obj: Bank | None = None) -> bool:
        return False


@admin.register(BankStaff)
class BankStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "bank"]
    list_select_related = ["user", "bank"]  # both columns
    raw_id_fields = ["user"]


class ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnly):
    list_display = ["contract_no", "bank", "household", "principal", "disbursed_on", "status"]
    list_select_related = ["bank", "household"]  # the bank and household columns

    def get_queryset(self, request: HttpRequest) -> QuerySet[Loan]:
        return super().get_queryset(request).filter(policy.household_q(request.user)
                                                    & policy.organisation_q(request.user, "bank"))


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["household", "year", "total", "grade", "credit_line", "bank"]
    list_select_related = ["household", "bank"]  # the household and bank columns

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rating]:
        return super().get_queryset(request).filter(policy.household_q(request.user)
                                                    & policy.organisation_q(request.user, "bank"))
