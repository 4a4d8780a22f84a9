"""The registry's API schemas: explicit input and output per operation (ARCHITECTURE habit 7).

Inputs are strict (fupin.api.serializers.StrictInput): a field the operation does not take is refused
with 400 and named. Outputs show sensitive fields as fupin.accounts.policy says (PolicyOut)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fupin.api.serializers import (
    VERSION_HELP,
    CauseListIn,
    ChoiceListOut,
    ChoiceOut,
    PolicyOut,
    RuleChoiceField,
    StrictInput,
    choice,
    money,
    mu,
    text,
    year,
)
from fupin.areas.serializers import AreaRefOut

from . import rules
from .choices import (
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


class StatusChangeOut(PolicyOut):
    """One status change; ``reason`` is free text that may name an illness: it follows the health
    rule (policy.FIELD_GROUPS["health_text"]), left out for roles that do not see health."""

    id = serializers.IntegerField()
    from_status = ChoiceOut(Status)
    to_status = ChoiceOut(Status)
    date = serializers.DateField()
    reason = serializers.CharField()
    procedure = ChoiceOut(Procedure)
    actor_name = serializers.CharField()
    member_count = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


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


class YearlyRecordOut(PolicyOut):
    """One year's incomes and guarantees; ``note`` follows the health rule as ``reason`` does."""

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
