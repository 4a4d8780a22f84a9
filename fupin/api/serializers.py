"""Explicit input and output schemas per operation (ARCHITECTURE habit 7).

Inputs are strict: a field the operation does not take is refused with 400 and named, so that a
typo ("idnumber") or a derived value ("net_income") is never silently dropped. Outputs mask ID
numbers, phones and bank accounts, and leave out what a role may not see, exactly as the pages do:
``PolicyOut`` asks fupin.accounts.policy for every sensitive field.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.areas.models import Level
from fupin.registry import rules
from fupin.registry.choices import (
    Attribute,
    CancelReason,
    Cause,
    DangerGrade,
    DisabilityCategory,
    DisabilityGrade,
    Education,
    Ethnicity,
    Fuel,
    Health,
    HouseStructure,
    IdKind,
    Labour,
    Procedure,
    Relation,
    RemovalReason,
    RoadType,
    SchoolStatus,
    Sex,
    Standard,
    Status,
    WorkStatus,
)

# --- output without per-request set-up ------------------------------------------------------------

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


def _context(cls, request) -> dict[str, Any]:
    output_context = getattr(cls, "output_context", None)
    return output_context(request) if output_context is not None else {}


def represent(cls: type[serializers.Serializer], instance, *, request=None) -> dict[str, Any]:
    """``cls(instance, context={"request": request}).data``, without building the serializer again."""
    return shared(cls, _context(cls, request)).to_representation(instance)


def represent_many(cls: type[serializers.Serializer], instances: Iterable, *, request=None) -> list[dict[str, Any]]:
    serializer = shared(cls, _context(cls, request))
    return [serializer.to_representation(instance) for instance in instances]


# --- shared pieces ------------------------------------------------------------------------------


class PolicyOut(serializers.Serializer):
    """An output whose sensitive fields (fupin.accounts.policy.FIELD_GROUPS) follow the policy: left
    out when hidden from the caller's role, masked when masked, whole when whole.

    The per-role answer is the serializer's context (``output_context``), so the shared bound
    instance (``shared``) is one per class and distinct answer, never per user."""

    @classmethod
    def output_context(cls, request) -> dict[str, Any]:
        user = getattr(request, "user", None)
        names = [n for n in cls._declared_fields if n in policy.GROUP_OF]
        return {"access": tuple((n, str(policy.field_access(user, n))) for n in names)}

    def _access(self) -> tuple:
        # A serializer made without the shared context (``MemberOut(obj, context={"request": r})``)
        # asks the policy for the request's user; with neither, the anonymous answer: all hidden.
        access = self.context.get("access")
        if access is None:
            access = self.output_context(self.context.get("request"))["access"]
        return access

    def get_fields(self):
        fields = super().get_fields()
        for name, access in self._access():
            if access == policy.Access.HIDDEN:
                fields.pop(name, None)
        return fields

    def to_representation(self, instance) -> dict[str, Any]:
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

    def __init__(self, choices: type[models.TextChoices], **kwargs):
        self.choices_cls = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    #: {(choices class, language): {code: label}}: building the enum member and translating its label
    #: for every value of every row was a fifth of a list request's time.
    _labels: dict[tuple[type, str | None], dict[str, str]] = {}

    def to_representation(self, value):
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
    def __init__(self, choices: type[models.TextChoices], **kwargs):
        self.choices_cls = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        one = ChoiceOut(self.choices_cls)
        return [one.to_representation(v) for v in value or [] if v]


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/MainCauseEnum"}})
class CauseListIn(serializers.ListField):
    """Other causes: the same code list as main_cause (one named enum in the schema, not two)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=Cause.choices), max_length=len(Cause.values), **kwargs)


class StrictInput(serializers.Serializer):
    """An input schema that refuses fields it does not declare, naming each one."""

    def to_internal_value(self, data):
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


def choice(choices: type[models.TextChoices], *, blank: bool = False, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, allow_blank=blank, **kwargs)


class RuleChoiceField(serializers.ChoiceField):
    """A code the schema lists as the values a registry rule accepts, refused in the rule's own words
    (the same message the service and the web form give)."""

    def __init__(self, *, choices: type[models.TextChoices], allowed, rule, **kwargs):
        super().__init__(choices=[(c, choices(c).label) for c in choices.values if c in allowed], **kwargs)
        self.rule = rule

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str):  # a number or a list: StrictInput names the field
            self.fail("invalid_choice", input=data)
        error = self.rule(data)
        if error:
            raise serializers.ValidationError(error, code="invalid_choice")
        return str(data)


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, **kwargs)


def mu(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, **kwargs)


def year(*, lo: int = 2000, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=lo, max_value=2100, **kwargs)


def text(max_length: int, **kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, trim_whitespace=True, **kwargs)


VERSION_HELP = _("读取时的版本号（也可用 If-Match 请求头）；与当前版本不符时返回 409")


# --- areas ------------------------------------------------------------------------------------------


class AreaOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = ChoiceOut(Level)
    parent = serializers.SerializerMethodField()
    rural_population = serializers.IntegerField(allow_null=True)

    def get_parent(self, obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class AreaRefOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- households -----------------------------------------------------------------------------------


class HouseholdListOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    area = AreaRefOut()
    head_name = serializers.CharField()
    member_count = serializers.IntegerField()
    attribute = ChoiceOut(Attribute)
    main_cause = ChoiceOut(Cause)
    identified_year = serializers.IntegerField()
    exit_year = serializers.IntegerField(allow_null=True)
    status = ChoiceOut(Status)
    version = serializers.IntegerField()


class HouseholdOut(PolicyOut, HouseholdListOut):
    address = serializers.CharField()
    phone = serializers.CharField(help_text=_("按角色脱敏"))
    bank_name = serializers.CharField()
    bank_account = serializers.CharField(help_text=_("按角色脱敏"))
    standard = ChoiceOut(Standard)
    other_causes = ChoiceListOut(Cause)
    exit_year_planned = serializers.IntegerField(allow_null=True)
    cancel_reason = ChoiceOut(CancelReason)
    cultivated_land = serializers.DecimalField(max_digits=10, decimal_places=2)
    irrigated_land = serializers.DecimalField(max_digits=10, decimal_places=2)
    forest_land = serializers.DecimalField(max_digits=10, decimal_places=2)
    returned_farmland = serializers.DecimalField(max_digits=10, decimal_places=2)
    orchard_land = serializers.DecimalField(max_digits=10, decimal_places=2)
    pasture_land = serializers.DecimalField(max_digits=10, decimal_places=2)
    water_surface = serializers.DecimalField(max_digits=10, decimal_places=2)
    in_cooperative = serializers.BooleanField()
    production_power = serializers.BooleanField()
    domestic_power = serializers.BooleanField()
    water_difficulty = serializers.BooleanField()
    water_safe = serializers.BooleanField()
    road_distance_km = serializers.DecimalField(max_digits=6, decimal_places=2)
    road_type = ChoiceOut(RoadType)
    fuel = ChoiceOut(Fuel)
    sanitary_toilet = serializers.BooleanField()
    house_area = serializers.DecimalField(max_digits=8, decimal_places=2)
    house_structure = ChoiceOut(HouseStructure)
    house_built_year = serializers.IntegerField(allow_null=True)
    danger_grade = ChoiceOut(DangerGrade)
    relocated = serializers.BooleanField()
    relocation_year = serializers.IntegerField(allow_null=True)
    relocation_site = serializers.CharField()
    relocation_self_paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    relocation_debt = serializers.DecimalField(max_digits=12, decimal_places=2)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class HouseholdFieldsIn(StrictInput):
    """The household's own fields, shared by create and update."""

    address = text(200)
    phone = text(30)
    bank_name = text(100)
    bank_account = text(40)
    standard = choice(Standard, required=False)
    attribute = choice(Attribute, required=False)
    main_cause = choice(Cause)
    other_causes = CauseListIn(required=False)
    identified_year = year()
    exit_year_planned = year(required=False, allow_null=True)
    exit_year = year(required=False, allow_null=True)
    cultivated_land = mu()
    irrigated_land = mu()
    forest_land = mu()
    returned_farmland = mu()
    orchard_land = mu()
    pasture_land = mu()
    water_surface = mu()
    in_cooperative = serializers.BooleanField(required=False)
    production_power = serializers.BooleanField(required=False)
    domestic_power = serializers.BooleanField(required=False)
    water_difficulty = serializers.BooleanField(required=False)
    water_safe = serializers.BooleanField(required=False)
    road_distance_km = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    road_type = choice(RoadType, blank=True, required=False)
    fuel = choice(Fuel, blank=True, required=False)
    sanitary_toilet = serializers.BooleanField(required=False)
    house_area = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False)
    house_structure = choice(HouseStructure, blank=True, required=False)
    house_built_year = year(lo=1900, required=False, allow_null=True)
    danger_grade = choice(DangerGrade, blank=True, required=False)
    relocated = serializers.BooleanField(required=False)
    relocation_year = year(required=False, allow_null=True)
    relocation_site = text(100)
    relocation_self_paid = money()
    relocation_debt = money()


class MemberFieldsIn(StrictInput):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, help_text=_("18 位身份证号，或 20/22 位残疾人证号"))
    sex = choice(Sex, required=False, help_text=_("不填则按证件号码第 17 位"))
    birth_date = serializers.DateField(required=False, help_text=_("不填则取证件号码中的出生日期"))
    ethnicity = choice(Ethnicity, required=False)
    relation = choice(Relation)
    education = choice(Education, blank=True, required=False)
    school_status = choice(SchoolStatus, required=False)
    health = choice(Health, required=False)
    disability_category = choice(DisabilityCategory, blank=True, required=False)
    disability_grade = choice(DisabilityGrade, blank=True, required=False)
    disability_cert_no = text(22)
    labour = choice(Labour, blank=True, required=False)
    work_status = choice(WorkStatus, blank=True, required=False)
    work_months = serializers.IntegerField(min_value=0, max_value=12, required=False)
    work_place = text(100)
    medical_insurance = serializers.BooleanField(required=False)
    serious_illness_insurance = serializers.BooleanField(required=False)
    pension_insurance = serializers.BooleanField(required=False)
    on_dibao = serializers.BooleanField(required=False)
    dibao_amount = money()
    on_tekun = serializers.BooleanField(required=False)
    tekun_amount = money()
    soldier = serializers.BooleanField(required=False)
    phone = text(30)


class HouseholdCreateIn(HouseholdFieldsIn):
    number = serializers.CharField(max_length=32, help_text=_("户编号，全库唯一"))
    area = serializers.CharField(max_length=15, help_text=_("所在行政村或村民小组的区划代码"))
    status = RuleChoiceField(choices=Status, allowed=rules.initial_statuses(Procedure.REGISTRATION),
                             rule=lambda s: rules.initial_status_error(s, Procedure.REGISTRATION), required=False,
                             help_text=_("默认“贫困户(未脱贫)”；新登记的户只能是“申请中”或“贫困户(未脱贫)”"))
    reason = text(200, help_text=_("登记原因，记入状态历史"))
    date = serializers.DateField(required=False)
    members = MemberFieldsIn(many=True, allow_empty=False, max_length=50,
                             help_text=_("家庭成员，必须有且只有一名户主"))


class HouseholdUpdateIn(HouseholdFieldsIn):
    area = serializers.CharField(max_length=15, required=False, help_text=_("迁到另一个村/组的区划代码"))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, help_text=VERSION_HELP)


class StatusChangeIn(StrictInput):
    status = choice(Status, help_text=_("新状态"))
    reason = serializers.CharField(max_length=200)
    date = serializers.DateField(required=False)
    procedure = RuleChoiceField(choices=Procedure, allowed=rules.MANUAL_PROCEDURES, rule=rules.manual_procedure_error,
                                required=False, help_text=_(
                                    "默认“信息更正”。贫困识别、脱贫退出由相应程序记录，数据导入、演示数据生成由系统记录，此处不能填写"))
    cancel_reason = choice(CancelReason, blank=True, required=False)
    exit_year = year(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, help_text=VERSION_HELP)


class StatusChangeOut(serializers.Serializer):
    id = serializers.IntegerField()
    from_status = ChoiceOut(Status)
    to_status = ChoiceOut(Status)
    date = serializers.DateField()
    reason = serializers.CharField()
    procedure = ChoiceOut(Procedure)
    actor_name = serializers.CharField()
    member_count = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


# --- members --------------------------------------------------------------------------------------

class MemberOut(PolicyOut):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    name = serializers.CharField()
    id_number = serializers.CharField(help_text=_("按角色脱敏"))
    id_kind = ChoiceOut(IdKind)
    sex = ChoiceOut(Sex)
    birth_date = serializers.DateField()
    ethnicity = ChoiceOut(Ethnicity)
    relation = ChoiceOut(Relation)
    education = ChoiceOut(Education)
    school_status = ChoiceOut(SchoolStatus)
    health = ChoiceOut(Health, required=False, help_text=_("仅对可查看健康信息的角色返回"))
    disability_category = ChoiceOut(DisabilityCategory, required=False)
    disability_grade = ChoiceOut(DisabilityGrade, required=False)
    disability_cert_no = serializers.CharField(required=False, help_text=_("按角色脱敏；无权查看时不返回"))
    labour = ChoiceOut(Labour)
    work_status = ChoiceOut(WorkStatus)
    work_months = serializers.IntegerField()
    work_place = serializers.CharField()
    medical_insurance = serializers.BooleanField()
    serious_illness_insurance = serializers.BooleanField()
    pension_insurance = serializers.BooleanField()
    on_dibao = serializers.BooleanField()
    dibao_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                            help_text=_("仅对可查看保障信息的角色返回"))
    on_tekun = serializers.BooleanField()
    tekun_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False,
                                            help_text=_("仅对可查看保障信息的角色返回"))
    soldier = serializers.BooleanField()
    phone = serializers.CharField(help_text=_("按角色脱敏"))
    active = serializers.BooleanField()
    removal_reason = ChoiceOut(RemovalReason)
    removed_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class MemberCreateIn(MemberFieldsIn):
    pass


class MemberRemoveIn(StrictInput):
    """减员: the member leaves the household; the record and its history stay."""

    reason = choice(RemovalReason, help_text=_("减员原因"))
    date = serializers.DateField(required=False, help_text=_("减员日期，不填则为当天"))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text=_("成员读取时的版本号（也可用 If-Match 请求头）；给出时与当前版本不符返回 409"))


class HouseholdSetHeadIn(StrictInput):
    """更换户主: ``member`` becomes the head; the old head takes ``old_head_relation``."""

    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("新户主（本户在户成员）的编号"))
    old_head_relation = serializers.ChoiceField(
        choices=[c for c in Relation.choices if c[0] != Relation.HEAD], required=False,
        help_text=_("原户主改为的与户主关系；户内有原户主时必填"))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text=_("户读取时的版本号（也可用 If-Match 请求头）；给出时与当前版本不符返回 409"))


class MemberUpdateIn(MemberFieldsIn):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, help_text=VERSION_HELP)


# --- yearly records ---------------------------------------------------------------------------------


class YearlyRecordIn(StrictInput):
    member_count = serializers.IntegerField(min_value=1, max_value=100, required=False,
                                            help_text=_("当年计算人口；新建时默认当前家庭人口"))
    wage_income = money()
    business_income = money()
    property_income = money()
    transfer_income = money()
    business_expense = money()
    food_clothing_secure = serializers.BooleanField(required=False, allow_null=True)
    education_secure = serializers.BooleanField(required=False, allow_null=True)
    medical_secure = serializers.BooleanField(required=False, allow_null=True)
    housing_secure = serializers.BooleanField(required=False, allow_null=True)
    water_secure = serializers.BooleanField(required=False, allow_null=True)
    note = text(200)


class YearlyRecordOut(serializers.Serializer):
    household = serializers.IntegerField(source="household_id")
    year = serializers.IntegerField()
    member_count = serializers.IntegerField()
    wage_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    business_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    property_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    transfer_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    business_expense = serializers.DecimalField(max_digits=12, decimal_places=2)
    net_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    per_capita_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    poverty_line = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    above_line = serializers.BooleanField(allow_null=True)
    food_clothing_secure = serializers.BooleanField(allow_null=True)
    education_secure = serializers.BooleanField(allow_null=True)
    medical_secure = serializers.BooleanField(allow_null=True)
    housing_secure = serializers.BooleanField(allow_null=True)
    water_secure = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


# --- auth and errors --------------------------------------------------------------------------------


class TokenIn(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False, style={"input_type": "password"})


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
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
