"""One JSON error shape for the whole API (ARCHITECTURE habit 6).

Every 4xx answer is ``{"error": {"status", "code", "message", "fields"?}}`` with a Chinese message,
whatever raised it: a serializer, a service's ``django.core.exceptions.ValidationError``, a stale
version, a missing object, a malformed or oversized body, throttling, a wrong method.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import server_error as django_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from fupin.registry.services import StaleVersion


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"
    default_detail = "该记录已被他人修改，请重新读取后再保存"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "version_required"
    default_detail = "修改前请在 If-Match 请求头或 version 字段中给出读取时的版本号"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "请求内容过大"


#: The headline message for each status; field details, when there are any, go in ``fields``.
MESSAGES = {
    400: "输入有误",
    401: "请先登录或提供有效的令牌",
    403: "没有权限执行此操作",
    404: "未找到，或不在您的管辖范围内",
    405: "不支持该请求方法",
    406: "无法提供所要求的响应格式",
    409: "该记录已被他人修改，请重新读取后再保存",
    413: "请求内容过大",
    415: "不支持的请求内容类型，请使用 application/json",
    428: "修改前请在 If-Match 请求头或 version 字段中给出读取时的版本号",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，已记录，请稍后再试或联系系统管理员",
}
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "stale_version",
    413: "too_large",
    415: "unsupported_media_type",
    428: "version_required",
    429: "throttled",
    500: "server_error",
}


def error_body(status_code: int, *, message: str | None = None, code: str | None = None,
               fields: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status_code, "code": code or CODES.get(status_code, "error"),
                            "message": message or MESSAGES.get(status_code, _("请求有误"))}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _strings(detail: Any) -> Any:
    """DRF ErrorDetail trees as plain JSON: lists of strings, nested by field (and list index)."""
    if isinstance(detail, dict):
        return {str(k): _strings(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        if all(not isinstance(d, dict | list | tuple) for d in detail):
            return [str(d) for d in detail]
        return [_strings(d) for d in detail]
    return [str(detail)]


def _django_validation_fields(exc: DjangoValidationError) -> tuple[dict | None, str | None]:
    if hasattr(exc, "error_dict"):
        fields = {("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
                  for k, v in exc.message_dict.items()}
        return fields, None
    return None, "；".join(str(m) for m in exc.messages)


def _as_api_exception(exc: Exception) -> Exception:
    """Django's and the services' exceptions as the DRF exception that answers them; anything else
    (a Django ValidationError, an APIException, a real bug) unchanged."""
    if isinstance(exc, StaleVersion):
        return Conflict()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, IntegrityError):
        # The services check every invariant first; a constraint that still fires means another
        # request wrote the same thing at the same moment (two registrations of one household number).
        return Conflict(_("与同时提交的另一项修改冲突，请重新读取后再试"))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def _headers(exc: exceptions.APIException) -> dict[str, str]:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return headers


def _message_and_fields(exc: exceptions.APIException,
                        context: dict[str, Any]) -> tuple[str | None, dict | None]:
    """The message that replaces the status's headline (None: keep it) and the field details."""
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            return None, _strings(detail)
        return ("；".join(_strings(detail)) if detail else None), None
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotFound | Conflict | exceptions.AuthenticationFailed) \
            and str(exc.detail) != str(type(exc).default_detail):
        return str(exc.detail), None  # a specific reason (当前角色只能查看, 页码超出范围 ...)
    if isinstance(exc, exceptions.ParseError):
        return _("请求内容不是有效的 JSON"), None
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("不支持 %(m)s 请求方法") % {"m": context["request"].method if context.get("request") else ""}, None
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        return (str(exc.detail) if "登录" in str(exc.detail) else
                _("请求过于频繁，请 %(s)d 秒后再试") % {"s": int(exc.wait)}), None
    if exc.status_code not in MESSAGES:
        return str(exc.detail), None
    return None, None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    if isinstance(exc, DjangoValidationError):
        fields, message = _django_validation_fields(exc)
        set_rollback()
        return Response(error_body(400, message=message, fields=fields), status=400)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500

    status_code = exc.status_code
    message, fields = _message_and_fields(exc, context)
    set_rollback()
    code = CODES.get(status_code) if isinstance(exc, exceptions.ValidationError) else exc.default_code
    return Response(error_body(status_code, message=message, fields=fields, code=code), status=status_code,
                    headers=_headers(exc))


def _json(status_code: int, **kwargs: Any) -> JsonResponse:
    return JsonResponse(error_body(status_code, **kwargs), status=status_code, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown URLs under /api/ answer in the same shape, not with the HTML 404 page — whatever the
    method: exempt from the CSRF check, which would otherwise answer a POST or DELETE with its HTML
    403 page before the 404 (there is nothing here to protect)."""
    return _json(404, message=_("没有这个接口地址"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: under /api/ a refused CSRF check is the API's JSON 403; elsewhere
    Django's own page."""
    if request.path_info.startswith("/api/"):
        return _json(403, code="csrf_failed",
                     message=_("CSRF 校验失败：使用登录会话调用接口时请在 X-CSRFToken 请求头中提供 CSRF 令牌，"
                               "或改用令牌（Authorization: Token …）"))
    return django_csrf_failure(request, reason=reason)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: under /api/ the one JSON shape (a client parsing JSON gets JSON even from a bug);
    elsewhere Django's page. The exception itself is logged by Django before this runs."""
    if request.path_info.startswith("/api/"):
        return _json(500)
    return django_server_error(request, *args, **kwargs)
