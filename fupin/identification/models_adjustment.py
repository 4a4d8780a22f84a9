"""The yearly dynamic adjustment (动态调整, issue 13 item 5; REFERENCE §5): a run for one year and one area,
computed by a background job, and the proposals it made — new entrants, exits, returns to poverty and
removals — each reviewed and confirmed (a transition on the workflow) or not adopted (不采纳)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    COMPUTING = "computing", _("计算中")
    REVIEW = "review", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


class ProposalKind(models.TextChoices):
    ENTRANT = "entrant", _("新识别")
    EXIT = "exit", _("脱贫")
    RETURN = "return", _("返贫")
    REMOVAL = "removal", _("清退")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("不采纳")


class AdjustmentRun(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    job = models.OneToOneField("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="adjustment_run")
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.COMPUTING)
    #: {kind: proposals, "households": households looked at, "notes": [what was not proposed and why]}
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("计算完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("动态调整")
        verbose_name_plural = _("动态调整")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.area_id} {self.get_status_display()}"


class Proposal(models.Model):
    run = models.ForeignKey(AdjustmentRun, verbose_name=_("动态调整"), on_delete=models.CASCADE,
                            related_name="proposals")
    household = models.ForeignKey("registry.Household", verbose_name=_("贫困户"), on_delete=models.PROTECT,
                                  related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=ProposalKind.choices)
    reason = models.CharField(_("理由"), max_length=300)
    #: The evidence: held / failed criteria, the rule set (id, version), the income and the line, the case.
    details = models.JSONField(_("依据"), default=dict, blank=True)
    state = models.CharField(_("审核状态"), max_length=10, choices=ProposalState.choices,
                             default=ProposalState.PENDING)
    note = models.CharField(_("审核意见"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调整建议")
        verbose_name_plural = _("调整建议")
        ordering = ["run_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "household", "kind"], name="proposal_unique_run_household_kind"),
        ]
        indexes = [models.Index(fields=["run", "kind", "state"], name="proposal_run_kind_state_idx")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.kind} {self.household_id}"
