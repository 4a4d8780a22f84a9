"""扶贫小额信贷 (issue 15 #7, REFERENCE §10): banks and their staff, the rating scheme (versioned, per
year and area), ratings (评级授信) of registered households, the yearly rates and subsidy shares, loans
with their schedule, repayments, subsidy payments and the county risk-compensation fund.

Money is Decimal with two places (to the fen); the database refuses negative amounts. A loan's rate and
subsidy share are copied from the year's terms when it is made (the contract does not change when next
year's rate does); its schedule is stored when it is made, so the plan the household signed is the plan
the statements use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fupin.lib.money import Money

from .rules import TERM_MAX_MONTHS, Method


def non_negative(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"credit_{prefix}_{f}_gte_0")
            for f in fields]


class Bank(models.Model):
    """A lending bank (承贷银行): a branch in the county, e.g. 农村信用合作联社 or 邮储银行 支行."""

    name = models.CharField(_("银行名称"), max_length=100)
    code = models.CharField(_("机构代码"), max_length=30, unique=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在县"), on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("承贷银行")
        verbose_name_plural = _("承贷银行")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankStaff(models.Model):
    """The bank a 银行 account acts for (one bank per account)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                                related_name="bank_staff")
    bank = models.ForeignKey(Bank, verbose_name=_("银行"), on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = _("银行账号")
        verbose_name_plural = _("银行账号")

    def __str__(self) -> str:
        return f"{self.user} · {self.bank}"

    def clean(self) -> None:
        from fupin.accounts.policy import check_assignable

        if self.user_id:
            check_assignable(self.user, "be_bank_staff", "user", _("只有角色为“银行”的账号可以关联银行"))


#: What a used version may no longer change.
SCHEME_FROZEN = ("year", "area_id", "version", "indicators", "grades", "valid_years")


class RatingScheme(models.Model):
    """评级授信 scheme for a year and an area (none = national): indicators with their points (100 in all)
    and grades with their threshold and credit line. A household is rated by the most specific scheme of
    its area for the latest year up to the rating's; a version a rating used is frozen (editing saves a
    new version), as fupin.standards does with rule sets."""

    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text=_("空 = 全国"))
    year = models.PositiveSmallIntegerField(_("起始年度"), validators=[MinValueValidator(2000),
                                                                     MaxValueValidator(2100)])
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    #: [{"key": "integrity", "label": "诚信度", "max": 30}, …]: points add up to 100.
    indicators = models.JSONField(_("评级指标"), default=list)
    #: [{"grade": "AAA", "min": 90, "line": "50000.00"}, …]: the credit line of each grade.
    grades = models.JSONField(_("信用等级与授信额度"), default=list)
    valid_years = models.PositiveSmallIntegerField(_("授信有效期（年）"), default=1,
                                                   validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.CharField(_("说明"), max_length=300, blank=True)
    used = models.BooleanField(_("已被评级引用"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评级授信方案")
        verbose_name_plural = _("评级授信方案")
        ordering = ["-year", "area__path", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area", "version"], name="credit_scheme_unique_version"),
            models.UniqueConstraint(fields=["year", "version"], condition=Q(area__isnull=True),
                                    name="credit_scheme_unique_national_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RatingScheme.objects.filter(pk=self.pk).values("used", *SCHEME_FROZEN).first()
            if stored and stored["used"] and any(stored[f] != getattr(self, f) for f in SCHEME_FROZEN):
                raise ValidationError(_("评级方案“%(n)s”第 %(v)d 版已被评级引用，不能修改；请另存为新版本") % {
                    "n": self.name, "v": self.version})
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from .rules import scheme_errors

        errors = scheme_errors(self.indicators or [], self.grades or [])
        if errors:
            raise ValidationError({"indicators": errors})


class CreditTerms(models.Model):
    """The year's terms of new loans, for an area (none = national; the most specific wins): the rate
    charged (the benchmark rate, the 1-year LPR since 2020) and the share of the interest the poverty
    funds pay (1 = fully subsidised; 0.7 for new loans in 2024–25, REFERENCE §10)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text=_("空 = 全国"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    annual_rate = models.DecimalField(_("年利率（%）"), max_digits=6, decimal_places=4,
                                      validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
                                      help_text=_("基准利率（2020 年起为 1 年期 LPR）"))
    subsidy_share = models.DecimalField(_("贴息比例"), max_digits=5, decimal_places=4,
                                        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
                                        help_text=_("1 = 全额贴息；0.7 = 贴息 70%"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度利率与贴息")
        verbose_name_plural = _("年度利率与贴息")
        ordering = ["-year", "area__path"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area"], name="credit_terms_unique_year_area"),
            models.UniqueConstraint(fields=["year"], condition=Q(area__isnull=True), name="credit_terms_unique_national"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.annual_rate}% × {self.subsidy_share}"


class Rating(models.Model):
    """评级授信 of one household for one year, done by the village committee, the work team and the bank
    together (the three parties are recorded); total, grade and credit line computed by the scheme."""

    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="credit_ratings")
    year = models.PositiveSmallIntegerField(_("年度"))
    scheme = models.ForeignKey(RatingScheme, verbose_name=_("评级方案"), on_delete=models.PROTECT,
                               related_name="ratings")
    scheme_version = models.PositiveIntegerField(_("方案版本"))
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.PositiveSmallIntegerField(_("总分"))
    grade = models.CharField(_("信用等级"), max_length=10)
    credit_line = Money(_("授信额度（元）"))
    rated_on = models.DateField(_("评级日期"))
    village_rep = models.CharField(_("村委会评议人"), max_length=50)
    team_rep = models.CharField(_("驻村工作队评议人"), max_length=50)
    bank = models.ForeignKey(Bank, verbose_name=_("参评银行"), on_delete=models.PROTECT, related_name="ratings")
    bank_rep = models.CharField(_("银行评议人"), max_length=50)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评级授信")
        verbose_name_plural = _("评级授信")
        ordering = ["-year", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="credit_one_rating_per_household_year"),
            *non_negative("rating", "credit_line"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.grade}"


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("在贷")
    REPAID = "repaid", _("已结清")
    COMPENSATED = "compensated", _("风险补偿金已代偿")


class Purpose(models.TextChoices):
    PLANTING = "planting", _("种植业")
    BREEDING = "breeding", _("养殖业")
    TOURISM = "tourism", _("农家乐、乡村旅游")
    PROCESSING = "processing", _("农产品加工经营")
    OTHER = "other", _("其他生产经营")


class RepaymentMethod(models.TextChoices):
    BULLET = Method.BULLET, _("按季付息、到期还本")
    EQUAL_PRINCIPAL = Method.EQUAL_PRINCIPAL, _("按季付息、等额还本")


class Loan(models.Model):
    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="credit_loans")
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    bank = models.ForeignKey(Bank, verbose_name=_("承贷银行"), on_delete=models.PROTECT, related_name="loans")
    rating = models.ForeignKey(Rating, verbose_name=_("评级授信"), on_delete=models.PROTECT, related_name="loans")
    contract_no = models.CharField(_("合同编号"), max_length=40)
    borrower = models.CharField(_("借款人"), max_length=50, help_text=_("户主或家庭成员"))
    principal = Money(_("贷款金额（元）"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"), validators=[MaxValueValidator(TERM_MAX_MONTHS)])
    annual_rate = models.DecimalField(_("年利率（%）"), max_digits=6, decimal_places=4)
    subsidy_share = models.DecimalField(_("贴息比例"), max_digits=5, decimal_places=4)
    method = models.CharField(_("还款方式"), max_length=20, choices=RepaymentMethod.choices,
                              default=RepaymentMethod.BULLET)
    purpose = models.CharField(_("贷款用途"), max_length=20, choices=Purpose.choices)
    disbursed_on = models.DateField(_("放款日期"))
    maturity_on = models.DateField(_("到期日期"))
    status = models.CharField(_("状态"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    closed_on = models.DateField(_("结清或代偿日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    synthetic = models.BooleanField(_("合成演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("扶贫小额贷款")
        verbose_name_plural = _("扶贫小额贷款")
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "contract_no"], name="credit_loan_unique_contract"),
            models.CheckConstraint(condition=Q(principal__gt=0) & Q(principal__lte=Decimal("50000")),
                                   name="credit_loan_principal_within_limit"),
            models.CheckConstraint(condition=Q(term_months__gte=1) & Q(term_months__lte=TERM_MAX_MONTHS),
                                   name="credit_loan_term_within_limit"),
            models.CheckConstraint(condition=Q(maturity_on__gt=F("disbursed_on")), name="credit_loan_matures_after"),
        ]
        indexes = [models.Index(fields=["bank", "disbursed_on"], name="credit_loan_bank_day")]

    def __str__(self) -> str:
        return f"{self.bank} {self.contract_no}"


class Installment(models.Model):
    """One period of a loan's schedule, as agreed when the loan was made."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(_("期次"))
    start = models.DateField(_("计息起日"))
    due_on = models.DateField(_("应还日期"))
    principal = Money(_("应还本金（元）"))
    interest = Money(_("应付利息（元）"))
    subsidy = Money(_("应贴息（元）"))

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="credit_installment_unique_number"),
            *non_negative("installment", "principal", "interest", "subsidy"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number}"


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("还款日期"))
    principal = Money(_("归还本金（元）"))
    interest = Money(_("支付利息（元）"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("还款")
        verbose_name_plural = _("还款")
        ordering = ["loan_id", "paid_on", "id"]
        constraints = [
            *non_negative("repayment", "principal", "interest"),
            models.CheckConstraint(condition=Q(principal__gt=0) | Q(interest__gt=0), name="credit_repayment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.paid_on} {self.principal}+{self.interest}"


class SubsidyPayment(models.Model):
    """贴息 paid for one period, after the household paid that period's interest (先缴后补)."""

    installment = models.OneToOneField(Installment, verbose_name=_("期次"), on_delete=models.PROTECT,
                                       related_name="subsidy_payment")
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="subsidies")
    amount = Money(_("贴息金额（元）"))
    paid_on = models.DateField(_("拨付日期"))
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贴息拨付")
        verbose_name_plural = _("贴息拨付")
        ordering = ["loan_id", "installment__number"]
        constraints = non_negative("subsidy", "amount")

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.installment_id} {self.amount}"


class RiskFund(models.Model):
    """The county's 风险补偿金: its share of a compensated loan's loss (the bank bears the rest), and how
    long a loan must be overdue before it may be compensated."""

    area = models.OneToOneField("areas.Area", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    loss_share = models.DecimalField(_("风险补偿金分担比例"), max_digits=5, decimal_places=4,
                                     validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
                                     help_text=_("例如 0.7：损失由风险补偿金承担 70%，银行承担 30%"))
    min_overdue_days = models.PositiveSmallIntegerField(_("逾期多少天可申请代偿"), default=90)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("风险补偿金")
        verbose_name_plural = _("风险补偿金")

    def __str__(self) -> str:
        return str(self.area)


class FundEntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("注入资金")
    COMPENSATION = "compensation", _("代偿支出")
    RECOVERY = "recovery", _("追回资金")
    #: a recovery recorded in error, reversed: what it credited to the fund goes out again (an outflow)
    RECOVERY_REVERSAL = "recovery_reversal", _("追偿冲正")


class FundEntry(models.Model):
    fund = models.ForeignKey(RiskFund, verbose_name=_("风险补偿金"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类别"), max_length=20, choices=FundEntryKind.choices)
    amount = Money(_("金额（元）"))
    on = models.DateField(_("日期"))
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="fund_entries")
    loss = Money(_("损失金额（元）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险补偿金收支")
        verbose_name_plural = _("风险补偿金收支")
        ordering = ["fund_id", "on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_fund_entry_amount_gt_0"),
            models.UniqueConstraint(fields=["loan"], condition=Q(kind="compensation"),
                                    name="credit_fund_one_compensation_per_loan"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Recovery(models.Model):
    """追偿: money recovered on a compensated loan after 代偿 (from the borrower, a guarantor or a sale).
    It is returned in the proportions the loss was shared: the fund's part (credited to the fund, a
    RECOVERY entry) and the bank's part. The parts are cumulative shares of the loss, rounded to the
    fen, so that when the whole loss is recovered the fund has back exactly what it paid.

    Recorded by the county office or by the lending bank (``bank``: the bank whose account recorded it,
    none for the county office). A recovery recorded in error is reversed by a second row (``reverses``)
    with the same amounts negated, dated the day of the reversal, with its reason: the sums of a loan's
    rows are then what was really recovered, and a closed month's statement does not change."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="recoveries")
    on = models.DateField(_("追回日期"))
    amount = Money(_("追回金额（元）"))
    fund_share = Money(_("退回风险补偿金（元）"))
    bank_share = Money(_("归银行（元）"))
    fund_entry = models.OneToOneField(FundEntry, verbose_name=_("风险补偿金收支"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="recovery")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    bank = models.ForeignKey(Bank, verbose_name=_("登记银行"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text=_("由银行账号登记时为该行；县扶贫办登记时为空"))
    reverses = models.OneToOneField("self", verbose_name=_("冲正的追偿"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversal")
    reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代偿后追偿")
        verbose_name_plural = _("代偿后追偿")
        ordering = ["loan_id", "on", "id"]
        constraints = [
            # a recovery: positive, its parts not negative; a reversal: the same negated, with a reason
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True, amount__gt=0, fund_share__gte=0, bank_share__gte=0)
                           | (Q(reverses__isnull=False, amount__lt=0, fund_share__lte=0, bank_share__lte=0)
                              & ~Q(reason=""))),
                name="credit_recovery_signs"),
            # amount = fund_share + bank_share is the service's (in Decimal): SQLite compares the sum of two
            # stored decimals as floats, so a CHECK would refuse 864.20 + 370.37 = 1234.57
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.on} {self.amount}"
