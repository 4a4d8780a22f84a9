"""The registry API. Reads go through the scoped selectors — household_scope / policy.household_q, the same
as the pages, so a 帮扶责任人 sees only paired households (outside scope → 404); writes go through
fupin.registry.services with the request's user as actor; read-only roles get 403 (habit 4, 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from fupin.accounts import policy
from fupin.accounts.models import ApiToken
from fupin.accounts.tokens import token_issue, token_revoke
from fupin.areas.models import Area
from fupin.areas.selectors import area_get
from fupin.audit.services import audit_login, audit_logout

from . import serializers as s
from .authentication import AreaTokenAuthentication
from .errors import Conflict, PreconditionRequired
from .parsers import LimitedJSONParser

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

PARSERS = [LimitedJSONParser]


class Versioned(Protocol):
    """A row with optimistic locking (household, member): its ``version`` is the ETag."""

    version: int


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
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


def require_writer(user: User | AnonymousUser) -> None:
    if not policy.can_write(user):
        raise exceptions.PermissionDenied(_("当前角色只能查看，不能登记或修改数据"))


def etag(obj: Versioned) -> dict[str, str]:
    return {"ETag": f'"{obj.version}"'}


_ETAG_RE = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*$')


def expected_version(request: Request, data: dict[str, Any]) -> int | None:
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


def optional_version(request: Request, data: dict[str, Any]) -> int | None:
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


def _scoped_area(user: User | AnonymousUser, code: str, field: str = "area") -> Area:
    try:
        return area_get(user=user, code=code)
    except Http404:
        raise exceptions.ValidationError({field: [_("区划代码不存在，或不在您的管辖范围内")]}) from None


class Base(GenericAPIView):
    parser_classes = PARSERS
    # Token first: its WWW-Authenticate challenge turns "not signed in" into 401 rather than 403.
    authentication_classes = [AreaTokenAuthentication, SessionAuthentication]

    def fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class PingView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(summary="存活检查", responses={200: s.PingOut}, auth=[])
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class LoginThrottle(AnonRateThrottle):
    scope = "api_token"
    rate = "30/min"


class TokenView(APIView):
    """POST: a new token for each sign-in, shown in that answer only. DELETE: sign out — the token
    that authenticates the request is revoked (204); the user's other tokens keep working."""

    throttle_classes = [LoginThrottle]
    # Signing in takes JSON or a form (curl -d, -F), as DRF's own token view and its clients expect;
    # every other endpoint takes JSON only. Django's body limit applies to forms as well.
    parser_classes = [*PARSERS, FormParser, MultiPartParser]

    def get_authenticators(self) -> list:
        # Signing in reads no credentials (a stale token sent along must not turn it into a 401).
        return [] if getattr(self.request, "method", None) == "POST" else [AreaTokenAuthentication()]

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if getattr(self.request, "method", None) == "POST" else [IsAuthenticated()]

    @extend_schema(summary="用户名和密码换取令牌（每次登录一个新令牌，仅显示一次）", request=s.TokenIn,
                   responses={200: s.TokenOut, **_errors(400, 406, 413, 415, 429)}, auth=[])
    def post(self, request: Request) -> Response:
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
        if user.must_change_password:  # a password a manager reset opens only the 修改密码 page
            raise exceptions.PermissionDenied(_("管理员已重置您的密码：请先登录网页修改密码，再申请接口令牌"))
        token, key = token_issue(user=user)
        audit_login(user=user, summary=_("接口令牌登录"), data={"via": "api", "token": token.prefix})
        return Response(s.TokenOut({"token": key, "expires": token.expires, "username": user.username,
                                    "role": user.role}).data)

    @extend_schema(summary="退出：撤销本次请求所用的令牌", request=None,
                   responses={204: None, **_errors(401, 406, 429)})
    def delete(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):  # pragma: no cover - only token authentication is accepted here
            raise exceptions.NotAuthenticated()
        token_revoke(token=token, reason=ApiToken.Reason.LOGOUT)
        audit_logout(user=request.user, summary=_("接口令牌退出"), data={"via": "api", "token": token.prefix})
        return Response(status=204)
