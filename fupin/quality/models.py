"""Data-quality findings (数据质量疑点, REFERENCE §6).

A finding is a suspicious record for a cadre to verify, never invalid data: the registry refuses
invalid values (format, checksum, impossible dates, unknown codes, negative money, head count, one
person in two households) before they are stored; what is stored may still be a 疑点. Each finding
names the household, the member when it is about one, the rule, and the values that raised it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The eleven groups of the national data-cleaning rules, in REFERENCE §6's order."""

    EXIT = "exit", _("已脱贫未达“两不愁三保障”")
    ID_NUMBER = "id_number", _("证件号码")
    MISSING = "missing", _("关键信息缺失")
    CAUSE = "cause", _("致贫原因")
    DIBAO = "dibao", _("低保与特困供养")
    LABOUR = "labour", _("劳动能力")
    INCOME = "income", _("收入")
    MIGRANT = "migrant", _("务工")
    HELP = "help", _("帮扶")
    LOGIC = "logic", _("逻辑关系")
    DUPLICATE = "duplicate", _("重复")


class Source(models.TextChoices):
    IMPORT = "import", _("数据导入")
    CHECK = "check", _("批量核查")
    EDIT = "edit", _("登记修改")


class Finding(models.Model):
    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.CASCADE,
                                  related_name="findings")
    member = models.ForeignKey("registry.Member", verbose_name=_("家庭成员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(_("核查规则"), max_length=40)
    category = models.CharField(_("疑点类别"), max_length=20, choices=Category.choices)
    message = models.CharField(_("疑点说明"), max_length=300)
    # The values that raised it, by registry field name: what the cadre checks, and what tells a
    # finding explained once from the same values found again.
    values = models.JSONField(_("相关数值"), default=dict, blank=True)
    # The registry field the finding is about (names the sheet column or the form field).
    field = models.CharField(_("相关字段"), max_length=40, blank=True)
    # Copy of the household's area path: the per-area list is scoped and filtered without a join.
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.CHECK)
    found_at = models.DateTimeField(_("发现时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolution_note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("数据质量疑点")
        verbose_name_plural = _("数据质量疑点")
        ordering = ["area_path", "household_id", "id"]
        indexes = [
            # The per-area list: open findings inside a subtree, by rule.
            models.Index(fields=["area_path", "rule"], name="finding_area_rule_idx",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                         condition=Q(resolved_at__isnull=True)),
            models.Index(fields=["household", "resolved_at"], name="finding_household_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(resolved_at__isnull=True) | ~Q(resolution_note=""),
                                   name="finding_resolved_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
