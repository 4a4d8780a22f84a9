"""建档立卡: households, members, yearly records and status history (REFERENCE §1, §2).

Invariants live in the database first (one head per household, one active household per person,
non-negative money), then in ``clean()``, then in the services, which are the only writers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fupin.lib import idnumber

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
    LineKind,
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

ZERO = Decimal("0")
# TextChoices.values builds a new list on every call; clean() runs for every row of an import.
CAUSE_VALUES = frozenset(Cause.values)
SEX_VALUES = frozenset(Sex.values)


def Money(verbose_name: str, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def Mu(verbose_name: str) -> models.DecimalField:  # noqa: N802 - land area in 亩
    return models.DecimalField(verbose_name, max_digits=10, decimal_places=2, default=ZERO)


def non_negative(*fields: str, prefix: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"{prefix}_{f}_gte_0") for f in fields]


def negative_field_errors(obj: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The CheckConstraints above, repeated in clean() so the error names the field in Chinese (the
    constraint itself would only say "约束 … 是无效的", for the whole form). A value that is not a number
    yet was already reported by clean_fields()."""
    errors = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, Decimal | int | float) and value < 0:
            label = obj._meta.get_field(name).verbose_name
            errors[name] = _("%(field)s不能为负数") % {"field": label}
    return errors


HOUSEHOLD_NON_NEGATIVE = ("cultivated_land", "irrigated_land", "forest_land", "returned_farmland", "orchard_land",
                          "pasture_land", "water_surface", "road_distance_km", "house_area",
                          "relocation_self_paid", "relocation_debt", "vehicle_price")
MEMBER_NON_NEGATIVE = ("dibao_amount", "tekun_amount")
YEARLY_NON_NEGATIVE = ("wage_income", "business_income", "property_income", "transfer_income", "business_expense")


class PovertyLine(models.Model):
    """A poverty or monitoring line for a year, nationally (no area) or for an area (the most specific wins)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(_("类别"), max_length=20, choices=LineKind.choices, default=LineKind.NATIONAL)
    amount = Money(_("标准（元/人·年）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("扶贫标准")
        verbose_name_plural = _("扶贫标准")
        ordering = ["year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area", "kind"], name="poverty_line_unique"),
            models.UniqueConstraint(fields=["year", "kind"], condition=Q(area__isnull=True),
                                    name="poverty_line_unique_national"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="poverty_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.amount}"

    def clean(self) -> None:
        # poverty_line_amount_positive, said with the field's name.
        if isinstance(self.amount, Decimal | int | float) and self.amount <= 0:
            raise ValidationError({"amount": _("扶贫标准必须大于 0")})


# Fields that describe production and living conditions (REFERENCE §1); listed once so that forms,
# the household page and the demo generator agree.
LIVING_FIELDS = [
    "cultivated_land", "irrigated_land", "forest_land", "returned_farmland", "orchard_land", "pasture_land",
    "water_surface", "in_cooperative", "production_power", "domestic_power", "water_difficulty", "water_safe",
    "road_distance_km", "road_type", "fuel", "sanitary_toilet", "house_area", "house_structure", "house_built_year",
    "danger_grade", "relocated", "relocation_year", "relocation_site", "relocation_self_paid", "relocation_debt",
]
# The facts of the negative list (七不进, REFERENCE §3) recorded on the household, for the forms and the
# household page; the members' own (财政供养人员, 村委会成员) are in the member form.
NEGATIVE_LIST_FIELDS = [
    "vehicle_price", "urban_property", "operating_business", "large_scale_operation", "registered_not_resident",
    "false_information",
]


def validate_phone(value: str) -> None:
    """rules.phone_error as a field validator: full_clean (services, API), the forms and the importer run it."""
    error = rules.phone_error(value)
    if error:
        raise ValidationError(error, code="phone")


class Household(models.Model):
    number = models.CharField(_("户编号"), max_length=32, unique=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT,
                             related_name="households")
    # Copy of area.path, kept by the services: every list is scoped by this prefix without a join.
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    # Denormalised from the head member by the services, for fast lists and search.
    head_name = models.CharField(_("户主姓名"), max_length=50, editable=False, blank=True)
    # The head's name as a pinyin sort key (fupin.lib.pinyin.sort_key), kept with head_name: lists
    # sorted by 户主 follow pinyin order, as Chinese users expect, not code points.
    head_name_pinyin = models.CharField(_("户主姓名拼音排序键"), max_length=200, editable=False, blank=True,
                                        default="")
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0, editable=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)

    standard = models.CharField(_("识别标准"), max_length=20, choices=Standard.choices, default=Standard.NATIONAL)
    attribute = models.CharField(_("贫困户属性"), max_length=20, choices=Attribute.choices, default=Attribute.GENERAL)
    main_cause = models.CharField(_("主要致贫原因"), max_length=20, choices=Cause.choices)
    other_causes = models.JSONField(_("其他致贫原因"), default=list, blank=True)
    identified_year = models.PositiveSmallIntegerField(
        _("识别年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    exit_year_planned = models.PositiveSmallIntegerField(
        _("计划脱贫年度"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    exit_year = models.PositiveSmallIntegerField(
        _("实际脱贫年度"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("户状态"), max_length=20, choices=Status.choices, default=Status.POOR)
    cancel_reason = models.CharField(_("注销原因"), max_length=30, choices=CancelReason.choices, blank=True)

    # 生产条件
    cultivated_land = Mu(_("耕地面积（亩）"))
    irrigated_land = Mu(_("有效灌溉面积（亩）"))
    forest_land = Mu(_("林地面积（亩）"))
    returned_farmland = Mu(_("退耕还林面积（亩）"))
    orchard_land = Mu(_("林果面积（亩）"))
    pasture_land = Mu(_("牧草地面积（亩）"))
    water_surface = Mu(_("水面面积（亩）"))
    in_cooperative = models.BooleanField(_("是否加入农民专业合作社"), default=False)
    production_power = models.BooleanField(_("是否通生产用电"), default=True)
    # 生活条件
    domestic_power = models.BooleanField(_("是否通生活用电"), default=True)
    water_difficulty = models.BooleanField(_("饮水是否困难"), default=False)
    water_safe = models.BooleanField(_("饮水是否安全"), default=True)
    road_distance_km = models.DecimalField(_("与村主干路距离（公里）"), max_digits=6, decimal_places=2, default=ZERO)
    road_type = models.CharField(_("入户路类型"), max_length=20, choices=RoadType.choices, blank=True)
    fuel = models.CharField(_("主要燃料类型"), max_length=20, choices=Fuel.choices, blank=True)
    sanitary_toilet = models.BooleanField(_("有无卫生厕所"), default=False)
    house_area = models.DecimalField(_("住房面积（平方米）"), max_digits=8, decimal_places=2, default=ZERO,
                                     help_text=_("0 表示无房"))
    house_structure = models.CharField(_("房屋结构"), max_length=20, choices=HouseStructure.choices, blank=True)
    house_built_year = models.PositiveSmallIntegerField(
        _("建房年份"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    danger_grade = models.CharField(_("危房等级"), max_length=1, choices=DangerGrade.choices, blank=True)
    relocated = models.BooleanField(_("是否易地扶贫搬迁户"), default=False)
    relocation_year = models.PositiveSmallIntegerField(
        _("搬迁年度"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    relocation_site = models.CharField(_("安置点"), max_length=100, blank=True)
    relocation_self_paid = Money(_("自筹金额（元）"))
    relocation_debt = Money(_("搬迁负债（元）"))
    # 七不进 (REFERENCE §3 negative list): the recorded facts the exclusion rules read (fupin.standards).
    vehicle_price = Money(_("机动车购置价（元）"),
                          help_text=_("家庭拥有的机动车（不含农用车、生产经营用车）购置价合计；无车填 0"))
    urban_property = models.BooleanField(_("在城镇购买商品房、自建房或门面"), default=False)
    operating_business = models.BooleanField(_("成员有登记并经营的市场主体"), default=False)
    large_scale_operation = models.BooleanField(_("规模种养殖或长期雇工经营"), default=False)
    registered_not_resident = models.BooleanField(_("户在人不在（空挂户）"), default=False)
    false_information = models.BooleanField(_("提供虚假信息"), default=False)

    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        ordering = ["number"]
        indexes = [
            # "Everything inside X" (LIKE 'prefix%'); carrying number and id lets PostgreSQL count a
            # subtree and sort its page ids from the index alone (index-only scan, no table reads).
            # INCLUDE status: the lists count 在册户 (status ≠ 注销, fupin.registry.counts) from the index alone.
            models.Index(fields=["area_path"], name="household_area_prefix_idx", opclasses=["varchar_pattern_ops"],
                         include=["number", "id", "status"]),
            models.Index(fields=["area_path", "number"], name="household_area_number_idx"),
            models.Index(fields=["area_path", "main_cause"], name="household_area_cause_idx"),
            models.Index(fields=["status"], name="household_status_idx"),
            models.Index(fields=["head_name"], name="household_head_name_idx"),
            models.Index(fields=["head_name_pinyin", "head_name", "id"], name="household_head_pinyin_idx"),
        ]
        constraints = [
            *non_negative(*HOUSEHOLD_NON_NEGATIVE, prefix="household"),
            models.CheckConstraint(
                condition=Q(exit_year__isnull=True) | Q(exit_year__gte=F("identified_year")),
                name="household_exit_after_identification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    def clean(self) -> None:
        errors: dict[str, str] = negative_field_errors(self, HOUSEHOLD_NON_NEGATIVE)
        others = list(self.other_causes or [])
        valid = CAUSE_VALUES
        if any(c not in valid for c in others):
            errors["other_causes"] = _("其他致贫原因含有未知代码")
        elif self.main_cause and self.main_cause in others:
            errors["other_causes"] = _("其他致贫原因不能与主要致贫原因重复")
        elif len(set(others)) != len(others):
            errors["other_causes"] = _("其他致贫原因不能重复")
        if self.exit_year and self.identified_year and self.exit_year < self.identified_year:
            errors["exit_year"] = _("脱贫年度不能早于识别年度")
        if self.exit_year_planned and self.identified_year and self.exit_year_planned < self.identified_year:
            errors["exit_year_planned"] = _("计划脱贫年度不能早于识别年度")
        if isinstance(self.irrigated_land, Decimal) and isinstance(self.cultivated_land, Decimal) \
                and self.irrigated_land > self.cultivated_land and "irrigated_land" not in errors:
            errors["irrigated_land"] = _("有效灌溉面积不能大于耕地面积")
        if not self.relocated and (self.relocation_year or self.relocation_site):
            errors["relocated"] = _("填写了搬迁年度或安置点，请勾选“是否易地扶贫搬迁户”")
        for name, message in rules.household_year_errors(
                status=self.status, identified_year=self.identified_year, exit_year=self.exit_year,
                house_built_year=self.house_built_year, relocation_year=self.relocation_year).items():
            errors.setdefault(name, message)
        if self.status == Status.CANCELLED and not self.cancel_reason:
            errors["cancel_reason"] = _("注销必须注明原因")
        if self.area_id and self.area.level not in ("village", "group"):
            errors["area"] = _("贫困户必须登记到行政村或村民小组")
        if errors:
            raise ValidationError(errors)

    @property
    def other_cause_labels(self) -> list[str]:
        return [str(Cause(c).label) for c in self.other_causes or [] if c in CAUSE_VALUES]


class Member(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.PROTECT,
                                  related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("证件号码"), max_length=22)
    # The holder's 18-digit number, also for a 残疾人证 number: the same person is the same person
    # whichever document was entered (kept by clean(); the unique constraint below relies on it).
    citizen_id = models.CharField(_("公民身份号码"), max_length=18, blank=True, editable=False, db_index=True)
    id_kind = models.CharField(_("证件类型"), max_length=20, choices=IdKind.choices, default=IdKind.RIC,
                               editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)
    education = models.CharField(_("文化程度"), max_length=20, choices=Education.choices, blank=True)
    school_status = models.CharField(_("在校生状况"), max_length=20, choices=SchoolStatus.choices,
                                     default=SchoolStatus.NONE)
    health = models.CharField(_("健康状况"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    disability_category = models.CharField(_("残疾类别"), max_length=1, choices=DisabilityCategory.choices,
                                           blank=True)
    disability_grade = models.CharField(_("残疾等级"), max_length=1, choices=DisabilityGrade.choices, blank=True)
    disability_cert_no = models.CharField(_("残疾证号"), max_length=22, blank=True)
    labour = models.CharField(_("劳动能力"), max_length=20, choices=Labour.choices, blank=True)
    work_status = models.CharField(_("务工状况"), max_length=20, choices=WorkStatus.choices, blank=True)
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0,
                                                   validators=[MaxValueValidator(12)])
    work_place = models.CharField(_("务工地"), max_length=100, blank=True)
    medical_insurance = models.BooleanField(_("是否参加城乡居民基本医疗保险"), default=True)
    serious_illness_insurance = models.BooleanField(_("是否参加大病保险"), default=True)
    pension_insurance = models.BooleanField(_("是否参加城乡居民基本养老保险"), default=False)
    on_dibao = models.BooleanField(_("是否享受低保"), default=False)
    dibao_amount = Money(_("低保金（元/年）"))
    on_tekun = models.BooleanField(_("是否特困供养"), default=False)
    tekun_amount = Money(_("特困供养金（元/年）"))
    soldier = models.BooleanField(_("是否现役军人"), default=False)
    # 七不进 (REFERENCE §3 negative list)
    public_servant = models.BooleanField(_("财政供养人员"), default=False,
                                         help_text=_("公务员、事业单位在编人员等由财政发放工资的人员"))
    village_official = models.BooleanField(_("村委会成员"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])

    active = models.BooleanField(_("在户"), default=True, editable=False)
    removal_reason = models.CharField(_("减员原因"), max_length=20, choices=RemovalReason.choices, blank=True,
                                      editable=False)
    removed_on = models.DateField(_("减员日期"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["id_number"], name="member_id_number_idx"),
            models.Index(fields=["name"], name="member_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head", active=True),
                                    name="member_one_head_per_household"),
            models.UniqueConstraint(fields=["id_number"], condition=Q(active=True),
                                    name="member_one_active_household_per_person"),
            models.UniqueConstraint(fields=["citizen_id"], condition=Q(active=True) & ~Q(citizen_id=""),
                                    name="member_one_active_household_per_citizen"),
            *non_negative(*MEMBER_NON_NEGATIVE, prefix="member"),
            models.CheckConstraint(condition=Q(work_months__lte=12), name="member_work_months_lte_12"),
            models.CheckConstraint(condition=Q(active=True) | ~Q(removal_reason=""),
                                   name="member_removed_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_head(self) -> bool:
        return self.relation == Relation.HEAD

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def clean(self) -> None:
        """Check the ID number and make birth date and sex agree with it (REFERENCE §1, §6.2)."""
        errors: dict[str, str] = negative_field_errors(self, MEMBER_NON_NEGATIVE)
        try:
            info = idnumber.parse(self.id_number or "")
        except idnumber.IdNumberError as exc:
            raise ValidationError({"id_number": exc.message, **errors}) from exc
        self.id_number = info.number
        self.citizen_id = info.citizen_id
        self.id_kind = IdKind.DISABILITY if info.kind == "disability" else IdKind.RIC
        # A birth date or sex that is not a date / not a code was already reported by clean_fields().
        if self.birth_date is None:
            self.birth_date = info.birth_date
        elif isinstance(self.birth_date, datetime.date) and self.birth_date != info.birth_date:
            errors["birth_date"] = _("出生日期 %(given)s 与证件号码中的 %(derived)s 不一致") % {
                "given": self.birth_date.isoformat(), "derived": info.birth_date.isoformat()}
        if not self.sex:
            self.sex = info.sex
        elif self.sex in SEX_VALUES and self.sex != info.sex:
            errors["sex"] = _("性别“%(given)s”与证件号码（第 17 位）不一致，应为“%(derived)s”") % {
                "given": Sex(self.sex).label, "derived": Sex(info.sex).label}
        cert_error = self._disability_cert_error(info.citizen_id)
        if cert_error:
            errors["disability_cert_no"] = cert_error
        # A relation that contradicts the sex (之子 who is a woman), 务工状况 with 0 months and months
        # without 务工状况 are REFERENCE §6 疑点 (§6.10, §6.8), not invalid data: they are stored and
        # reported as findings for a cadre to verify (fupin.quality.rules), never refused here.
        if self.on_dibao is False and self.dibao_amount and "dibao_amount" not in errors:
            errors["dibao_amount"] = _("未享受低保，低保金应为 0")
        if self.on_tekun is False and self.tekun_amount and "tekun_amount" not in errors:
            errors["tekun_amount"] = _("未享受特困供养，特困供养金应为 0")
        if errors:
            raise ValidationError(errors)

    def _disability_cert_error(self, citizen_id: str) -> str | None:
        """What is wrong with the 残疾证号, if one is given: it must be a disability certificate number
        of the holder of ``citizen_id`` (its first 18 digits)."""
        if not self.disability_cert_no:
            return None
        try:
            cert = idnumber.parse(self.disability_cert_no)
        except idnumber.IdNumberError as exc:
            return exc.message
        if cert.kind != "disability":
            return _("残疾证号应为 20 位或 22 位")
        if cert.citizen_id != citizen_id:
            return _("残疾证号的前 18 位应与本人身份证号一致")
        return None


class YearlyRecord(models.Model):
    """One household's incomes and "两不愁三保障" indicators for one year. Earlier years are never
    overwritten by a later year's data: each year is its own row."""

    household = models.ForeignKey(Household, verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="yearly_records")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    member_count = models.PositiveSmallIntegerField(_("当年计算人口"), validators=[MinValueValidator(1)])
    wage_income = Money(_("工资性收入"))
    business_income = Money(_("生产经营性收入"))
    property_income = Money(_("财产性收入"))
    transfer_income = Money(_("转移性收入"))
    business_expense = Money(_("生产经营性支出"))
    # Derived by save(); never typed in.
    net_income = models.DecimalField(_("家庭纯收入"), max_digits=12, decimal_places=2, editable=False, default=ZERO)
    per_capita_income = models.DecimalField(_("人均纯收入"), max_digits=12, decimal_places=2, editable=False,
                                            default=ZERO)
    poverty_line = models.DecimalField(_("当年扶贫标准"), max_digits=12, decimal_places=2, null=True, blank=True,
                                       editable=False)
    # "两不愁三保障" and drinking water (REFERENCE §4); None = not assessed.
    food_clothing_secure = models.BooleanField(_("不愁吃、不愁穿"), null=True, blank=True)
    education_secure = models.BooleanField(_("义务教育有保障"), null=True, blank=True)
    medical_secure = models.BooleanField(_("基本医疗有保障"), null=True, blank=True)
    housing_secure = models.BooleanField(_("住房安全有保障"), null=True, blank=True)
    water_secure = models.BooleanField(_("饮水安全有保障"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度收入与保障")
        verbose_name_plural = _("年度收入与保障")
        ordering = ["household_id", "year"]
        indexes = [
            # One year's records for many households (the adjustment, the exit check, the rule preview,
            # the dashboards) read from this index alone on PostgreSQL, not from the heap where each
            # household's years lie side by side (the year's rows are on every page: --scale 100 reads
            # 8.5 M rows for 1.2 M). SQLite ignores ``include``: a plain (year, household) index there.
            models.Index(fields=["year", "household"], name="yearly_year_household_idx",
                         include=["per_capita_income", "net_income", "transfer_income", "food_clothing_secure"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="yearly_record_unique"),
            *non_negative(*YEARLY_NON_NEGATIVE, prefix="yearly"),
            models.CheckConstraint(condition=Q(member_count__gte=1), name="yearly_member_count_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = negative_field_errors(self, YEARLY_NON_NEGATIVE)
        if errors:
            raise ValidationError(errors)

    @property
    def total_income(self) -> Decimal:
        return self.wage_income + self.business_income + self.property_income + self.transfer_income

    def derive(self) -> None:
        """家庭纯收入 and 人均纯收入, by the registry's rule (fupin.registry.rules.derive_income)."""
        self.net_income, self.per_capita_income = rules.derive_income(
            wage=self.wage_income, business=self.business_income, property_=self.property_income,
            transfer=self.transfer_income, expense=self.business_expense, member_count=self.member_count)

    @property
    def above_line(self) -> bool | None:
        if self.poverty_line is None:
            return None
        return self.per_capita_income > self.poverty_line


class StatusChange(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200)
    procedure = models.CharField(_("程序"), max_length=20, choices=Procedure.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    # Household size when the status changed: "脱贫人口" of a year counts people as they were then.
    member_count = models.PositiveSmallIntegerField(_("当时家庭人口"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["household_id", "date", "id"]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.from_status} → {self.to_status} ({self.date})"
