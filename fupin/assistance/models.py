"""精准帮扶: who helps which household (REFERENCE §8). A 帮扶责任人 sees only the households paired
to them; see fupin.registry.selectors.household_scope."""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.accounts.policy import check_assignable, user_choices_q


class PairingQuerySet(models.QuerySet):
    def ongoing(self, on: datetime.date | None = None) -> PairingQuerySet:
        """Pairings in force on ``on`` (today by default): started, and not ended yet. The end date is
        the day the pairing stopped (脱钩), so on that day the cadre no longer sees the household."""
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gt=on), start__lte=on)


class Pairing(models.Model):
    """帮扶结对: one cadre helps one household from ``start`` until ``end`` (empty while it lasts).
    A household may have several cadres; a cadre has one open pairing per household at a time."""

    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("帮扶责任人"), on_delete=models.PROTECT,
                              related_name="pairings", limit_choices_to=partial(user_choices_q, "be_paired"))
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
        if self.cadre_id:
            check_assignable(self.cadre, "be_paired", "cadre", _("只能与角色为“帮扶责任人”的用户结对"))
        if self.end is not None and self.start and self.end < self.start:
            raise ValidationError({"end": _("解除日期不能早于结对日期")})
