"""Projects and funds (issue 16, REFERENCE §9): every yuan from its allocation document (资金文件) through
allocations to projects, payments against contracts and subsidies paid to households' accounts (一卡通),
with the project library's lifecycle, public disclosure and the assets projects leave behind.

The money trail, each link a foreign key and each sum checked (fupin.projects.services; ``fupin funds
reconcile`` prints it):

    FundDocument (source, amount)  ≥  Σ Allocation.amount                    (a source never goes negative)
    Allocation (document → project) ≥  Σ Payment.amount of that allocation   (never pays out more than it got)
    Payment (kind 到户补助)           =  Σ SubsidyLine.amount of its batch    (a batch pays what it lists)

Money is Decimal with two places (fupin.lib.money); the database refuses negative amounts. Every row has
``area_path`` (its area's path, copied on save) so one prefix filter scopes it (policy.area_q).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fupin.lib.money import Money

from .rules import AssetKind, BatchStatus, Category, Channel, Level, Nature, PaymentKind, Stage


def positive(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{f}__gt": 0}), name=f"projects_{prefix}_{f}_gt_0")
            for f in fields]


def non_negative(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"projects_{prefix}_{f}_gte_0")
            for f in fields]


class AreaPathMixin(models.Model):
    """``area_path`` copied from ``area`` on every save: the prefix the scope filters on."""

    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True, default="")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        area = getattr(self, "area", None)
        if area is not None:
            self.area_path = area.path
        super().save(*args, **kwargs)


class FundDocument(AreaPathMixin):
    """资金文件 (指标文件): one allocation document that brings money to the county's dedicated account —
    a source of the ledger. Integrated funds keep their original channel, department and use
    (渠道不乱、用途不变、各负其责、各记其功)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("资金所在区划"), on_delete=models.PROTECT,
                             related_name="fund_documents", help_text=_("通常为县"))
    number = models.CharField(_("文号"), max_length=80)
    title = models.CharField(_("文件标题"), max_length=200)
    level = models.CharField(_("资金级次"), max_length=10, choices=Level.choices)
    channel = models.CharField(_("资金渠道"), max_length=20, choices=Channel.choices)
    #: The department the money is credited to (各记其功), for integrated funds its original sector.
    department = models.ForeignKey("assistance.HelpingUnit", verbose_name=_("原渠道主管部门"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="fund_documents")
    original_use = models.CharField(_("原用途"), max_length=200, blank=True)
    purpose = models.CharField(_("资金用途"), max_length=300)
    year = models.PositiveSmallIntegerField(_("资金年度"))
    amount = Money(_("金额（元）"))
    issued_on = models.DateField(_("下达日期"))
    received_on = models.DateField(_("到账日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金文件")
        verbose_name_plural = _("资金文件")
        ordering = ["-year", "-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="projects_document_number_per_area"),
            *positive("document", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class NegativeUse(models.Model):
    """The negative list (负面清单) as data: a use poverty funds may not pay for. ``keywords`` (one per
    line) are looked for in a project's name, tasks and a payment's purpose; a hit is refused (or, for
    records made before the entry, raised as an alert). ``area`` none: everywhere."""

    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("禁止用途"), max_length=100)
    keywords = models.TextField(_("关键词（每行一个）"))
    active = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("资金使用负面清单")
        verbose_name_plural = _("资金使用负面清单")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def words(self) -> list[str]:
        return [w.strip() for w in self.keywords.splitlines() if w.strip()]


class ProjectRule(models.Model):
    """A threshold of fupin.projects.rules.RULE_DEFAULTS for an area (the most specific area wins)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("规则"), max_length=30)
    value = models.PositiveIntegerField(_("数值"))
    # Who set the value last, and when (services_rules.rule_set; the audit trail keeps every change).
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目资金规则")
        verbose_name_plural = _("项目资金规则")
        constraints = [models.UniqueConstraint(fields=["area", "key"], name="projects_rule_per_area")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class DepartmentStaff(models.Model):
    """The county department (a 帮扶单位 of kind 县直部门) a 行业部门 account acts for: it sees the projects
    its department leads (policy ORGANISATION_SCOPES "department")."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                                related_name="department_staff")
    department = models.ForeignKey("assistance.HelpingUnit", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="project_staff")

    class Meta:
        verbose_name = _("行业部门账号")
        verbose_name_plural = _("行业部门账号")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class Project(AreaPathMixin):
    """A project of the library (项目库), REFERENCE §9's fields. ``area`` is its site (a village, or a
    township/the county for works spanning villages); ``stage`` moves only through
    fupin.workflow.transition with rules.STEP_CAPABILITY (``version`` is the claim)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("建设地点（区划）"), on_delete=models.PROTECT,
                             related_name="projects")
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices)
    nature = models.CharField(_("建设性质"), max_length=20, choices=Nature.choices, default=Nature.NEW)
    site = models.CharField(_("建设地点"), max_length=200, blank=True)
    lead = models.ForeignKey("assistance.HelpingUnit", verbose_name=_("责任单位（牵头部门）"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="led_projects")
    implementer = models.CharField(_("实施单位"), max_length=100, blank=True)
    tasks = models.TextField(_("建设任务（规模及内容）"), blank=True)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    starts_on = models.DateField(_("计划开工"), null=True, blank=True)
    ends_on = models.DateField(_("计划完工"), null=True, blank=True)
    started_on = models.DateField(_("实际开工"), null=True, blank=True)
    finished_on = models.DateField(_("实际完工"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    budget = Money(_("总投资（元）"), default=0)
    financing = models.CharField(_("资金筹措方式"), max_length=300, blank=True)
    #: Beneficiary counts (all, and the poor among them); poor households are named in Beneficiary rows.
    households = models.PositiveIntegerField(_("受益户数"), default=0)
    people = models.PositiveIntegerField(_("受益人数"), default=0)
    poor_households = models.PositiveIntegerField(_("受益贫困户数"), default=0)
    poor_people = models.PositiveIntegerField(_("受益贫困人口数"), default=0)
    #: 绩效目标: [{"indicator": "新建道路", "unit": "公里", "target": "3.5", "actual": ""}, …]
    targets = models.JSONField(_("绩效目标"), default=list, blank=True)
    participation = models.TextField(_("群众参与"), blank=True)
    mechanism = models.TextField(_("带贫减贫机制"), blank=True)
    stage = models.CharField(_("项目阶段"), max_length=20, choices=Stage.choices, default=Stage.PROPOSED,
                             db_index=True)
    stage_on = models.DateField(_("进入本阶段日期"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("扶贫项目")
        verbose_name_plural = _("扶贫项目")
        ordering = ["-year", "code"]
        indexes = [models.Index(fields=["area_path", "year"], name="projects_project_path_year")]
        constraints = [
            *non_negative("project", "budget"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="projects_project_progress_lte_100"),
            models.CheckConstraint(condition=Q(poor_households__lte=F("households")),
                                   name="projects_project_poor_households_lte_households"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectEvent(models.Model):
    """One step of a project's lifecycle (the workflow's history row) or a progress report."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events")
    source = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    target = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    on = models.DateField(_("日期"))
    reason = models.CharField(_("意见/说明"), max_length=500, blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目进程")
        verbose_name_plural = _("项目进程")
        ordering = ["project_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.source}→{self.target} {self.on}"


class Beneficiary(models.Model):
    """A registered household that benefits from a project (poor ones named, REFERENCE §9). Payments of
    household subsidies go only to a project's beneficiaries."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", verbose_name=_("受益户"), on_delete=models.PROTECT,
                                  related_name="project_benefits")
    people = models.PositiveSmallIntegerField(_("受益人数"), default=0)
    note = models.CharField(_("受益内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("项目受益户")
        verbose_name_plural = _("项目受益户")
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="projects_beneficiary_once")]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.household_id}"


class Allocation(AreaPathMixin):
    """Money from a document to a project (资金分配/拨付). ``area`` is the level whose account holds it
    until it is paid out (the county, or a township: "funds stuck at township level")."""

    document = models.ForeignKey(FundDocument, verbose_name=_("资金文件"), on_delete=models.PROTECT,
                                 related_name="allocations")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="allocations")
    area = models.ForeignKey("areas.Area", verbose_name=_("资金拨付至"), on_delete=models.PROTECT, related_name="+")
    amount = Money(_("分配金额（元）"))
    allocated_on = models.DateField(_("分配日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金分配")
        verbose_name_plural = _("资金分配")
        ordering = ["-allocated_on", "id"]
        constraints = [*positive("allocation", "amount")]

    def __str__(self) -> str:
        return f"{self.document.number} → {self.project.code} {self.amount}"


class Contract(models.Model):
    """A contract of a project (procurement result): payments of kind 合同支付 go against it."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("合同编号"), max_length=60)
    party = models.CharField(_("乙方（中标单位）"), max_length=200)
    procurement = models.CharField(_("采购方式"), max_length=50, blank=True)
    amount = Money(_("合同金额（元）"))
    signed_on = models.DateField(_("签订日期"))
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("项目合同")
        verbose_name_plural = _("项目合同")
        ordering = ["project_id", "signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="projects_contract_number_per_project"),
            *positive("contract", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.party}"


class Payment(models.Model):
    """Money paid out of an allocation: to a contractor (against a contract), to households (one payment
    per subsidy batch, equal to the batch's lines), or another project expense."""

    allocation = models.ForeignKey(Allocation, verbose_name=_("资金来源（分配）"), on_delete=models.PROTECT,
                                   related_name="payments")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("支付类别"), max_length=10, choices=PaymentKind.choices)
    contract = models.ForeignKey(Contract, verbose_name=_("合同"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="payments")
    batch = models.OneToOneField("SubsidyBatch", verbose_name=_("补助批次"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="payment")
    amount = Money(_("支付金额（元）"))
    paid_on = models.DateField(_("支付日期"))
    payee = models.CharField(_("收款方"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=300)
    voucher = models.CharField(_("凭证号"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金支付")
        verbose_name_plural = _("资金支付")
        ordering = ["-paid_on", "id"]
        constraints = [
            *positive("payment", "amount"),
            models.CheckConstraint(condition=Q(kind=PaymentKind.CONTRACT, contract__isnull=False)
                                   | ~Q(kind=PaymentKind.CONTRACT), name="projects_payment_contract_has_contract"),
            models.CheckConstraint(condition=Q(kind=PaymentKind.SUBSIDY, batch__isnull=False)
                                   | ~Q(kind=PaymentKind.SUBSIDY), name="projects_payment_subsidy_has_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.payee} {self.amount}"


class SubsidyBatch(AreaPathMixin):
    """A batch of household subsidies (到户补助) of a project, drawn up from an Excel list matched to the
    registry, then paid in one go to each household's account (一卡通) from one allocation."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="subsidy_batches")
    allocation = models.ForeignKey(Allocation, verbose_name=_("资金来源（分配）"), on_delete=models.PROTECT,
                                   related_name="subsidy_batches")
    area = models.ForeignKey("areas.Area", verbose_name=_("发放区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("批次名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    total = Money(_("合计金额（元）"), default=0)
    lines_count = models.PositiveIntegerField(_("户数"), default=0)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    drawn_on = models.DateField(_("造册日期"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到户补助批次")
        verbose_name_plural = _("到户补助批次")
        ordering = ["-drawn_on", "-id"]
        constraints = [*non_negative("batch", "total")]

    def __str__(self) -> str:
        return self.title


class SubsidyLine(models.Model):
    """One household of a subsidy batch: the amount paid to the household's account. The account is
    copied (as the bank got it) when the batch is drawn up; it is shown masked (policy "bank_account")."""

    batch = models.ForeignKey(SubsidyBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="lines")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="subsidy_lines")
    row = models.PositiveIntegerField(_("清单行号"), default=0)
    payee = models.CharField(_("收款人"), max_length=50)
    bank_account = models.CharField(_("一卡通账号"), max_length=40, blank=True)
    amount = Money(_("补助金额（元）"))
    content = models.CharField(_("补助内容"), max_length=200, blank=True)
    #: 姓名核对: the list's name differs from the name registered for the ID number the row was matched by
    #: (the row is kept; paying the batch asks for the differences to be confirmed), e.g.
    #: 第 5 行「姓名」张大三与登记的张大山不符. Empty: the names agree, or the row gave none.
    name_warning = models.CharField(_("姓名核对"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("到户补助明细")
        verbose_name_plural = _("到户补助明细")
        ordering = ["batch_id", "row", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "household"], name="projects_subsidy_household_once"),
            *positive("line", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} #{self.row} {self.payee} {self.amount}"


class DisclosureKind(models.TextChoices):
    ALLOCATION = "allocation", _("资金分配公告")
    PLAN = "plan", _("项目计划公示")
    COMPLETION = "completion", _("项目竣工公告")
    BENEFICIARIES = "beneficiaries", _("受益户名单公示")


class Disclosure(AreaPathMixin):
    """公告公示 of funds and projects (REFERENCE §9: at least ``notice_days`` days; county and above on the
    website, township/village on notice boards). What was shown is frozen in ``content`` (personal
    values already masked) when it is published, so the record says what was shown where and when."""

    kind = models.CharField(_("类别"), max_length=20, choices=DisclosureKind.choices)
    area = models.ForeignKey("areas.Area", verbose_name=_("发布区划"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="disclosures")
    document = models.ForeignKey(FundDocument, verbose_name=_("资金文件"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="disclosures")
    batch = models.ForeignKey(SubsidyBatch, verbose_name=_("补助批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="disclosures")
    title = models.CharField(_("标题"), max_length=200)
    place = models.CharField(_("公示地点"), max_length=200, help_text=_("如：县政府网站、村务公开栏"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    hotline = models.CharField(_("监督电话"), max_length=30, blank=True)
    content = models.JSONField(_("公示内容"), default=dict)
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金项目公告公示")
        verbose_name_plural = _("资金项目公告公示")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="projects_disclosure_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class Asset(AreaPathMixin):
    """扶贫项目资产 (REFERENCE §9): made from an accepted project; ``household`` for 到户类."""

    project = models.ForeignKey(Project, verbose_name=_("来源项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="assets")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("资产编号"), max_length=40, unique=True)
    name = models.CharField(_("资产名称"), max_length=200)
    kind = models.CharField(_("资产类别"), max_length=20, choices=AssetKind.choices)
    household = models.ForeignKey("registry.Household", verbose_name=_("到户对象"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="project_assets")
    owner = models.CharField(_("所有权人"), max_length=200)
    ownership_confirmed_on = models.DateField(_("确权日期"), null=True, blank=True)
    manager = models.CharField(_("管护主体"), max_length=200, blank=True)
    value = Money(_("资产原值（元）"))
    handed_over_on = models.DateField(_("移交日期"), null=True, blank=True)
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True)
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("扶贫项目资产")
        verbose_name_plural = _("扶贫项目资产")
        ordering = ["area_path", "code"]
        constraints = [*non_negative("asset", "value")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssetMaintenance(models.Model):
    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="maintenance")
    on = models.DateField(_("管护日期"))
    work = models.CharField(_("管护内容"), max_length=300)
    cost = Money(_("费用（元）"), default=0)
    by = models.CharField(_("管护人"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("资产管护记录")
        verbose_name_plural = _("资产管护记录")
        ordering = ["asset_id", "-on"]
        constraints = [*non_negative("maintenance", "cost")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.on} {self.work}"


class AssetIncome(models.Model):
    """Income an asset earned in a period; ``distributable`` of it goes to households (Σ distributions)."""

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = Money(_("收益金额（元）"))
    distributable = Money(_("用于分配（元）"), default=0)
    received_on = models.DateField(_("收益日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("资产收益")
        verbose_name_plural = _("资产收益")
        ordering = ["asset_id", "-received_on"]
        constraints = [
            *non_negative("income", "amount", "distributable"),
            models.CheckConstraint(condition=Q(distributable__lte=F("amount")),
                                   name="projects_income_distributable_lte_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.year} {self.amount}"


class IncomeShare(models.Model):
    """One household's share of an asset income (收益分配名单); the shares sum exactly to distributable."""

    income = models.ForeignKey(AssetIncome, verbose_name=_("收益"), on_delete=models.CASCADE, related_name="shares")
    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="asset_income_shares")
    amount = Money(_("分配金额（元）"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("收益分配")
        verbose_name_plural = _("收益分配")
        constraints = [
            models.UniqueConstraint(fields=["income", "household"], name="projects_share_household_once"),
            *positive("share", "amount"),
        ]

    def __str__(self) -> str:
        return f"{self.income_id} · {self.household_id} {self.amount}"


class AssetDisposal(models.Model):
    """Disposal of an asset (处置), with its approval."""

    asset = models.OneToOneField(Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="disposal")
    on = models.DateField(_("处置日期"))
    method = models.CharField(_("处置方式"), max_length=50)
    reason = models.CharField(_("处置原因"), max_length=300)
    approval = models.CharField(_("批准文号"), max_length=80)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proceeds = Money(_("处置收入（元）"), default=0)

    class Meta:
        verbose_name = _("资产处置")
        verbose_name_plural = _("资产处置")
        constraints = [*non_negative("disposal", "proceeds")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.on} {self.method}"
