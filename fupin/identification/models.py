"""Cases, their steps, attachments, public notices and objections (issue 13; REFERENCE §3, §4).

A **case** is one procedure for one household (识别: the seven steps; 退出: appraisal → 户认可 → notice →
announcement → 销号) or for one village (贫困村退出). Its ``step`` is the state of a workflow process
(fupin.identification.rules: the transition tables); each step taken is a :class:`CaseEvent` with who,
when, the opinion, vote counts, the home-visit checklist and attachments.

A **notice** (公示/公告) lists cases on a board for a period; each listed case is a :class:`NoticeEntry`
holding what the paper shows, already masked (name, village and group, size, masked ID number, reason),
so the public board at /public/ shows exactly the paper and reads nothing else. **Objections** are
recorded against a notice (and the entry they concern) during its period and must be resolved before the
listed cases may take their next step.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    IDENTIFICATION = "identification", _("贫困户识别")
    EXIT = "exit", _("贫困户退出")
    VILLAGE_EXIT = "village_exit", _("贫困村退出")
    # 防返贫监测 (issue 14; REFERENCE §7): the entry and risk-elimination procedures (fupin.monitoring).
    MONITOR_ENTRY = "monitor_entry", _("监测对象纳入")
    MONITOR_CLEAR = "monitor_clear", _("风险消除")


class Origin(models.TextChoices):
    APPLICATION = "application", _("农户申请")
    CADRE_REPORT = "cadre_report", _("干部摸排上报")
    PROPOSAL = "proposal", _("村委会和工作队提名")
    ADJUSTMENT = "adjustment", _("动态调整")
    #: A department's warning list (部门筛查预警, issue 14) that a village verified and enrolled.
    WARNING = "warning", _("部门筛查预警")


class Step(models.TextChoices):
    """Every state a case can be in, of every kind (each kind's table uses its own subset)."""

    # 识别 (REFERENCE §3): the state names the last step done.
    APPLIED = "applied", _("户申报")
    GROUP = "group", _("小组议")
    VILLAGE = "village", _("村评定")
    VISITED = "visited", _("入户查")
    TOWNSHIP = "township", _("逐级核")
    COUNTY = "county", _("县确认")
    CITY = "city", _("市抽查")
    # 退出 (REFERENCE §4)
    PROPOSED = "proposed", _("民主评议")
    AGREED = "agreed", _("户认可")
    REVIEWED = "reviewed", _("公示无异议·乡镇审核")
    CLOSED = "closed", _("销号")
    # 贫困村退出 (REFERENCE §4: notice in the township, announcement by the county)
    VILLAGE_PROPOSED = "village_proposed", _("乡镇申请")
    VILLAGE_REVIEWED = "village_reviewed", _("县级核查")
    VILLAGE_EXITED = "village_exited", _("批准退出")
    # 监测对象纳入 (REFERENCE §7): visit with signed consent → cross-check → village appraisal and notice
    # (≥ 5 days) → township review → county approval → announcement → recorded.
    ENTRY_VISIT = "entry_visit", _("入户核实")
    ENTRY_CHECK = "entry_check", _("数据比对")
    ENTRY_APPRAISAL = "entry_appraisal", _("村级民主评议")
    ENTRY_TOWNSHIP = "entry_township", _("乡镇审核")
    ENTRY_COUNTY = "entry_county", _("县级审定")
    ENTRY_RECORDED = "entry_recorded", _("公告录入")
    # 风险消除: the same procedure (REFERENCE §7: "Same procedure as entry"), its own states so that each
    # has its own notices.
    CLEAR_VISIT = "clear_visit", _("入户核实")
    CLEAR_CHECK = "clear_check", _("数据比对")
    CLEAR_APPRAISAL = "clear_appraisal", _("村级民主评议")
    CLEAR_TOWNSHIP = "clear_township", _("乡镇审核")
    CLEAR_COUNTY = "clear_county", _("县级审定")
    CLEAR_RECORDED = "clear_recorded", _("公告录入")
    # Every kind
    REJECTED = "rejected", _("不予通过")
    WITHDRAWN = "withdrawn", _("撤回")


class Case(models.Model):
    kind = models.CharField(_("类别"), max_length=20, choices=CaseKind.choices)
    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="cases")
    #: The village (a household's village even when it lives in a group; the village itself for 贫困村退出).
    area = models.ForeignKey("areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="cases")
    #: Copy of the household's area path (or the village's), for scoped lists without a join.
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2013), MaxValueValidator(2100)])
    origin = models.CharField(_("来源"), max_length=20, choices=Origin.choices, default=Origin.APPLICATION)
    step = models.CharField(_("当前环节"), max_length=20, choices=Step.choices)
    #: Why the household applies / was reported (申请理由), or why it may exit.
    reason = models.CharField(_("申请理由"), max_length=300, blank=True)
    #: The standards decision that backs the case (exit check; identification scoring).
    decision = models.ForeignKey("standards.Decision", verbose_name=_("标准判定"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("识别退出案件")
        verbose_name_plural = _("识别退出案件")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["area_path"], name="case_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "step"], name="case_kind_step_idx"),
        ]
        constraints = [
            # One open case of a kind per household: a second application while one runs is refused.
            models.UniqueConstraint(fields=["household", "kind"], name="case_one_open_per_household",
                                    condition=~Q(step__in=["city", "closed", "entry_recorded", "clear_recorded",
                                                              "rejected", "withdrawn"])
                                    & Q(household__isnull=False)),
            models.UniqueConstraint(fields=["area", "kind"], name="case_one_open_village_exit",
                                    condition=Q(kind="village_exit") & ~Q(step__in=["village_exited", "rejected",
                                                                                      "withdrawn"])),
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(kind="village_exit"),
                                   name="case_household_unless_village_exit"),
        ]

    def __str__(self) -> str:
        who = self.household.head_name if self.household_id and self.household else self.area.name
        return f"{self.get_kind_display()} {who} {self.year}"


class CaseEvent(models.Model):
    """One step of a case: who, when, the opinion; the vote of a democratic appraisal (with the quorum
    checked by fupin.identification.rules); the home-visit checklist; a send-back with its reason."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="events")
    from_step = models.CharField(_("原环节"), max_length=20, choices=Step.choices, blank=True)
    to_step = models.CharField(_("新环节"), max_length=20, choices=Step.choices)
    date = models.DateField(_("日期"))
    opinion = models.CharField(_("意见"), max_length=500)
    sent_back = models.BooleanField(_("退回"), default=False)
    representatives = models.PositiveSmallIntegerField(_("应到代表人数"), null=True, blank=True)
    present = models.PositiveSmallIntegerField(_("实到人数"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("同意票"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("反对票"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权票"), null=True, blank=True)
    #: The home-visit checklist (入户查): {item key: {"ok": bool, "note": str}}, keys in rules.CHECKLIST.
    checklist = models.JSONField(_("入户核查清单"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件环节记录")
        verbose_name_plural = _("案件环节记录")
        ordering = ["case_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(present__isnull=True) | Q(representatives__isnull=True)
                                   | Q(present__lte=F("representatives")), name="caseevent_present_le_total"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_step} → {self.to_step}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the checksum (no user-chosen path reaches the disk); the shown name is kept apart.
    return f"cases/{instance.case_id}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A photo or a scanned signed form of a case step (type and size checked by services.attachment_add)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, verbose_name=_("环节"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.name


class NoticeKind(models.TextChoices):
    """The kinds of fupin.documents.notices.KINDS (same codes), plus the village-exit pair."""

    FIRST = "first", _("识别第一次公示（村）")
    SECOND = "second", _("识别第二次公示（村）")
    COUNTY = "county", _("识别公告（县）")
    EXIT_NOTICE = "exit_notice", _("退出公示（村）")
    EXIT_ANNOUNCEMENT = "exit_announcement", _("退出公告（县）")
    VILLAGE_EXIT_NOTICE = "village_exit_notice", _("贫困村退出公示（乡镇）")
    VILLAGE_EXIT_ANNOUNCEMENT = "village_exit_announcement", _("贫困村退出公告（县）")
    MONITOR_ENTRY_NOTICE = "monitor_entry_notice", _("监测对象纳入公示（村）")
    MONITOR_ENTRY_ANNOUNCEMENT = "monitor_entry_announcement", _("监测对象纳入公告（县）")
    MONITOR_CLEAR_NOTICE = "monitor_clear_notice", _("风险消除公示（村）")
    MONITOR_CLEAR_ANNOUNCEMENT = "monitor_clear_announcement", _("风险消除公告（县）")


class Notice(models.Model):
    kind = models.CharField(_("类别"), max_length=30, choices=NoticeKind.choices)
    #: Where it hangs: a village (村级公示), a township (贫困村退出公示) or the county (公告).
    area = models.ForeignKey("areas.Area", verbose_name=_("发布区划"), on_delete=models.PROTECT,
                             related_name="notices")
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    hotline = models.CharField(_("异议受理电话"), max_length=30)
    address = models.CharField(_("异议受理地址"), max_length=100)
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="notice_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.area.name} {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class NoticeEntry(models.Model):
    """One case on a notice, as printed: every personal value already masked (policy.mask_id) when the
    notice is published, so neither the board nor the PDF can show more than the paper."""

    notice = models.ForeignKey(Notice, verbose_name=_("公示"), on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="notice_entries")
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("户主姓名/村名"), max_length=50)
    members = models.PositiveSmallIntegerField(_("家庭人口"), null=True, blank=True)
    id_masked = models.CharField(_("证件号码（已遮蔽）"), max_length=30, blank=True)
    village = models.CharField(_("所在村"), max_length=50, blank=True)
    group = models.CharField(_("所在组"), max_length=50, blank=True)
    reason = models.CharField(_("理由/依据"), max_length=300, blank=True)
    #: Struck from the notice (the case was sent back or withdrawn while it ran).
    struck = models.BooleanField(_("已撤下"), default=False)

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["notice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "case"], name="notice_entry_unique_case"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.position} {self.name}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    notice = models.ForeignKey(Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections")
    #: The listed case it concerns (blank: the notice as a whole).
    entry = models.ForeignKey(NoticeEntry, verbose_name=_("涉及对象"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField(_("受理日期"))
    raised_by = models.CharField(_("反映人"), max_length=50, blank=True, help_text=_("可匿名"))
    contact = models.CharField(_("联系方式"), max_length=30, blank=True)
    content = models.CharField(_("异议内容"), max_length=1000)
    status = models.CharField(_("处理状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    resolution = models.CharField(_("核查处理意见"), max_length=1000, blank=True)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["notice_id", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.content[:20]}"

from .models_adjustment import AdjustmentRun, Proposal  # noqa: E402,F401 - the yearly adjustment's models
from .models_villages import ExitThreshold, VillageExit, VillageIndicators, WesternProvince  # noqa: E402,F401
