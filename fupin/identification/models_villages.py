"""贫困村和贫困县退出 (REFERENCE §4 "Village" and "County", §11): the thresholds as data, the western
provinces whose areas take the western thresholds, each village's yearly indicators (roads, water,
power, services, industry and collective income) and the record of a village's exit.

How an area knows it is western: its province code (the first two digits of its path) is listed in
:class:`WesternProvince` (seeded with the 12 provinces of 西部大开发 by migration 0002_villages; a
county admin may add or remove one in /admin/). Every other area takes the general (中东部) thresholds.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ExitLevel(models.TextChoices):
    VILLAGE = "village", _("贫困村退出")
    COUNTY = "county", _("贫困县摘帽")


class Region(models.TextChoices):
    GENERAL = "general", _("中东部")
    WESTERN = "western", _("西部")


class WesternProvince(models.Model):
    """A province whose villages and counties exit under the western thresholds (3% instead of 2%)."""

    code = models.CharField(_("省级代码"), max_length=2, unique=True,
                            help_text=_("统计用区划代码的前两位，如云南省为 53"))
    name = models.CharField(_("省份"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("西部省份")
        verbose_name_plural = _("西部省份")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExitThreshold(models.Model):
    """The exit standard of a level and region from ``year_from`` on (the latest year_from ≤ the year
    applies). 贫困发生率 must be *below* ``incidence``; a county also needs 错退率 and 漏评率 at most
    ``wrong_exit`` / ``missed_poor`` and 群众认可度 at least ``approval``; a village also needs its
    collective income at least ``collective_income`` yuan (a local rule)."""

    level = models.CharField(_("层级"), max_length=10, choices=ExitLevel.choices)
    region = models.CharField(_("地区"), max_length=10, choices=Region.choices)
    year_from = models.PositiveSmallIntegerField(_("起始年度"),
                                                 validators=[MinValueValidator(2013), MaxValueValidator(2100)])
    incidence = models.DecimalField(_("贫困发生率低于（%）"), max_digits=5, decimal_places=2, validators=PERCENT)
    wrong_exit = models.DecimalField(_("错退率不高于（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
                                     validators=PERCENT)
    missed_poor = models.DecimalField(_("漏评率不高于（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
                                      validators=PERCENT)
    approval = models.DecimalField(_("群众认可度不低于（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
                                   validators=PERCENT)
    collective_income = models.DecimalField(_("村集体经济收入不低于（元）"), max_digits=12, decimal_places=2,
                                            null=True, blank=True, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("依据与说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("退出标准")
        verbose_name_plural = _("退出标准")
        ordering = ["level", "region", "-year_from"]
        constraints = [
            models.UniqueConstraint(fields=["level", "region", "year_from"], name="exit_threshold_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_region_display()} {self.year_from}— <{self.incidence}%"


class VillageIndicators(models.Model):
    """A village's infrastructure, services and economy in a year (REFERENCE §4 "Village": roads, water,
    power, services, industry and collective income), recorded by the township or the county."""

    area = models.ForeignKey("areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT,
                             related_name="village_indicators", limit_choices_to={"level": "village"})
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2013), MaxValueValidator(2100)])
    road = models.BooleanField(_("通硬化路"), default=False, help_text=_("建制村通硬化路"))
    water = models.BooleanField(_("安全饮水"), default=False, help_text=_("农户饮水安全有保障"))
    power = models.BooleanField(_("通生活用电"), default=False, help_text=_("通生产生活用电（农网）"))
    clinic = models.BooleanField(_("卫生室和村医"), default=False, help_text=_("有标准化卫生室和合格村医"))
    school = models.BooleanField(_("义务教育就学"), default=False, help_text=_("适龄儿童可就近入学或有寄宿保障"))
    broadband = models.BooleanField(_("通宽带"), default=False, help_text=_("通宽带网络"))
    collective_income = models.DecimalField(_("村集体经济收入（元）"), max_digits=12, decimal_places=2, null=True,
                                            blank=True, validators=[MinValueValidator(Decimal("0"))])
    industry = models.CharField(_("主导产业"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("村级退出指标")
        verbose_name_plural = _("村级退出指标")
        ordering = ["area__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="village_indicators_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year}"


class VillageExit(models.Model):
    """A village's exit, recorded when its case reaches 批准退出: it shows 已退出 from ``year`` onward."""

    area = models.ForeignKey("areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT,
                             related_name="village_exits")
    area_path = models.CharField(_("区划前缀"), max_length=15, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("退出年度"))
    date = models.DateField(_("批准日期"))
    case = models.OneToOneField("identification.Case", verbose_name=_("退出案件"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="village_exit")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贫困村退出记录")
        verbose_name_plural = _("贫困村退出记录")
        ordering = ["area__path"]
        constraints = [
            # A village exits once (a later slide back is recorded on its households, not here).
            models.UniqueConstraint(fields=["area"], name="village_exit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year}"
