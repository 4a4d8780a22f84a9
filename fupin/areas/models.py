"""Administrative areas: 省 > 市 > 县 > 乡镇 > 行政村 > 村民小组 (REFERENCE §1).

Every area carries ``path``: the significant prefix of its statistical code (2 digits for a
province, 4 for a city, 6 for a county, 9 for a township, 12 for a village, 15 for a group).
Because the widths are fixed, "everything inside area X" is ``path LIKE 'X.path%'``: one indexed
range scan, with no recursive query. Households copy their area's path so that every list can be
scoped without a join.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("行政村")
    GROUP = "group", _("村民小组")


#: Digits of the significant code prefix at each level.
PATH_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}
LEVEL_BY_LENGTH = {length: level for level, length in PATH_LENGTH.items()}
LEVEL_ORDER = list(PATH_LENGTH)
PARENT_LEVEL = {LEVEL_ORDER[i + 1]: LEVEL_ORDER[i] for i in range(len(LEVEL_ORDER) - 1)}


class Area(models.Model):
    code = models.CharField(
        _("区划代码"),
        max_length=15,
        unique=True,
        help_text=_("12 位统计用区划代码；村民小组在村代码后加 3 位本地编号"),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("代码前缀"), max_length=15, unique=True, editable=False)
    # Denominator of 贫困发生率 (REFERENCE §4): the rural registered population of the area.
    rural_population = models.PositiveIntegerField(_("农村户籍人口"), null=True, blank=True)
    synthetic = models.BooleanField(_("合成演示数据"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL answer LIKE 'prefix%' from the index under
            # any collation; other databases ignore the opclass.
            models.Index(fields=["path"], name="area_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True) | ~models.Q(level="province"),
                name="area_province_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    @staticmethod
    def path_for(code: str, level: str) -> str:
        return code[: PATH_LENGTH[Level(level)]]

    def full_name(self) -> str:
        """Name with its ancestors below county level, e.g. 老厂乡 / 竹基村 / 第一组."""
        names = [a.name for a in self.ancestors(include_self=True) if a.depth >= LEVEL_ORDER.index(Level.COUNTY)]
        return " / ".join(names)

    def ancestors(self, include_self: bool = False) -> list[Area]:
        """Ancestors from the top down (one query, through the path prefixes)."""
        prefixes = [self.path[:n] for n in PATH_LENGTH.values() if n < len(self.path)]
        if include_self:
            prefixes.append(self.path)
        return list(Area.objects.filter(path__in=prefixes).order_by("path"))

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)


class DesignationKind(models.TextChoices):
    POOR_VILLAGE = "poor_village", _("贫困村")
    DEEP_POOR_VILLAGE = "deep_poor_village", _("深度贫困村")
    POOR_TOWNSHIP = "poor_township", _("贫困乡镇")


class AreaDesignation(models.Model):
    """A village or township flagged 贫困村 / 深度贫困村 / 贫困乡镇 for a given year."""

    area = models.ForeignKey(Area, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="designations")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=DesignationKind.choices)

    class Meta:
        verbose_name = _("贫困村/乡镇认定")
        verbose_name_plural = _("贫困村/乡镇认定")
        ordering = ["area__path", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "kind"], name="area_designation_unique"),
            models.CheckConstraint(condition=models.Q(year__gte=1980, year__lte=2100), name="area_designation_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.get_kind_display()}"
