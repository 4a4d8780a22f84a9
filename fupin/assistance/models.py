"""精准帮扶 (REFERENCE §8, issue 15): who helps (units, cadres, resident work teams), whom (pairings),
how (visits, one plan per household with its measures). A 帮扶责任人 account sees only the households
paired to the cadre it is linked to (fupin.assistance.selectors.paired_household_ids, registered with
the access policy)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("县直部门")
    TOWNSHIP = "township", _("乡镇")
    ENTERPRISE = "enterprise", _("企业")
    PAIRED = "paired", _("东西部协作/定点帮扶单位")
    OTHER = "other", _("其他")


class HelpingUnit(models.Model):
    """帮扶单位: a county department, an enterprise, a paired county or unit. ``area`` is the area it
    serves (usually the county): it is listed and managed by that area's officers."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                             related_name="helping_units")
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["area_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="assistance_unit_name_per_area")]

    def __str__(self) -> str:
        return self.name


class CadreRank(models.TextChoices):
    """Seed 000's 挂包帮 levels: county leaders link a township and a poor village; unit heads and staff,
    township and village cadres and team members pair with households."""

    COUNTY_LEADER = "county_leader", _("县级领导")
    UNIT_HEAD = "unit_head", _("单位负责人")
    STAFF = "staff", _("单位干部职工")
    TOWNSHIP = "township", _("乡镇干部")
    VILLAGE = "village", _("村干部")
    OTHER = "other", _("其他")


class Cadre(models.Model):
    """帮扶干部: a person who helps (帮扶责任人 when paired with households, a work-team member when
    posted to a village). ``user`` links the login account, if the cadre has one: the account then sees
    the cadre's paired households. ``left_on`` is the day the cadre left (调离/退休): their ongoing
    pairings are listed for reassignment until reassigned."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(HelpingUnit, verbose_name=_("帮扶单位"), on_delete=models.PROTECT,
                             related_name="cadres", null=True, blank=True)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    rank = models.CharField(_("干部类别"), max_length=20, choices=CadreRank.choices, default=CadreRank.STAFF)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                             related_name="cadres", help_text=_("管理该干部信息的区划（通常为县）"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.PROTECT,
                                related_name="cadre", null=True, blank=True)
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")
        ordering = ["area_id", "unit_id", "name", "id"]
        indexes = [models.Index(fields=["area", "left_on"], name="assistance_cadre_area_left")]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()


class WorkTeam(models.Model):
    """驻村工作队: the resident team of one village, sent by a unit, from ``start`` to ``end``."""

    village = models.ForeignKey("areas.Area", verbose_name=_("驻村"), on_delete=models.PROTECT,
                                related_name="work_teams")
    unit = models.ForeignKey(HelpingUnit, verbose_name=_("派出单位"), on_delete=models.PROTECT,
                             related_name="work_teams", null=True, blank=True)
    start = models.DateField(_("进驻日期"))
    end = models.DateField(_("撤离日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village_id", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["village"], condition=Q(end__isnull=True),
                                    name="assistance_one_open_team_per_village"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="assistance_team_end_after_start"),
        ]

    def __str__(self) -> str:
        return str(_("%(v)s驻村工作队") % {"v": self.village.name}) if self.village_id else str(_("驻村工作队"))


class PostRole(models.TextChoices):
    SECRETARY = "secretary", _("第一书记")
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class TeamPosting(models.Model):
    """A cadre's posting to a work team (派驻), with its role and dates; full-time members must spend at
    least 20 days a month in the village (REFERENCE §8): PresenceMonth records the days."""

    team = models.ForeignKey(WorkTeam, verbose_name=_("工作队"), on_delete=models.PROTECT, related_name="postings")
    cadre = models.ForeignKey(Cadre, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="postings")
    role = models.CharField(_("职责"), max_length=20, choices=PostRole.choices, default=PostRole.MEMBER)
    full_time = models.BooleanField(_("脱产驻村"), default=True)
    start = models.DateField(_("派驻日期"))
    end = models.DateField(_("召回日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻村派驻")
        verbose_name_plural = _("驻村派驻")
        ordering = ["team_id", "role", "start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "cadre"], condition=Q(end__isnull=True),
                                    name="assistance_one_open_posting_per_team_cadre"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="assistance_posting_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.get_role_display()}"


class PresenceMonth(models.Model):
    """驻村天数: the days a posted cadre spent in the village in one month (``month`` is its first day)."""

    posting = models.ForeignKey(TeamPosting, verbose_name=_("派驻"), on_delete=models.CASCADE, related_name="months")
    month = models.DateField(_("月份"))
    days = models.PositiveSmallIntegerField(_("在村天数"))

    class Meta:
        verbose_name = _("驻村天数")
        verbose_name_plural = _("驻村天数")
        ordering = ["posting_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "month"], name="assistance_one_presence_per_month"),
            models.CheckConstraint(condition=Q(days__lte=31), name="assistance_presence_days_le_31"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.days}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("月份须为该月 1 日")})


class PairingQuerySet(models.QuerySet):
    def ongoing(self, on: datetime.date | None = None) -> PairingQuerySet:
        """Pairings in force on ``on`` (today by default): started, and not ended yet. The end date is
        the day the pairing stopped (脱钩), so on that day the cadre no longer sees the household."""
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gt=on), start__lte=on)


class Pairing(models.Model):
    """帮扶结对: one cadre helps one household from ``start`` until ``end`` (empty while it lasts).
    A household may have several cadres; a cadre has one open pairing per household at a time."""

    cadre = models.ForeignKey("assistance.Cadre", verbose_name=_("帮扶责任人"), on_delete=models.PROTECT,
                              related_name="pairings")
    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="pairings")
    start = models.DateField(_("结对日期"))
    end = models.DateField(_("解除日期"), null=True, blank=True, help_text=_("空表示帮扶仍在进行"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶结对")
        verbose_name_plural = _("帮扶结对")
        ordering = ["household_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "household"], condition=Q(end__isnull=True),
                                    name="assistance_one_open_pairing_per_cadre_household"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="assistance_pairing_end_after_start"),
        ]
        indexes = [models.Index(fields=["cadre", "end"], name="assistance_pairing_cadre_end")]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.household}"

    def clean(self) -> None:
        if self.end is not None and self.start and self.end < self.start:
            raise ValidationError({"end": _("解除日期不能早于结对日期")})


class Visit(models.Model):
    """走访: one visit of a cadre to a household. ``client_id`` is the id the phone gave the visit when it
    was logged (offline, queued): a visit sent twice is stored once."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="visits")
    cadre = models.ForeignKey(Cadre, verbose_name=_("走访干部"), on_delete=models.PROTECT, related_name="visits")
    on = models.DateField(_("走访日期"))
    purpose = models.CharField(_("走访事由"), max_length=100)
    findings = models.TextField(_("发现的情况"), blank=True)
    help_given = models.TextField(_("帮扶举措"), blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    client_id = models.UUIDField(_("终端记录号"), null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["household", "on"], name="assistance_visit_household_on"),
                   models.Index(fields=["cadre", "on"], name="assistance_visit_cadre_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.cadre} → {self.household_id}"


class MeasureCategory(models.TextChoices):
    """REFERENCE §8's measure categories (五个一批 and the seeds)."""

    INDUSTRY = "industry", _("产业扶持")
    EMPLOYMENT = "employment", _("就业扶持")
    EDUCATION = "education", _("教育扶持")
    HEALTH = "health", _("健康扶贫")
    HOUSING = "housing", _("危房改造")
    RELOCATION = "relocation", _("易地扶贫搬迁")
    FINANCE = "finance", _("金融扶贫")
    ECOLOGY = "ecology", _("生态补偿")
    SAFETY_NET = "safety_net", _("低保/特困兜底")
    RELIEF = "relief", _("临时救助")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    OTHER = "other", _("其他")


class CatalogueMeasure(models.Model):
    """帮扶措施目录 (the "菜单"): a measure a plan may choose, keyed to the causes it answers (codes of
    fupin.registry.choices.Cause). ``area`` empty: offered everywhere; else in that area's subtree."""

    category = models.CharField(_("措施类别"), max_length=20, choices=MeasureCategory.choices)
    name = models.CharField(_("措施名称"), max_length=100)
    causes = models.JSONField(_("对应致贫原因"), default=list, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), on_delete=models.PROTECT,
                             related_name="+", null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("帮扶措施目录")
        verbose_name_plural = _("帮扶措施目录")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}·{self.name}"

    def clean(self) -> None:
        from fupin.registry.models import CAUSE_VALUES

        if not isinstance(self.causes, list) or any(c not in CAUSE_VALUES for c in self.causes):
            raise ValidationError({"causes": _("对应致贫原因含有未知代码")})


class Plan(models.Model):
    """一户一策: the plan of one household for one year. ``version`` counts saves (optimistic locking)."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.TextField(_("帮扶思路"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一户一策帮扶计划")
        verbose_name_plural = _("一户一策帮扶计划")
        ordering = ["household_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="assistance_one_plan_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.household_id}"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    ONGOING = "ongoing", _("实施中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PlanMeasure(models.Model):
    """One measure of a plan: what, answering which cause, by whom (unit, cadre), when, with how much
    money (yuan, to the fen), its status and result."""

    plan = models.ForeignKey(Plan, verbose_name=_("帮扶计划"), on_delete=models.CASCADE, related_name="measures")
    catalogue = models.ForeignKey(CatalogueMeasure, verbose_name=_("目录措施"), on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    category = models.CharField(_("措施类别"), max_length=20, choices=MeasureCategory.choices)
    name = models.CharField(_("措施内容"), max_length=200)
    cause = models.CharField(_("针对致贫原因"), max_length=20, blank=True)
    unit = models.ForeignKey(HelpingUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="+", null=True, blank=True)
    cadre = models.ForeignKey(Cadre, verbose_name=_("责任人"), on_delete=models.PROTECT,
                              related_name="measures", null=True, blank=True)
    planned_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    funds = models.DecimalField(_("资金（元）"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.TextField(_("成效"), blank=True)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan_id", "planned_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(funds__gte=0), name="assistance_measure_funds_ge_0")]
        indexes = [models.Index(fields=["status", "planned_on"], name="assistance_measure_status_due")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from fupin.registry.models import CAUSE_VALUES

        if self.cause and self.cause not in CAUSE_VALUES:
            raise ValidationError({"cause": _("未知的致贫原因代码")})
        if self.status == MeasureStatus.DONE and self.done_on is None:
            raise ValidationError({"done_on": _("已完成的措施须填写完成日期")})


class RuleKey(models.TextChoices):
    """The assistance thresholds a county may set (fupin.assistance.rules.DEFAULTS holds the values used
    where no row is set; the seeds fix only the 20 days)."""

    CADRE_MAX_HOUSEHOLDS = "cadre_max_households", _("每名帮扶责任人结对户数上限")
    VISIT_INTERVAL_DAYS = "visit_interval_days", _("走访间隔上限（天）")
    TEAM_MIN_DAYS = "team_min_days", _("脱产驻村队员每月在村天数下限")
    LEADER_MIN_VILLAGES = "leader_min_villages", _("县级领导联系贫困村数下限")
    DEPARTMENT_MIN_VILLAGES = "department_min_villages", _("县直部门挂包村数下限")


class AssistanceRule(models.Model):
    """A threshold of the assistance checks for an area's subtree (the most specific area wins; no area:
    everywhere). Read through fupin.assistance.rules.threshold."""

    key = models.CharField(_("规则"), max_length=40, choices=RuleKey.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), on_delete=models.PROTECT,
                             related_name="+", null=True, blank=True)
    value = models.PositiveIntegerField(_("数值"))
    note = models.CharField(_("依据"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("帮扶规则")
        verbose_name_plural = _("帮扶规则")
        ordering = ["key", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "area"], name="assistance_rule_per_area"),
            models.UniqueConstraint(fields=["key"], condition=Q(area__isnull=True), name="assistance_rule_default"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.value}"


# --- issue 15 (visit15) ---

def visit_photo_path(instance: VisitPhoto, filename: str) -> str:
    # The stored name is the checksum (no user-chosen path reaches the disk); the shown name is kept apart.
    return f"visits/{instance.visit_id}/{instance.sha256}{instance.extension}"


class VisitPhoto(models.Model):
    """A photo taken at a visit: checked by its first bytes (JPEG, PNG), resized to at most 1600 px on
    its longer side (fupin.assistance.services_visits.visit_photo_add), served only through a scoped,
    audited view. The same picture sent twice for one visit is stored once (``sha256`` of the upload)."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to=visit_photo_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽（像素）"))
    height = models.PositiveIntegerField(_("高（像素）"))
    sha256 = models.CharField(_("校验值"), max_length=64, help_text=_("上传原件的校验值（同一张照片只存一次）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit_id", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "sha256"], name="assistance_visit_photo_once")]

    def __str__(self) -> str:
        return self.name
# --- issue 15 (card15) ---


class CardIssue(models.Model):
    """明白卡: one version of a household's card as it was issued (REFERENCE §8). A new version is issued
    only when the card's data changed since the last one (``digest``: SHA-256 of the printed data,
    fupin.assistance.cards); printing the same data again reprints the same version (``reprints``,
    ``last_printed_at``). The printed card says "第 N 版 … 替换旧卡": seed 002 found old cards stuck
    beside new ones."""

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="card_issues")
    version = models.PositiveIntegerField(_("版本"))
    issued_at = models.DateTimeField(_("印制时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("印制人"), on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    digest = models.CharField(_("卡面数据摘要"), max_length=64)
    reprints = models.PositiveIntegerField(_("重印次数"), default=0)
    last_printed_at = models.DateTimeField(_("最近打印时间"))

    class Meta:
        verbose_name = _("明白卡印制记录")
        verbose_name_plural = _("明白卡印制记录")
        ordering = ["household_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["household", "version"], name="assistance_card_version_once"),
            models.CheckConstraint(condition=Q(version__gte=1), name="assistance_card_version_ge_1"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} 第{self.version}版"
# --- issue 15 (who15) ---


class AreaLink(models.Model):
    """挂钩联系 (seed 000 "领导联乡包村、部门包村"): a county leader (``cadre``) linked to a township and to
    poor villages, or a helping unit (``unit``, a county department) linked to villages, from ``start``
    until ``end`` (empty while it lasts). Exactly one of ``cadre`` and ``unit`` is set. Ended links stay:
    they are the history of who was linked where."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("挂钩领导"), on_delete=models.PROTECT, related_name="links",
                              null=True, blank=True)
    unit = models.ForeignKey(HelpingUnit, verbose_name=_("挂包单位"), on_delete=models.PROTECT, related_name="links",
                             null=True, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("挂钩乡镇/联系村"), on_delete=models.PROTECT,
                             related_name="assistance_links")
    start = models.DateField(_("挂钩日期"))
    end = models.DateField(_("解除日期"), null=True, blank=True, help_text=_("空表示仍在挂钩"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂钩联系")
        verbose_name_plural = _("挂钩联系")
        ordering = ["area_id", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=(Q(cadre__isnull=False) & Q(unit__isnull=True))
                                   | (Q(cadre__isnull=True) & Q(unit__isnull=False)),
                                   name="assistance_link_cadre_xor_unit"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                   name="assistance_link_end_after_start"),
            models.UniqueConstraint(fields=["cadre", "area"], condition=Q(end__isnull=True, cadre__isnull=False),
                                    name="assistance_one_open_link_per_cadre_area"),
            models.UniqueConstraint(fields=["unit", "area"], condition=Q(end__isnull=True, unit__isnull=False),
                                    name="assistance_one_open_link_per_unit_area"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre or self.unit} → {self.area}"

    @property
    def holder(self) -> Cadre | HelpingUnit | None:
        return self.cadre or self.unit

    def clean(self) -> None:
        if (self.cadre_id is None) == (self.unit_id is None):
            raise ValidationError(_("挂钩联系须且只能指定一名领导或一个单位"))
        if self.end is not None and self.start and self.end < self.start:
            raise ValidationError({"end": _("解除日期不能早于挂钩日期")})
        if self.area_id and self.area.level not in ("township", "village"):
            raise ValidationError({"area": _("挂钩对象须为乡镇或行政村")})


class GapRollup(models.Model):
    """The gap report's counts of one area, stored (fupin.assistance.gaps; kept exact by the mechanism of
    fupin.monitoring.rollups: valid while the audit trail's last write concerning the area is ``stamp``,
    and only on the day computed)."""

    area_path = models.CharField(_("区划前缀"), max_length=15)
    #: "today": the gaps are of the day they were computed on (``computed_at``).
    day = models.CharField(_("截至日期"), max_length=10)
    child_length = models.PositiveSmallIntegerField(_("下级区划代码长度"), default=0)
    stamp = models.BigIntegerField(_("数据版本"))
    data = models.JSONField(_("统计结果"))
    computed_at = models.DateTimeField(_("计算时间"))
    seconds = models.FloatField(_("计算用时（秒）"), default=0)

    class Meta:
        verbose_name = _("帮扶缺口预计算结果")
        verbose_name_plural = _("帮扶缺口预计算结果")
        constraints = [
            models.UniqueConstraint(fields=["area_path", "day", "child_length"], name="gap_rollup_one_per_area_day"),
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} #{self.stamp}"
