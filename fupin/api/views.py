"""The registry API. Reads go through the scoped selectors — household_scope / policy.household_q, the same
as the pages, so a 帮扶责任人 sees only paired households (outside scope → 404); writes go through
fupin.registry.services with the request's user as actor; read-only roles get 403 (habit 4, 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from fupin import workflow
from fupin.accounts import policy
from fupin.areas.selectors import area_get, area_list
from fupin.audit.models import AuditKind
from fupin.audit.services import record
from fupin.registry import services
from fupin.registry.models import Household, Member, StatusChange, YearlyRecord
from fupin.registry.selectors import household_scope, member_get

from . import serializers as s
from .authentication import AreaTokenAuthentication
from .errors import Conflict, PreconditionRequired
from .filters import AreaFilter, HouseholdFilter
from .pagination import SortedSubsetPagination
from .parsers import LimitedJSONParser

PARSERS = [LimitedJSONParser]


def _errors(*codes: int) -> dict:
    text = {400: "输入有误", 401: "未登录", 403: "无权限（只读角色）", 404: "不存在或不在管辖范围内",
            406: "不支持的响应格式", 409: "版本冲突", 413: "请求内容过大", 415: "不支持的内容类型",
            428: "缺少版本号", 429: "请求过于频繁"}
    return {code: OpenApiResponse(s.ErrorOut, description=text[code]) for code in codes}


READ_ERRORS = _errors(400, 401, 403, 404, 406, 429)
WRITE_ERRORS = _errors(400, 401, 403, 404, 406, 409, 413, 415, 428, 429)
#: Actions take the version optionally (optional_version), so they never answer 428.
ACTION_ERRORS = _errors(400, 401, 403, 404, 406, 409, 413, 415, 429)
ETAG = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                        description="读取时的 ETag（版本号）；也可在请求体中给出 version")
ETAG_RESPONSE_HEADER = [OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True)]


def require_writer(user) -> None:
    if not policy.can_write(user):
        raise exceptions.PermissionDenied(_("当前角色只能查看，不能登记或修改数据"))


def etag(obj) -> dict[str, str]:
    return {"ETag": f'"{obj.version}"'}


_ETAG_RE = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')


def expected_version(request, data: dict) -> int | None:
    """The version the client read: If-Match first, else the body's ``version``. Required for edits so
    that two cadres correcting the same household cannot overwrite each other unseen."""
    header = request.headers.get("If-Match")
    body_version = data.pop("version", None)
    if header is not None and header.strip() == "*":
        return None
    if header:
        match = _ETAG_RE.match(header)
        if not match:
            raise Conflict(_("If-Match 与当前版本不符"))
        return int(match.group(1))
    if body_version is None:
        raise PreconditionRequired()
    return body_version


def optional_version(request, data: dict) -> int | None:
    """For actions (status change, 减员, 更换户主) the version is optional — the service itself refuses
    the double move — but when given, in If-Match or the body, it is checked like an edit's."""
    body_version = data.pop("version", None)
    if request.headers.get("If-Match") or body_version is not None:
        return expected_version(request, {"version": body_version})
    return None


@contextmanager
def fields_renamed(names: dict[str, str]) -> Iterator[None]:
    """A service names its fields after the model (``removal_reason``, ``relation``); the error should
    name the field the caller sent (``reason``, ``old_head_relation``)."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from None


def _scoped_area(user, code: str, field: str = "area"):
    try:
        return area_get(user=user, code=code)
    except Http404:
        raise exceptions.ValidationError({field: [_("区划代码不存在，或不在您的管辖范围内")]}) from None


def household_or_404(user, pk: int) -> Household:
    # Slicing an unordered queryset, not .first(): that adds ORDER BY number, which one row does not need.
    found = list(household_scope(user).select_related("area").filter(pk=pk).order_by()[:1])
    if not found:
        raise Http404
    return found[0]


def member_or_404(user, pk: int) -> Member:
    return member_get(user=user, pk=pk)


class Base(GenericAPIView):
    parser_classes = PARSERS
    # Token first: its WWW-Authenticate challenge turns "not signed in" into 401 rather than 403.
    authentication_classes = [AreaTokenAuthentication, SessionAuthentication]

    def fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


# --- ping and token -----------------------------------------------------------------------------------


class PingView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(summary="存活检查", responses={200: s.PingOut}, auth=[])
    def get(self, request):
        return Response({"status": "ok"})


class LoginThrottle(AnonRateThrottle):
    scope = "api_token"
    rate = "30/min"


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]
    parser_classes = PARSERS

    @extend_schema(summary="用户名和密码换取令牌", request=s.TokenIn,
                   responses={200: s.TokenOut, **_errors(400, 406, 413, 415, 429)}, auth=[])
    def post(self, request):
        data = s.TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        user = authenticate(request, username=username, password=data.validated_data["password"])
        # Failures are audited by the user_login_failed signal; the lockout backend notes a lock here.
        minutes = getattr(request, "fupin_lockout_minutes", None)
        if getattr(request, "fupin_login_refused", None) or (user is None and minutes):
            raise exceptions.Throttled(wait=int(minutes or 1) * 60,
                                       detail=_("登录失败次数过多，请 %(m)d 分钟后再试") % {"m": minutes or 1})
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"password": [_("用户名或密码不正确")]})
        token, _created = Token.objects.get_or_create(user=user)
        record(kind=AuditKind.LOGIN, actor=user, summary=_("接口令牌登录"), data={"via": "api"},
               area_path=user.area.path if user.area_id else "")
        return Response(s.TokenOut({"token": token.key, "username": user.username, "role": user.role}).data)


# --- areas ------------------------------------------------------------------------------------------


class AreaListView(Base):
    serializer_class = s.AreaOut
    filterset_class = AreaFilter

    def get_queryset(self):
        return area_list(user=self.request.user).select_related("parent").order_by("path")

    @extend_schema(summary="区划列表（管辖范围内）", responses={200: s.AreaOut(many=True), **READ_ERRORS})
    def get(self, request):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(s.AreaOut, page))


class AreaDetailView(Base):
    serializer_class = s.AreaOut

    @extend_schema(summary="区划详情", responses={200: s.AreaOut, **READ_ERRORS})
    def get(self, request, code: str):
        area = area_get(user=request.user, code=code)
        return Response(s.represent(s.AreaOut, area))


# --- households -------------------------------------------------------------------------------------


#: What the list shows (HouseholdListOut), so the page query does not carry 40 unused columns.
LIST_COLUMNS = ("id", "number", "area__code", "area__name", "head_name", "member_count", "attribute", "main_cause",
                "identified_year", "exit_year", "status", "version")


class HouseholdListView(Base):
    serializer_class = s.HouseholdListOut
    filterset_class = HouseholdFilter
    pagination_class = SortedSubsetPagination

    def get_queryset(self):
        # The area is on every row: one join instead of a query per row. The number is unique, so it
        # alone orders the pages (how the page is fetched: SortedSubsetPaginator).
        return (household_scope(self.request.user).select_related("area").order_by("number")
                .only(*LIST_COLUMNS))

    def filter_queryset(self, queryset):
        # django-filter builds and validates a form for every request; with no filter parameter
        # given there is nothing for it to filter or refuse.
        if not any(name in self.request.query_params for name in HouseholdFilter.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(summary="贫困户列表", responses={200: s.HouseholdListOut(many=True), **READ_ERRORS})
    def get(self, request):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(s.HouseholdListOut, page))

    @extend_schema(summary="登记贫困户（含家庭成员）", request=s.HouseholdCreateIn,
                   responses={201: s.HouseholdOut, **WRITE_ERRORS}, parameters=[])
    def post(self, request):
        require_writer(request.user)
        ser = s.HouseholdCreateIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        area = _scoped_area(request.user, data.pop("area"))
        members = [dict(m) for m in data.pop("members")]
        household = services.household_create(actor=request.user, area=area, number=data.pop("number"),
                                              members=members, **data)
        household = household_or_404(request.user, household.pk)
        return Response(s.represent(s.HouseholdOut, household, request=request), status=201,
                        headers={**etag(household), "Location": f"/api/households/{household.pk}/"})


class HouseholdDetailView(Base):
    serializer_class = s.HouseholdOut

    def _out(self, request, household, code=200):
        return Response(s.represent(s.HouseholdOut, household, request=request), status=code,
                        headers=etag(household))

    @extend_schema(summary="贫困户详情", responses={(200, "application/json"): s.HouseholdOut, **READ_ERRORS})
    def get(self, request, pk: int):
        return self._out(request, household_or_404(request.user, pk))

    def _update(self, request, pk: int, partial: bool):
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.HouseholdUpdateIn(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = expected_version(request, data)
        if "area" in data:
            data["area"] = _scoped_area(request.user, data["area"])
        services.household_update(actor=request.user, household=household, data=data, expected_version=version)
        return self._out(request, household_or_404(request.user, pk))

    @extend_schema(summary="修改贫困户（全部字段）", request=s.HouseholdUpdateIn, parameters=[ETAG],
                   responses={200: s.HouseholdOut, **WRITE_ERRORS})
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(summary="修改贫困户（部分字段）", request=s.HouseholdUpdateIn, parameters=[ETAG],
                   responses={200: s.HouseholdOut, **WRITE_ERRORS})
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)


class HouseholdStatusView(Base):
    serializer_class = s.HouseholdOut

    @extend_schema(summary="变更户状态（识别、脱贫、返贫、注销……）", request=s.StatusChangeIn, parameters=[ETAG],
                   responses={200: s.HouseholdOut, **ACTION_ERRORS})
    def post(self, request, pk: int):
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.StatusChangeIn(data=request.data)
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
        return Response(s.represent(s.HouseholdOut, household, request=request), headers=etag(household))


class HouseholdHeadView(Base):
    serializer_class = s.HouseholdOut

    @extend_schema(summary="更换户主（原户主改为其他关系）", request=s.HouseholdSetHeadIn, parameters=[ETAG],
                   responses={200: s.HouseholdOut, **ACTION_ERRORS})
    def post(self, request, pk: int):
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.HouseholdSetHeadIn(data=request.data)
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
        return Response(s.represent(s.HouseholdOut, household, request=request), headers=etag(household))


class StatusHistoryView(Base):
    serializer_class = s.StatusChangeOut
    queryset = StatusChange.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="户状态历史", responses={200: s.StatusChangeOut(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        household = household_or_404(request.user, pk)
        qs = StatusChange.objects.filter(policy.household_q(request.user),
                                         household=household).order_by("-date", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(s.StatusChangeOut, page))


# --- members ----------------------------------------------------------------------------------------


class HouseholdMembersView(Base):
    serializer_class = s.MemberOut
    queryset = Member.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="某户的家庭成员", responses={200: s.MemberOut(many=True), **READ_ERRORS},
                   parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="只列在户（true）或已减员（false）")])
    def get(self, request, pk: int):
        household = household_or_404(request.user, pk)
        qs = Member.objects.filter(policy.household_q(request.user),
                                   household=household).order_by("-active", "id")
        active = request.query_params.get("active")
        if active is not None:
            if active.lower() not in ("true", "false", "1", "0"):
                raise exceptions.ValidationError({"active": [_("只能是 true 或 false")]})
            qs = qs.filter(active=active.lower() in ("true", "1"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(s.MemberOut, page, request=request))

    @extend_schema(summary="增加家庭成员", request=s.MemberCreateIn,
                   responses={201: s.MemberOut, **WRITE_ERRORS})
    def post(self, request, pk: int):
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.MemberCreateIn(data=request.data)
        ser.is_valid(raise_exception=True)
        member = services.member_add(actor=request.user, household=household, data=dict(ser.validated_data))
        return Response(s.represent(s.MemberOut, member, request=request), status=201,
                        headers={**etag(member), "Location": f"/api/members/{member.pk}/"})


class MemberDetailView(Base):
    serializer_class = s.MemberOut

    def _out(self, request, member):
        return Response(s.represent(s.MemberOut, member, request=request), headers=etag(member))

    @extend_schema(summary="家庭成员详情", responses={200: s.MemberOut, **READ_ERRORS})
    def get(self, request, pk: int):
        return self._out(request, member_or_404(request.user, pk))

    def _update(self, request, pk: int, partial: bool):
        member = member_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.MemberUpdateIn(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = expected_version(request, data)
        services.member_update(actor=request.user, member=member, data=data, expected_version=version)
        return self._out(request, member_or_404(request.user, pk))

    @extend_schema(summary="修改家庭成员（全部字段）", request=s.MemberUpdateIn, parameters=[ETAG],
                   responses={200: s.MemberOut, **WRITE_ERRORS})
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(summary="修改家庭成员（部分字段）", request=s.MemberUpdateIn, parameters=[ETAG],
                   responses={200: s.MemberOut, **WRITE_ERRORS})
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)


class MemberRemoveView(Base):
    serializer_class = s.MemberOut

    @extend_schema(summary="成员减员（死亡、迁出、婚嫁等；记录和历史保留）", request=s.MemberRemoveIn, parameters=[ETAG],
                   responses={200: s.MemberOut, **ACTION_ERRORS})
    def post(self, request, pk: int):
        member = member_or_404(request.user, pk)
        require_writer(request.user)
        ser = s.MemberRemoveIn(data=request.data)
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
        return Response(s.represent(s.MemberOut, member, request=request), headers=etag(member))


# --- yearly records ---------------------------------------------------------------------------------


class YearlyListView(Base):
    serializer_class = s.YearlyRecordOut
    queryset = YearlyRecord.objects.none()  # for the schema only; reads below are scoped

    @extend_schema(summary="某户的年度收入与保障", responses={200: s.YearlyRecordOut(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        household = household_or_404(request.user, pk)
        qs = YearlyRecord.objects.filter(policy.household_q(request.user),
                                         household=household).order_by("-year")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(s.YearlyRecordOut, page))


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise exceptions.ValidationError({"year": [_("年度必须在 2000 到 2100 之间")]})
    return value


class YearlyDetailView(Base):
    serializer_class = s.YearlyRecordOut

    @extend_schema(summary="某户某年度的收入与保障", responses={200: s.YearlyRecordOut, **READ_ERRORS})
    def get(self, request, pk: int, year: int):
        household = household_or_404(request.user, pk)
        rec = YearlyRecord.objects.filter(household=household, year=_year(year)).first()
        if rec is None:
            raise Http404
        return Response(s.represent(s.YearlyRecordOut, rec))

    @extend_schema(summary="登记或更正某年度的收入与保障（其他年度不变）", request=s.YearlyRecordIn,
                   responses={200: s.YearlyRecordOut, 201: s.YearlyRecordOut, **WRITE_ERRORS})
    def put(self, request, pk: int, year: int):
        household = household_or_404(request.user, pk)
        require_writer(request.user)
        _year(year)
        ser = s.YearlyRecordIn(data=request.data)
        ser.is_valid(raise_exception=True)
        existed = YearlyRecord.objects.filter(household=household, year=year).exists()
        rec = services.yearly_record_save(actor=request.user, household=household, year=year,
                                          data=dict(ser.validated_data))
        return Response(s.represent(s.YearlyRecordOut, rec), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
