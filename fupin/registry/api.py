"""The registry's API: households, members, yearly records, status history. Reads go through the
scoped selectors (policy.household_q), so a 帮扶责任人 sees only paired households (outside scope →
404); writes go through fupin.registry.services with the request's user as actor; read-only roles get
403 (habits 4, 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from fupin import workflow
from fupin.accounts import policy
from fupin.api import serializers as s
from fupin.api.errors import Conflict
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet, YearFilter
from fupin.api.pagination import SortedSubsetPagination
from fupin.api.views import (
    ACTION_ERRORS,
    ETAG,
    READ_ERRORS,
    WRITE_ERRORS,
    Base,
    _scoped_area,
    etag,
    expected_version,
    fields_renamed,
    optional_version,
    require_writer,
)

from . import counts, services
from . import serializers as reg_s
from .choices import Attribute, Cause, Status
from .models import Household, Member, StatusChange, YearlyRecord
from .selectors import SORTS, household_scope, household_search_q, member_get, sort_order

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User


class HouseholdFilter(AreaCodeFilterMixin, StrictFilterSet):
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：只列出该区划（含下级）内的户"))
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=[*Status.choices, (counts.ALL_STATUSES, _("全部（含注销）"))],
        help_text=_("户状态；省略时只列在册户（不含注销），all 为全部（含注销）"))
    attribute = django_filters.ChoiceFilter(choices=Attribute.choices)
    cause = django_filters.ChoiceFilter(field_name="main_cause", choices=Cause.choices, help_text=_("主要致贫原因"))
    identified_year = YearFilter()
    exit_year = YearFilter()
    q = django_filters.CharFilter(method="filter_q", max_length=50,
                                  help_text=_("户编号、证件号码或成员姓名"))
    ordering = django_filters.ChoiceFilter(method="filter_ordering", choices=[(k, k) for k in SORTS],
                                           help_text=_("排序，前加 - 为倒序"))

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_area(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        return queryset.filter(area_path__subtree=self._area(value).path)

    def filter_q(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        return queryset.filter(household_search_q(value, user=self.request.user))

    def filter_status(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        return counts.by_status_filter(queryset, value)

    def filter_ordering(self, queryset: QuerySet[Household], name: str, value: str) -> QuerySet[Household]:
        return queryset.order_by(*sort_order(value), "id")

    def filter_queryset(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        if "status" not in self.data:  # 在册户, as the household list counts them (fupin.registry.counts)
            queryset = counts.in_register(queryset)
        try:
            return super().filter_queryset(queryset)
        except forms.ValidationError as exc:
            # Raised by a filter method after the form was valid (an area outside scope).
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"area": list(exc.messages)}) from None


def household_or_404(user: User | AnonymousUser, pk: int) -> Household:
    # Slicing an unordered queryset, not .first(): that adds ORDER BY number, which one row does not need.
    found = list(household_scope(user).select_related("area").filter(pk=pk).order_by()[:1])
    if not found:
        raise Http404
    return found[0]


def member_or_404(user: User | AnonymousUser, pk: int) -> Member:
    return member_get(user=user, pk=pk)


#: What the list shows (HouseholdListOut), so the page query does not carry 40 unused columns.
LIST_COLUMNS = ("id", "number", "area__code", "area__name", "head_name", "member_count", "attribute", "main_cause",
                "identified_year", "exit_year", "status", "version")


class HouseholdListView(Base):
    serializer_class = reg_s.HouseholdListOut
    filterset_class = HouseholdFilter
    pagination_class = SortedSubsetPagination

    def get_queryset(self) -> QuerySet[Household]:
        # The area is on every row: one join instead of a query per row. The number is unique, so it
        # alone orders the pages (how the page is fetched: SortedSubsetPaginator).
        return (household_scope(self.request.user).select_related("area").order_by("number")
                .only(*LIST_COLUMNS))

    def filter_queryset(self, queryset: QuerySet[Household]) -> QuerySet[Household]:
        # django-filter builds and validates a form for every request; with no filter parameter
        # given there is nothing for it to filter or refuse.
        if not any(name in self.request.query_params for name in HouseholdFilter.base_filters):
            return counts.in_register(queryset)  # 在册户, as the household list counts them
        return super().filter_queryset(queryset)

    @extend_schema(summary="贫困户列表", responses={200: reg_s.HouseholdListOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(reg_s.HouseholdListOut, page))

    @extend_schema(summary="登记贫困户（含家庭成员）", request=reg_s.HouseholdCreateIn,
                   responses={201: reg_s.HouseholdOut, **WRITE_ERRORS}, parameters=[])
    def post(self, request: Request) -> Response:
        require_writer(request.user)
        ser = reg_s.HouseholdCreateIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        area = _scoped_area(request.user, data.pop("area"))
        members = [dict(m) for m in data.pop("members")]
        household = services.household_create(actor=request.user, area=area, number=data.pop("number"),
                                              members=members, **data)
        household = household_or_404(request.user, household.pk)
        return Response(s.represent(reg_s.HouseholdOut, household, request=request), status=201,
                        headers={**etag(household), "Location": f"/api/households/{household.pk}/"})


class HouseholdDetailView(Base):
    serializer_class = reg_s.HouseholdOut

    def _out(self, request: Request, household: Household, code: int = 200) -> Response:
        return Response(s.represent(reg_s.HouseholdOut, household, request=request), status=code,
                        headers=etag(household))

    @extend_schema(summary="贫困户详情", responses={(200, "application/json"): reg_s.HouseholdOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return self._out(request, household_or_404(request.user, pk))

    def _update(self, request: Request, pk: int, partial: bool) -> Response:
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.HouseholdUpdateIn(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = expected_version(request, data)
        if "area" in data:
            data["area"] = _scoped_area(request.user, data["area"])
        # The service returns the row it locked, wrote and re-checked the scope of (its area loaded):
        # answering with it saves reading the household a third time.
        return self._out(request, services.household_update(actor=request.user, household=household, data=data,
                                                            expected_version=version))

    @extend_schema(summary="修改贫困户（全部字段）", request=reg_s.HouseholdUpdateIn, parameters=[ETAG],
                   responses={200: reg_s.HouseholdOut, **WRITE_ERRORS})
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(summary="修改贫困户（部分字段）", request=reg_s.HouseholdUpdateIn, parameters=[ETAG],
                   responses={200: reg_s.HouseholdOut, **WRITE_ERRORS})
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)


class HouseholdStatusView(Base):
    serializer_class = reg_s.HouseholdOut

    @extend_schema(summary="变更户状态（识别、脱贫、返贫、注销……）", request=reg_s.StatusChangeIn, parameters=[ETAG],
                   responses={200: reg_s.HouseholdOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.StatusChangeIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        # The version is optional here: the step is claimed from the status this request read
        # (workflow.transition), so of two changes at once one is refused. When given, the version is
        # part of the claim too.
        kwargs = {"to_status": data.pop("status"), "reason": data.pop("reason"),
                  "expected_version": optional_version(request, data)}
        kwargs.update({k: v for k, v in data.items() if v is not None})
        try:
            services.household_change_status(actor=request.user, household=household, **kwargs)
        except workflow.Conflict as exc:
            raise Conflict(exc.messages[0]) from None
        household = household_or_404(request.user, pk)
        return Response(s.represent(reg_s.HouseholdOut, household, request=request), headers=etag(household))


class HouseholdHeadView(Base):
    serializer_class = reg_s.HouseholdOut

    @extend_schema(summary="更换户主（原户主改为其他关系）", request=reg_s.HouseholdSetHeadIn, parameters=[ETAG],
                   responses={200: reg_s.HouseholdOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.HouseholdSetHeadIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = optional_version(request, data)
        # Only this household's members: a member id from elsewhere is the same error as a wrong one,
        # so the answer reveals nothing about households outside the caller's scope.
        member = Member.objects.filter(household=household, pk=data["member"]).first()
        if member is None:
            raise exceptions.ValidationError({"member": [_("新户主必须是本户的在户成员")]})
        with fields_renamed({"relation": "old_head_relation"}), transaction.atomic():
            # The version is checked under the row lock the service takes next (household first,
            # then members: the order every member write here follows).
            locked = Household.objects.select_for_update().get(pk=household.pk)
            if version is not None and version != locked.version:
                raise Conflict()
            services.household_set_head(actor=request.user, household=locked, member=member,
                                        old_head_relation=data.get("old_head_relation", ""))
        household = household_or_404(request.user, pk)
        return Response(s.represent(reg_s.HouseholdOut, household, request=request), headers=etag(household))


class StatusHistoryView(Base):
    serializer_class = reg_s.StatusChangeOut
    queryset = StatusChange.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="户状态历史", responses={200: reg_s.StatusChangeOut(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        qs = StatusChange.objects.filter(policy.household_q(request.user),
                                         household=household).order_by("-date", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(reg_s.StatusChangeOut, page, request=request))


class HouseholdMembersView(Base):
    serializer_class = reg_s.MemberOut
    queryset = Member.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="某户的家庭成员", responses={200: reg_s.MemberOut(many=True), **READ_ERRORS},
                   parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="只列在户（true）或已减员（false）")])
    def get(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        qs = Member.objects.filter(policy.household_q(request.user),
                                   household=household).order_by("-active", "id")
        active = request.query_params.get("active")
        if active is not None:
            if active.lower() not in ("true", "false", "1", "0"):
                raise exceptions.ValidationError({"active": [_("只能是 true 或 false")]})
            qs = qs.filter(active=active.lower() in ("true", "1"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(reg_s.MemberOut, page, request=request))

    @extend_schema(summary="增加家庭成员", request=reg_s.MemberCreateIn,
                   responses={201: reg_s.MemberOut, **WRITE_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.MemberCreateIn(data=request.data)
        ser.is_valid(raise_exception=True)
        member = services.member_add(actor=request.user, household=household, data=dict(ser.validated_data))
        return Response(s.represent(reg_s.MemberOut, member, request=request), status=201,
                        headers={**etag(member), "Location": f"/api/members/{member.pk}/"})


class MemberDetailView(Base):
    serializer_class = reg_s.MemberOut

    def _out(self, request: Request, member: Member) -> Response:
        return Response(s.represent(reg_s.MemberOut, member, request=request), headers=etag(member))

    @extend_schema(summary="家庭成员详情", responses={200: reg_s.MemberOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return self._out(request, member_or_404(request.user, pk))

    def _update(self, request: Request, pk: int, partial: bool) -> Response:
        member = member_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.MemberUpdateIn(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = expected_version(request, data)
        services.member_update(actor=request.user, member=member, data=data, expected_version=version)
        return self._out(request, member_or_404(request.user, pk))

    @extend_schema(summary="修改家庭成员（全部字段）", request=reg_s.MemberUpdateIn, parameters=[ETAG],
                   responses={200: reg_s.MemberOut, **WRITE_ERRORS})
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(summary="修改家庭成员（部分字段）", request=reg_s.MemberUpdateIn, parameters=[ETAG],
                   responses={200: reg_s.MemberOut, **WRITE_ERRORS})
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)


class MemberRemoveView(Base):
    serializer_class = reg_s.MemberOut

    @extend_schema(summary="成员减员（死亡、迁出、婚嫁等；记录和历史保留）", request=reg_s.MemberRemoveIn, parameters=[ETAG],
                   responses={200: reg_s.MemberOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        member = member_or_404(request.user, pk)
        require_writer(request.user)
        ser = reg_s.MemberRemoveIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = optional_version(request, data)
        with fields_renamed({"removal_reason": "reason"}), transaction.atomic():
            # Household first, then the member: the lock order of 更换户主 and 增加成员, so that a removal
            # and a head change in one household wait for each other instead of deadlocking.
            Household.objects.select_for_update().filter(pk=member.household_id).first()
            locked = Member.objects.select_for_update().get(pk=member.pk)
            if version is not None and version != locked.version:
                raise Conflict()
            services.member_remove(actor=request.user, member=locked, reason=data["reason"], date=data.get("date"))
        member = member_or_404(request.user, pk)
        return Response(s.represent(reg_s.MemberOut, member, request=request), headers=etag(member))


class YearlyListView(Base):
    serializer_class = reg_s.YearlyRecordOut
    queryset = YearlyRecord.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="某户的年度收入与保障", responses={200: reg_s.YearlyRecordOut(many=True), **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        household = household_or_404(request.user, pk)
        qs = YearlyRecord.objects.filter(policy.household_q(request.user),
                                         household=household).order_by("-year")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(reg_s.YearlyRecordOut, page, request=request))


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise exceptions.ValidationError({"year": [_("年度必须在 2000 到 2100 之间")]})
    return value


class YearlyDetailView(Base):
    serializer_class = reg_s.YearlyRecordOut

    @extend_schema(summary="某户某年度的收入与保障", responses={200: reg_s.YearlyRecordOut, **READ_ERRORS})
    def get(self, request: Request, pk: int, year: int) -> Response:
        household = household_or_404(request.user, pk)
        rec = YearlyRecord.objects.filter(household=household, year=_year(year)).first()
        if rec is None:
            raise Http404
        return Response(s.represent(reg_s.YearlyRecordOut, rec, request=request))

    @extend_schema(summary="登记或更正某年度的收入与保障（其他年度不变）", request=reg_s.YearlyRecordIn,
                   responses={200: reg_s.YearlyRecordOut, 201: reg_s.YearlyRecordOut, **WRITE_ERRORS})
    def put(self, request: Request, pk: int, year: int) -> Response:
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        _year(year)
        ser = reg_s.YearlyRecordIn(data=request.data)
        ser.is_valid(raise_exception=True)
        existed = YearlyRecord.objects.filter(household=household, year=year).exists()
        rec = services.yearly_record_save(actor=request.user, household=household, year=year,
                                          data=dict(ser.validated_data))
        return Response(s.represent(reg_s.YearlyRecordOut, rec, request=request),
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
