"""Versioned rule sets (标准) and the decisions that used them (issue 13 item 2, REFERENCE §3, §4).

A rule set is one kind of standard (退出标准, 七不进, 四进 …) for one year and one area (none = national);
the most specific area wins (fupin.standards.services.ruleset_for). Its conditions are a JSON list of
{field, op, value, label}, checked against the whitelist of fupin.standards.fields. A rule set that a
decision used is frozen: editing it makes a new version (services.ruleset_revise), so an old decision
keeps the version it was made with.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    EXIT = "exit_criteria", _("脱贫退出标准（一超两不愁三保障）")
    EXCLUSION = "exclusion", _("排除规则（七不进）")
    INCLUSION = "inclusion", _("纳入提示（四进）")
    SCORING = "scoring", _("量化评分（四看/五看）")


class Match(models.TextChoices):
    ALL = "all", _("全部条件符合")
    ANY = "any", _("任一条件符合")


#: How a kind combines its conditions by default: exit needs every criterion; one exclusion hit or one
#: inclusion hint is enough.
DEFAULT_MATCH = {RuleKind.EXIT: Match.ALL, RuleKind.EXCLUSION: Match.ANY, RuleKind.INCLUSION: Match.ANY,
                 RuleKind.SCORING: Match.ANY}


#: What a used version may no longer change (its name and note may be corrected).
FROZEN = ("kind", "year", "area_id", "version", "match", "conditions")


class RuleSet(models.Model):
    kind = models.CharField(_("类别"), max_length=20, choices=RuleKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    area = models.ForeignKey("areas.Area", verbose_name=_("适用区划"), null=True, blank=True,
                             on_delete=models.PROTECT, help_text=_("空 = 全国"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    match = models.CharField(_("判定方式"), max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(_("条件"), default=list)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    #: Set when a decision first uses this version; from then on it may not change.
    used = models.BooleanField(_("已被决定引用"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        ordering = ["kind", "year", "area__path", "version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "area", "version"], name="ruleset_unique_version"),
            models.UniqueConstraint(fields=["kind", "year", "version"], condition=Q(area__isnull=True),
                                    name="ruleset_unique_national_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="ruleset_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RuleSet.objects.filter(pk=self.pk).values("used", *FROZEN).first()
            if stored and stored["used"] and any(stored[f] != getattr(self, f) for f in FROZEN):
                raise ValidationError(_("规则集“%(n)s”第 %(v)d 版已被决定引用，不能修改；请另存为新版本") % {
                    "n": self.name, "v": self.version})
        super().save(*args, **kwargs)

    @property
    def scoring(self) -> bool:
        return self.kind == RuleKind.SCORING

    def clean(self) -> None:
        from .engine import conditions_errors

        errors = conditions_errors(self.conditions, scoring=self.kind == RuleKind.SCORING)
        if errors:
            raise ValidationError({"conditions": errors})


class Decision(models.Model):
    """One household judged against one rule set version for one year, with each condition's reason."""

    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="standard_decisions")
    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT,
                                related_name="decisions")
    ruleset_version = models.PositiveIntegerField(_("规则版本"))
    year = models.PositiveSmallIntegerField(_("年度"))
    passed = models.BooleanField(_("结论"))
    outcomes = models.JSONField(_("逐条判定"), default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("判定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("判定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则判定")
        verbose_name_plural = _("规则判定")
        ordering = ["household_id", "year", "id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.ruleset_id} v{self.ruleset_version}"
