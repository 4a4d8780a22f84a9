"""考核评估 (REFERENCE §11), the part scoping needs: a sample of households and the evaluators
(评估人员) assigned to it. An evaluator sees only the households of samples assigned to them. The
sampling workflow itself (townships → villages → households, 错退率/漏评率/认可度) comes later."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.accounts.policy import check_assignable, user_choices_q


class Sample(models.Model):
    """评估样本: the households one evaluation looks at."""

    name = models.CharField(_("样本名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估样本")
        verbose_name_plural = _("评估样本")
        ordering = ["-year", "name", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class SampleHousehold(models.Model):
    sample = models.ForeignKey(Sample, verbose_name=_("评估样本"), on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey("registry.Household", verbose_name=_("样本户"), on_delete=models.PROTECT,
                                  related_name="sample_entries")
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("样本户")
        verbose_name_plural = _("样本户")
        constraints = [models.UniqueConstraint(fields=["sample", "household"], name="assessment_sample_household_once")]

    def __str__(self) -> str:
        return f"{self.sample} · {self.household}"


class SampleAssessor(models.Model):
    sample = models.ForeignKey(Sample, verbose_name=_("评估样本"), on_delete=models.CASCADE, related_name="assessors")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估人员"), on_delete=models.PROTECT,
                                 related_name="sample_assignments", limit_choices_to=partial(user_choices_q, "be_sampled"))
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("样本评估人员")
        verbose_name_plural = _("样本评估人员")
        constraints = [models.UniqueConstraint(fields=["sample", "assessor"], name="assessment_sample_assessor_once")]

    def __str__(self) -> str:
        return f"{self.sample} · {self.assessor}"

    def clean(self) -> None:
        if self.assessor_id:
            check_assignable(self.assessor, "be_sampled", "assessor", _("只能指派角色为“评估人员”的用户"))
