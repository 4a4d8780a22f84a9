"""Explicit input and output schemas per operation (ARCHITECTURE habit 7).

Inputs are strict: a field the operation does not take is refused with 400 and named, so that a
typo ("idnumber") or a derived value ("net_income") is never silently dropped. Outputs mask ID
numbers, phones and bank accounts, and leave out what a role may not see, exactly as the pages do:
``PolicyOut`` asks fupin.accounts.policy for every sensitive field.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.registry.choices import (
    Cause,
)

_shared: dict[tuple, serializers.Serializer] = {}
_shared_lock = threading.Lock()


def _bind_all(serializer: serializers.Serializer) -> None:
    for field in serializer.fields.values():
        if isinstance(field, serializers.Serializer):
            _bind_all(field)


def shared(cls: type[serializers.Serializer], context: dict[str, Any]) -> serializers.Serializer:
    """One bound instance per output serializer class and context, reused by every request.

    A DRF serializer deep-copies and binds all its declared fields when it is created; for the
    household (50 fields) that was a third of the detail request's time. The output serializers here
    keep no state between rows — their fields only read the object — so one bound instance serves
    every request and thread. The context may only hold values that are the same for everyone who
    gets the same key (a role's flags, never a request or a user)."""
    key = (cls, tuple(sorted(context.items())))
    serializer = _shared.get(key)
    if serializer is None:
        with _shared_lock:
            serializer = _shared.get(key)
            if serializer is None:
                serializer = cls(context=context)
                _bind_all(serializer)
                _shared[key] = serializer
    return serializer


def _context(cls: type[serializers.Serializer], request: Request | None) -> dict[str, Any]:
    output_context = getattr(cls, "output_context", None)
    return output_context(request) if output_context is not None else {}


def represent(cls: type[serializers.Serializer], instance: models.Model, *,
              request: Request | None = None) -> dict[str, Any]:
    """``cls(instance, context={"request": request}).data``, without building the serializer again."""
    return shared(cls, _context(cls, request)).to_representation(instance)


def represent_many(cls: type[serializers.Serializer], instances: Iterable[models.Model], *,
                   request: Request | None = None) -> list[dict[str, Any]]:
    serializer = shared(cls, _context(cls, request))
    return [serializer.to_representation(instance) for instance in instances]


class PolicyOut(serializers.Serializer):
    """An output whose sensitive fields (fupin.accounts.policy.FIELD_GROUPS) follow the policy: left
    out when hidden from the caller's role, masked when masked, whole when whole.

    The per-role answer is the serializer's context (``output_context``), so the shared bound
    instance (``shared``) is one per class and distinct answer, never per user."""

    @classmethod
    def output_context(cls, request: Request | None) -> dict[str, Any]:
        user = getattr(request, "user", None)
        names = [n for n in cls._declared_fields if n in policy.GROUP_OF]
        return {"access": tuple((n, str(policy.field_access(user, n))) for n in names)}

    def _access(self) -> tuple[tuple[str, str], ...]:
        # A serializer made without the shared context (``MemberOut(obj, context={"request": r})``)
        # asks the policy for the request's user; with neither, the anonymous answer: all hidden.
        access = self.context.get("access")
        if access is None:
            access = self.output_context(self.context.get("request"))["access"]
        return access

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, access in self._access():
            if access == policy.Access.HIDDEN:
                fields.pop(name, None)
        return fields

    def to_representation(self, instance: models.Model) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name, access in self._access():
            if access == policy.Access.MASKED and name in data:
                data[name] = policy.mask(name, data[name])
        return data


CHOICE_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
    "required": ["code", "label"],
}


@extend_schema_field(CHOICE_SCHEMA)
class ChoiceOut(serializers.Field):
    """A coded value with its Chinese label: {"code": "poor", "label": "贫困户(未脱贫)"}; null when blank."""

    def __init__(self, choices: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_cls = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    #: {(choices class, language): {code: label}}: building the enum member and translating its label
    #: for every value of every row was a fifth of a list request's time.
    _labels: dict[tuple[type, str | None], dict[str, str]] = {}

    def to_representation(self, value: str | None) -> dict[str, str] | None:
        if value in (None, ""):
            return None
        key = (self.choices_cls, translation.get_language())
        labels = ChoiceOut._labels.get(key)
        if labels is None:
            labels = ChoiceOut._labels[key] = {member.value: str(member.label) for member in self.choices_cls}
        label = labels.get(value)
        return {"code": value, "label": str(value) if label is None else label}


@extend_schema_field({"type": "array", "items": {**CHOICE_SCHEMA, "nullable": False}})
class ChoiceListOut(serializers.Field):
    def __init__(self, choices: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_cls = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Iterable[str] | None) -> list[dict[str, str] | None]:
        one = ChoiceOut(self.choices_cls)
        return [one.to_representation(v) for v in value or [] if v]


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/MainCauseEnum"}})
class CauseListIn(serializers.ListField):
    """Other causes: the same code list as main_cause (one named enum in the schema, not two)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.ChoiceField(choices=Cause.choices), max_length=len(Cause.values), **kwargs)


class StrictInput(serializers.Serializer):
    """An input schema that refuses fields it does not declare, naming each one."""

    # ``data`` is the request body as parsed: anything JSON can hold (a list is refused by DRF).
    def to_internal_value(self, data: Any) -> dict[str, Any]:
        errors: dict = {}
        if isinstance(data, Mapping):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            errors = {name: [_("未知字段，或此操作不能填写该字段")] for name in sorted(set(data) - writable)}
            # DRF turns 12 into "12" for text and code fields; a number where text belongs is a
            # mistake of the caller (a phone number or a code sent as a number loses leading zeros).
            for name, field in self.fields.items():
                value = data.get(name)
                if isinstance(field, serializers.CharField | serializers.ChoiceField) \
                        and value is not None and not isinstance(value, str):
                    errors.setdefault(name, [_("必须是文本（字符串）")])
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors or not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


def choice(choices: type[models.TextChoices], *, blank: bool = False,
           **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, allow_blank=blank, **kwargs)


class RuleChoiceField(serializers.ChoiceField):
    """A code the schema lists as the values a registry rule accepts, refused in the rule's own words
    (the same message the service and the web form give)."""

    def __init__(self, *, choices: type[models.TextChoices], allowed: Collection[str],
                 rule: Callable[[str], str | None], **kwargs: Any) -> None:
        super().__init__(choices=[(c, choices(c).label) for c in choices.values if c in allowed], **kwargs)
        self.rule = rule

    def to_internal_value(self, data: Any) -> str:
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str):  # a number or a list: StrictInput names the field
            self.fail("invalid_choice", input=data)
        error = self.rule(data)
        if error:
            raise serializers.ValidationError(error, code="invalid_choice")
        return str(data)


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, **kwargs)


def mu(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, **kwargs)


def year(*, lo: int = 2000, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=lo, max_value=2100, **kwargs)


def text(max_length: int, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, trim_whitespace=True, **kwargs)


VERSION_HELP = _("读取时的版本号（也可用 If-Match 请求头）；与当前版本不符时返回 409")


class TokenIn(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False, style={"input_type": "password"})


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text="令牌，仅在此次响应中显示一次")
    expires = serializers.DateTimeField(help_text="过期时间，过期后请重新登录")
    username = serializers.CharField()
    role = ChoiceOut(Role)


class PingOut(serializers.Serializer):
    status = serializers.CharField()


class ErrorBody(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, child=serializers.JSONField(),
                                   help_text=_("按字段列出的错误信息"))


class ErrorOut(serializers.Serializer):
    error = ErrorBody()
