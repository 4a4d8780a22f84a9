"""防返贫动态监测 (issue 14; REFERENCE §7; seeds 001 and 004).

A **monitoring object** (监测对象) is one household's episode of being monitored: how it was found, its
kind (脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户), its risk types, the income counted over the twelve months
before the application against the monitoring line of its province and year, the 即时帮扶 flag, and the
dates it was enrolled and its risk eliminated. The household's status carries the same fact for the
registry (监测对象(风险未消除) / (风险已消除)); the entry and risk-elimination procedures are cases on the
workflow module (fupin.identification: kinds ``monitor_entry`` and ``monitor_clear``).

A **measure** (帮扶措施) is one help given to a monitored household by a sector, with its date: the ledger
(台账) of 即时帮扶 and the "≥ 1 measure" condition of risk elimination read them.

A **sector list** (部门预警名单) is one file pushed by a department (medical bills, disaster reports …);
each row matched to a registry member by ID number and hit by a warning rule raises a **warning**
(预警), assigned to the member's village with a time limit, closed as enrolled, not at risk (with a
reason) or duplicate. Rows that match no one or are malformed stay in the list's report, by row number.

A **target** (目标任务) is a quota of seed 000 per area and year (households and people to exit, …), as
data the dashboards compare against.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ObjectKind(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    EDGE = "edge", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class RiskType(models.TextChoices):
    """REFERENCE §7's risk types, in its order."""

    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    ACCIDENT = "accident", _("因意外事故")
    EPIDEMIC = "epidemic", _("因疫情")
    INDUSTRY = "industry", _("产业失败")
    EMPLOYMENT = "employment", _("务工就业不稳")
    LABOUR = "labour", _("缺劳动力")
    HOUSING = "housing", _("住房安全问题")
    EDUCATION = "education", _("义务教育问题")
    MEDICAL = "medical", _("基本医疗问题")
    WATER = "water", _("饮水安全问题")
    INCOME_DROP = "income_drop", _("收入大幅缩减")
    OTHER = "other", _("其他")


def risk_labels(codes: list[str]) -> str:
    """The risk types of an object in words (其他 codes no longer known are left out)."""
    return "、".join(str(RiskType(c).label) for c in codes if c in RiskType.values)


class Channel(models.TextChoices):
    """How the household came to notice (REFERENCE §7's discovery channels)."""

    IN_PERSON = "in_person", _("农户自主申报")
    HOTLINE = "hotline", _("热线电话申报")
    MOBILE = "mobile", _("手机端申报")
    VISIT = "visit", _("干部走访排查")
    WARNING = "warning", _("部门筛查预警")


class ObjectState(models.TextChoices):
    #: Found, the entry procedure running (or not yet started): not yet a monitoring object.
    PENDING = "pending", _("纳入程序中")
    #: Enrolled (县级审定), risk not eliminated.
    AT_RISK = "at_risk", _("风险未消除")
    #: Risk eliminated (its own procedure, REFERENCE §7's conditions).
    CLEARED = "cleared", _("风险已消除")
    #: The entry procedure refused or withdrawn: never enrolled.
    NOT_ENROLLED = "not_enrolled", _("未纳入")


#: States in which the household is a monitoring object (counted on the dashboards as such).
ENROLLED_STATES = frozenset({ObjectState.AT_RISK, ObjectState.CLEARED})
#: States that are over: a household may be found again (a new episode) only when its last one is here.
CLOSED_STATES = frozenset({ObjectState.CLEARED, ObjectState.NOT_ENROLLED})


class MonitoringObject(models.Model):
    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT,
                                  related_name="monitoring")
    #: Copy of the household's area path, for scoped lists and dashboards without a join.
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    kind = models.CharField(_("监测对象类别"), max_length=10, choices=ObjectKind.choices)
    #: RiskType values, the main one first.
    risk_types = models.JSONField(_("风险类型"), default=list)
    channel = models.CharField(_("发现途径"), max_length=10, choices=Channel.choices)
    found_on = models.DateField(_("发现日期"))
    #: 人均纯收入 over the twelve months before the application, and the monitoring line it was set against
    #: (the line of the household's province for ``line_year``, REFERENCE §7).
    income_12m = models.DecimalField(_("近12个月人均纯收入"), max_digits=12, decimal_places=2, null=True, blank=True)
    line = models.DecimalField(_("监测标准"), max_digits=10, decimal_places=2, null=True, blank=True)
    line_year = models.PositiveSmallIntegerField(_("监测标准年度"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=15, choices=ObjectState.choices, default=ObjectState.PENDING)
    enrolled_on = models.DateField(_("纳入日期"), null=True, blank=True)
    cleared_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    #: 即时帮扶 (seed 001): flagged at once, before the procedure ends, so help starts the same day.
    instant = models.BooleanField(_("即时帮扶"), default=False)
    instant_on = models.DateField(_("即时帮扶标注日期"), null=True, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    #: The warning that led to it, when it came from a sector list.
    alert = models.ForeignKey("monitoring.Alert", verbose_name=_("来源预警"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # --- the procedures (mproc): the cases on the workflow module, and what the risk-elimination visit found.
    #: How ``income_12m`` was obtained: "entered" (counted on the visit) or "record" (last year's record).
    income_basis = models.CharField(_("收入核算方式"), max_length=10, blank=True)
    entry_case = models.ForeignKey("identification.Case", verbose_name=_("纳入程序"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    clear_case = models.ForeignKey("identification.Case", verbose_name=_("风险消除程序"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    #: The 12-month per-capita income counted at the risk-elimination visit, and the date since which the
    #: household's income has stayed above the line (REFERENCE §7: stably, ≥ half a year).
    clear_income_12m = models.DecimalField(_("消除时近12个月人均纯收入"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    income_above_since = models.DateField(_("收入稳定超过监测标准起始日期"), null=True, blank=True)
    #: Whether the large rigid expenses are resolved (found on the visit; the registry does not record them).
    rigid_resolved = models.BooleanField(_("刚性支出问题已解决"), null=True, blank=True)
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["area_path"], name="mobj_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["state", "kind"], name="mobj_state_kind_idx"),
        ]
        constraints = [
            # One open episode per household: found again only after the last one was cleared or refused.
            models.UniqueConstraint(fields=["household"], name="mobj_one_open_per_household",
                                    condition=Q(state__in=["pending", "at_risk"])),
            models.CheckConstraint(condition=Q(income_12m__isnull=True) | Q(income_12m__gte=-10_000_000),
                                   name="mobj_income_sane"),
            models.CheckConstraint(condition=Q(line__isnull=True) | Q(line__gte=0), name="mobj_line_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household_id} {self.found_on}"


class Sector(models.TextChoices):
    """The departments that help (行业部门) and push warning lists."""

    HEALTH = "health", _("卫健/医保")
    EDUCATION = "education", _("教育")
    HOUSING = "housing", _("住建")
    CIVIL = "civil", _("民政")
    LABOUR = "labour", _("人社")
    AGRICULTURE = "agriculture", _("农业农村")
    WATER = "water", _("水利")
    EMERGENCY = "emergency", _("应急管理")
    DISABLED = "disabled", _("残联")
    RURAL = "rural", _("乡村振兴")
    FINANCE = "finance", _("金融")
    OTHER = "other", _("其他")


class Measure(models.Model):
    """One help given to a monitored household (帮扶措施台账)."""

    object = models.ForeignKey(MonitoringObject, verbose_name=_("监测对象"), on_delete=models.CASCADE,
                               related_name="measures")
    sector = models.CharField(_("责任部门"), max_length=15, choices=Sector.choices)
    #: What kind of help: 产业帮扶, 就业帮扶, 医疗救助, 临时救助, 低保, 教育资助, 危房改造 … (free text, short).
    category = models.CharField(_("措施类型"), max_length=30)
    description = models.CharField(_("措施内容"), max_length=300, blank=True)
    date = models.DateField(_("实施日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["object_id", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="measure_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.category} {self.date}"


class ListKind(models.TextChoices):
    """The sector lists a department pushes (issue 14 item 2), each with its own columns besides REFERENCE
    §13's common ones (fupin.monitoring.rules declares them)."""

    MEDICAL = "medical", _("医疗费用")
    DISASTER = "disaster", _("灾情报告")
    UNEMPLOYMENT = "unemployment", _("失业登记")
    DROPOUT = "dropout", _("失学辍学")
    DANGEROUS_HOUSE = "dangerous_house", _("危房鉴定")
    DIBAO = "dibao", _("低保变动")


class SectorList(models.Model):
    """One file pushed by a department: what came in and what became of every row."""

    kind = models.CharField(_("名单类别"), max_length=20, choices=ListKind.choices)
    #: The area the list was pushed for (its rows must lie inside it).
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件校验和"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    matched = models.PositiveIntegerField(_("匹配到人"), default=0)
    raised = models.PositiveIntegerField(_("触发预警"), default=0)
    unmatched = models.PositiveIntegerField(_("未匹配"), default=0)
    malformed = models.PositiveIntegerField(_("格式错误"), default=0)
    #: Every row that raised nothing, by row number: [{"row": n, "outcome": "unmatched"|"malformed"|"no_rule",
    #: "message": "…", "id_number": masked}, …]
    report = models.JSONField(_("处理结果"), default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("推送人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("部门预警名单")
        verbose_name_plural = _("部门预警名单")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    ENROLLED = "enrolled", _("已纳入监测")
    NOT_AT_RISK = "not_at_risk", _("经核实无风险")
    DUPLICATE = "duplicate", _("重复预警")


class Alert(models.Model):
    """A warning raised for one household: from a sector list's row (or typed in by a department), assigned
    to the household's village with a time limit, closed with an outcome."""

    kind = models.CharField(_("预警类别"), max_length=20, choices=ListKind.choices)
    sector_list = models.ForeignKey(SectorList, verbose_name=_("来源名单"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="alerts")
    row_number = models.PositiveIntegerField(_("名单行号"), null=True, blank=True)
    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT,
                                  related_name="alerts")
    member = models.ForeignKey("registry.Member", verbose_name=_("成员"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    #: The village it is assigned to, and a copy of the household's path for scoped lists.
    village = models.ForeignKey("areas.Area", verbose_name=_("责任村"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    #: The row's own fields (amounts, dates …), as read.
    data = models.JSONField(_("名单数据"), default=dict, blank=True)
    #: Why it was raised, in words (the rule and the figures), and the rule's key/version as data.
    reason = models.CharField(_("预警原因"), max_length=300)
    rule = models.JSONField(_("预警规则"), default=dict, blank=True)
    raised_on = models.DateField(_("预警日期"))
    due_on = models.DateField(_("核实时限"))
    status = models.CharField(_("状态"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    closed_note = models.CharField(_("核实说明"), max_length=300, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    #: The monitoring object it led to (closed as enrolled).
    object = models.ForeignKey(MonitoringObject, verbose_name=_("纳入的监测对象"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["area_path"], name="alert_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "due_on"], name="alert_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("raised_on")), name="alert_due_after_raised"),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_on__isnull=False),
                                   name="alert_closed_has_date"),
            # (alerts) One open warning per household and kind: a second row while one is open is a
            # duplicate (reported), also when two pushes run at once.
            models.UniqueConstraint(fields=["household", "kind"], condition=Q(status="open"),
                                    name="alert_one_open_per_household_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household_id} {self.raised_on}"


class TargetKind(models.TextChoices):
    """Seed 000's quotas (目标任务), per area and year."""

    EXIT_HOUSEHOLDS = "exit_households", _("脱贫户数")
    EXIT_PEOPLE = "exit_people", _("脱贫人数")
    VILLAGE_EXITS = "village_exits", _("贫困村出列个数")
    INCOME = "income", _("农村常住居民人均可支配收入（元）")
    RETURN_CAP = "return_cap", _("返贫人数上限")


class Target(models.Model):
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2013), MaxValueValidator(2100)])
    kind = models.CharField(_("指标"), max_length=20, choices=TargetKind.choices)
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(0)])
    note = models.CharField(_("依据"), max_length=200, blank=True)
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["area_id", "year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "kind"], name="target_one_per_area_year_kind"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} {self.value}"


class ReportStatus(models.TextChoices):
    NEW = "new", _("待走访")
    FOUND = "found", _("已登记为监测对象")
    DISMISSED = "dismissed", _("经走访无需纳入")


class SelfReport(models.Model):
    """A household's own application on the public mobile page (/public/monitoring/apply/, REFERENCE §7 "on a
    mobile page"): what it typed and the receipt number it was given. It lands in the village cadre's 待办 to
    visit; the visit either finds the household (object_found, channel 手机端申报) or dismisses it with a note.
    Nothing here is linked to a household until a cadre does so."""

    receipt = models.CharField(_("回执编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    village = models.ForeignKey("areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    situation = models.CharField(_("困难情况"), max_length=500)
    #: A keyed hash of the sender's IP (the rate limit's key; the address itself is not kept).
    ip_hash = models.CharField(_("来源标识"), max_length=64, editable=False, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW)
    handled_note = models.CharField(_("走访情况"), max_length=300, blank=True)
    handled_on = models.DateField(_("办理日期"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    object = models.ForeignKey(MonitoringObject, verbose_name=_("登记的监测对象"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("手机端申报")
        verbose_name_plural = _("手机端申报")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["area_path"], name="selfreport_area_prefix_idx",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.receipt} {self.name}"
class FigureRollup(models.Model):
    """The dashboards' precomputed figures (dash): the grouped query results of one area's dashboard as
    of a date (None: today), broken down by the level below, valid while the audit trail's last write
    is ``stamp`` (fupin.monitoring.rollups says how they are kept exact)."""

    area_path = models.CharField(_("区划前缀"), max_length=15)
    #: "YYYY-MM-DD", or "today" for the current figures.
    day = models.CharField(_("截至日期"), max_length=10)
    child_length = models.PositiveSmallIntegerField(_("下级区划代码长度"), default=0)
    stamp = models.BigIntegerField(_("数据版本"))
    data = models.JSONField(_("统计结果"))
    computed_at = models.DateTimeField(_("计算时间"))
    seconds = models.FloatField(_("计算用时（秒）"), default=0)

    class Meta:
        verbose_name = _("看板预计算结果")
        verbose_name_plural = _("看板预计算结果")
        constraints = [
            models.UniqueConstraint(fields=["area_path", "day", "child_length"], name="rollup_one_per_area_day"),
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.day} #{self.stamp}"


# --- (alerts) warning rules as data ------------------------------------------------------------------------


class AlertRule(models.Model):
    """One version of the warning rule of a kind of sector list, for an area (None: everywhere) — the
    parameters fupin.monitoring.alerts.RULES reads (thresholds, grades, the time limit in days). A change
    is a new version; the alerts it raised keep the key and version they were raised under."""

    kind = models.CharField(_("名单类别"), max_length=20, choices=ListKind.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"))
    params = models.JSONField(_("参数"), default=dict)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "area", "version"], name="alertrule_one_version"),
            models.UniqueConstraint(fields=["kind", "version"], condition=Q(area__isnull=True),
                                    name="alertrule_one_version_national"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


# 年度档案 (archive helper): its own module, imported here so that Django finds the model.
from .models_archive import Archive, ArchiveState  # noqa: E402, F401
