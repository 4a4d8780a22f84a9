"""扶贫小额信贷 in the API: the scoped loan list (filters: bank, status, overdue, area), one loan with its
schedule, repayments, subsidy and recoveries, recording a repayment (a bank's system may post them), and
recording a recovery after 代偿 or reversing one recorded in error (the county office or the lending bank). Reads go
through fupin.credit.selectors (outside scope → 404; a bank sees its own loans only); the write through
services.repayment_record with the request's user. Of the household a loan shows only its number, the
head's name, the village and the head's ID number masked (need-to-know: the bank matches its own
contract; the policy's field rule, PolicyOut, masks it for every role)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.accounts import policy
from fupin.api import serializers as s
from fupin.api.filters import AreaCodeFilterMixin, IdFilter, StrictFilterSet
from fupin.api.views import ACTION_ERRORS, READ_ERRORS, Base
from fupin.registry.choices import Relation

from . import selectors, services
from .models import Loan, LoanStatus


class LoanFilter(AreaCodeFilterMixin, StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=LoanStatus.choices)
    bank = IdFilter(field_name="bank_id")
    overdue = django_filters.ChoiceFilter(choices=(("true", "true"),), method="filter_overdue",
                                          help_text=_("true：只列出今天逾期的贷款"))
    area = django_filters.CharFilter(method="filter_area", max_length=15, help_text=_("区划代码：只列出该区划内的贷款"))

    class Meta:
        model = Loan
        fields = ["status", "bank"]

    def filter_area(self, queryset: QuerySet[Loan], name: str, value: str) -> QuerySet[Loan]:
        return queryset.filter(area_path__startswith=self._area(value).path)

    def filter_overdue(self, queryset: QuerySet[Loan], name: str, value: str) -> QuerySet[Loan]:
        today = timezone.localdate()
        ids = [loan.pk for loan in queryset.filter(selectors.overdue_q(today)).distinct()
               .prefetch_related("installments", "repayments") if selectors.loan_standing(loan, today).overdue]
        return queryset.filter(pk__in=ids)


class LoanOut(s.PolicyOut):
    id = serializers.IntegerField()
    contract_no = serializers.CharField()
    bank = serializers.CharField(source="bank.name")
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    village = serializers.CharField(source="household.area.name")
    borrower = serializers.CharField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2)
    term_months = serializers.IntegerField()
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    subsidy_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    disbursed_on = serializers.DateField()
    maturity_on = serializers.DateField()
    status = s.ChoiceOut(LoanStatus)
    overdue_days = serializers.SerializerMethodField()

    def get_overdue_days(self, loan: Loan) -> int:
        return selectors.loan_standing(loan).overdue_days


class InstallmentOut(serializers.Serializer):
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2)
    interest = serializers.DecimalField(max_digits=14, decimal_places=2)
    subsidy = serializers.DecimalField(max_digits=14, decimal_places=2)


class RepaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    paid_on = serializers.DateField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2)
    interest = serializers.DecimalField(max_digits=14, decimal_places=2)


class RecoveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("冲正记录为负数"))
    fund_share = serializers.DecimalField(max_digits=14, decimal_places=2)
    bank_share = serializers.DecimalField(max_digits=14, decimal_places=2)
    bank = serializers.CharField(source="bank.name", default=None, help_text=_("登记的银行；县扶贫办登记时为空"))
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True, help_text=_("冲正的追偿"))
    reason = serializers.CharField()
    note = serializers.CharField()


class LoanDetailOut(LoanOut):
    id_number = serializers.SerializerMethodField(help_text=_("户主证件号码（按权限遮蔽）"))
    outstanding = serializers.SerializerMethodField()
    installments = InstallmentOut(many=True)
    repayments = RepaymentOut(many=True)
    recoveries = RecoveryOut(many=True, help_text=_("代偿后追偿及其冲正"))
    subsidy_paid = serializers.SerializerMethodField()

    def get_id_number(self, loan: Loan) -> str | None:
        user = getattr(self.context.get("request"), "user", None)
        head = loan.household.members.filter(relation=Relation.HEAD, active=True).values_list("id_number", flat=True)
        return policy.shown(user, "id_number", head.first())

    def get_outstanding(self, loan: Loan) -> str:
        return f"{selectors.outstanding_principal(loan):.2f}"

    def get_subsidy_paid(self, loan: Loan) -> str:
        return f"{sum((p.amount for p in loan.subsidies.all()), 0):.2f}"


class RepaymentIn(s.StrictInput):
    paid_on = serializers.DateField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    interest = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    note = s.text(200)


class LoanListView(Base):
    serializer_class = LoanOut
    filterset_class = LoanFilter

    def get_queryset(self) -> QuerySet[Loan]:
        if self.fake():
            return Loan.objects.none()
        # select_related / prefetch: each row names its bank, household and village and computes overdue
        return (selectors.loans_for(self.request.user).select_related("bank", "household__area")
                .prefetch_related("installments", "repayments").order_by("-disbursed_on", "-id"))

    @extend_schema(summary="扶贫小额贷款列表", responses={200: LoanOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(LoanOut(page, many=True, context={"request": request}).data)


class LoanDetailView(Base):
    serializer_class = LoanDetailOut

    @extend_schema(summary="扶贫小额贷款详情（还款计划、还款、贴息）", responses={200: LoanDetailOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        loan = selectors.loan_get(request.user, pk)
        return Response(LoanDetailOut(loan, context={"request": request}).data)


class RepaymentCreateView(Base):
    serializer_class = LoanDetailOut

    @extend_schema(summary="录入还款", request=RepaymentIn, responses={201: LoanDetailOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        loan = selectors.loan_get(request.user, pk)
        policy.require(request.user, "credit_lend", _("您的角色不能录入还款"))
        ser = RepaymentIn(data=request.data)
        ser.is_valid(raise_exception=True)
        services.repayment_record(actor=request.user, loan=loan, **ser.validated_data)
        loan = selectors.loan_get(request.user, pk)
        return Response(LoanDetailOut(loan, context={"request": request}).data, status=201)


class RecoveryIn(s.StrictInput):
    on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = s.text(200)


class RecoveryReversalIn(s.StrictInput):
    reason = serializers.CharField(max_length=200)


class RecoveryCreateView(Base):
    """追偿 after 代偿: the county office, or the lending bank on its own loans (services.recovery_record)."""

    serializer_class = LoanDetailOut

    @extend_schema(summary="登记代偿后追偿", request=RecoveryIn, responses={201: LoanDetailOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        loan = selectors.loan_get(request.user, pk)
        policy.require(request.user, "credit_recover", _("您的角色不能登记追偿"))
        ser = RecoveryIn(data=request.data)
        ser.is_valid(raise_exception=True)
        services.recovery_record(actor=request.user, loan=loan, **ser.validated_data)
        loan = selectors.loan_get(request.user, pk)
        return Response(LoanDetailOut(loan, context={"request": request}).data, status=201)


class RecoveryReverseView(Base):
    """冲正 a recovery recorded in error, with a reason, dated today (services.recovery_reverse)."""

    serializer_class = LoanDetailOut

    @extend_schema(summary="冲正追偿", request=RecoveryReversalIn, responses={201: LoanDetailOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int, rid: int) -> Response:
        loan = selectors.loan_get(request.user, pk)
        recovery = get_object_or_404(loan.recoveries, pk=rid)
        policy.require(request.user, "credit_recover", _("您的角色不能冲正追偿"))
        ser = RecoveryReversalIn(data=request.data)
        ser.is_valid(raise_exception=True)
        services.recovery_reverse(actor=request.user, recovery=recovery, reason=ser.validated_data["reason"],
                                  on=timezone.localdate())
        loan = selectors.loan_get(request.user, pk)
        return Response(LoanDetailOut(loan, context={"request": request}).data, status=201)
