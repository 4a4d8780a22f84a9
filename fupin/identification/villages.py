"""贫困村退出和贫困县摘帽 (REFERENCE §4 "Village" and "County", §11): 贫困发生率 per village, township
and county against the thresholds (data: :class:`ExitThreshold`, western by :class:`WesternProvince`),
what still blocks each village, the village's yearly indicators and the record of its exit.

**贫困发生率** = people of the registered households not yet exited (贫困户(未脱贫) and 返贫,
registry.choices.NOT_EXITED_STATUSES; people = ``member_count``) / the area's 农村户籍人口
(``Area.rural_population``) × 100. For the current year (and later) the households' statuses today;
for an earlier year the figure at that year's end, from the status history
(fupin.monitoring.selectors.poor_people_by_year). Either way one grouped query gives every village of a
county; townships and the county add their villages' people up.

A village **may apply for exit** (``village_exit_blockers`` empty) when, for the year:
- its 贫困发生率 — as registered today, the application is made today — is below the threshold of its
  region (2%, western provinces 3%);
- its indicators for the year are recorded and none of ``INDICATORS`` fails (each a *local* rule: the
  national standard names roads, water, power, services and industry without fixed figures);
- its 村集体经济收入 is at least the threshold's ``collective_income`` (20,000 yuan as seeded: a local
  rule, *unverified*; a county admin corrects it as data).

The procedure (fupin.identification.rules): 乡镇申请 → notice in the township → 县级核查 → announcement by
the county → 批准退出, recorded by ``village_exited`` as a :class:`VillageExit` (the village shows 已退出
for that year onward).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.areas.models import PATH_LENGTH, Area, Level
from fupin.audit.services import audit_create, audit_update, snapshot
from fupin.registry import counts
from fupin.registry.models import Household

from .models import Case, CaseKind, Step
from .models_villages import ExitLevel, ExitThreshold, Region, VillageExit, VillageIndicators, WesternProvince

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User

#: The village indicators that block an exit when not met, with the words the page and the refusal use.
#: Local rules (REFERENCE §4 lists "roads, water, power, services, industry" without figures).
INDICATORS: tuple[tuple[str, Any], ...] = (
    ("road", gettext_lazy("未通硬化路")),
    ("water", gettext_lazy("饮水安全未保障")),
    ("power", gettext_lazy("未通生产生活用电")),
    ("clinic", gettext_lazy("无标准化卫生室或合格村医")),
    ("school", gettext_lazy("适龄儿童义务教育就学无保障")),
    ("broadband", gettext_lazy("未通宽带网络")),
)
INDICATOR_FIELDS = tuple(name for name, _label in INDICATORS)
#: The case steps after which a village exit case is over.
CLOSED_STEPS = (Step.VILLAGE_EXITED, Step.REJECTED, Step.WITHDRAWN)
CENT = Decimal("0.01")


def pct(value: Decimal | None) -> str:
    """3.40 → "3.4%", 3 → "3%" (the figure as the blockers name it)."""
    if value is None:
        return "—"
    return f"{value.normalize():f}%"


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('1')):,}"


# --- thresholds ---------------------------------------------------------------------------------------


def region_of(area: Area) -> str:
    """西部 when the area's province (the first two digits of its path) is a WesternProvince."""
    return Region.WESTERN if WesternProvince.objects.filter(code=area.path[:2]).exists() else Region.GENERAL


def threshold_for(level: str, area: Area, year: int, *, region: str | None = None) -> ExitThreshold | None:
    """The threshold of ``level`` for ``area``'s region in force in ``year`` (the latest year_from ≤ year)."""
    return (ExitThreshold.objects.filter(level=level, region=region or region_of(area), year_from__lte=year)
            .order_by("-year_from").first())


def rate(people: int, rural: int | None) -> Decimal | None:
    if not rural:
        return None
    return (Decimal(people) * 100 / Decimal(rural)).quantize(CENT)


# --- the figures --------------------------------------------------------------------------------------


@dataclass
class Figures:
    """An area's 贫困发生率: its not-exited households and people over its rural population."""

    area: Area
    rural: int | None
    households: int
    people: int
    rate: Decimal | None
    threshold: ExitThreshold | None


@dataclass
class VillageRow(Figures):
    indicators: VillageIndicators | None = None
    exit: VillageExit | None = None
    case: Case | None = None
    blockers: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.exit is not None:
            return "exited"
        if self.case is not None:
            return "in_progress"
        return "blocked" if self.blockers else "eligible"

    @property
    def status_label(self) -> str:
        if self.status == "in_progress":
            return _("退出办理中：%(s)s") % {"s": self.case.get_step_display()}
        if self.status == "exited":
            return _("已退出（%(y)d 年）") % {"y": self.exit.year}
        return str(STATUS_LABELS[self.status])


STATUS_LABELS = {"eligible": gettext_lazy("可申请退出"), "blocked": gettext_lazy("未达标"),
                 "exited": gettext_lazy("已退出"), "in_progress": gettext_lazy("退出办理中")}


@dataclass
class AreaRow(Figures):
    """A township or the county: its villages' people added up, over its own rural population."""

    villages: list[VillageRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {key: 0 for key in STATUS_LABELS}
        for v in self.villages:
            out[v.status] += 1
        return out


def is_live(year: int) -> bool:
    """Whether ``year``'s figures are today's (the current year and later) rather than a past year-end."""
    return year >= timezone.localdate().year


def _poor_by_village(root: Area, year: int, user: User | AnonymousUser | None,
                     live: bool) -> dict[str, tuple[int, int]]:
    """{village path: (households, people)} not yet exited in ``root``'s subtree: one grouped query."""
    length = PATH_LENGTH[Level.VILLAGE]
    if not live:
        from fupin.monitoring.selectors import poor_people_by_year

        by_prefix = poor_people_by_year(user=user, root=root, prefix_length=length)
        return {prefix: (years.get(year, {}).get("households", 0), years.get(year, {}).get("people", 0))
                for prefix, years in by_prefix.items()}
    households = Household.objects.all() if user is None else policy.visible_households(user)
    rows = (households.filter(counts.poor_q(), area_path__subtree=root.path)
            .annotate(village=Substr("area_path", 1, length)).values("village")
            .annotate(households=Count("id"), people=Sum("member_count")).order_by())
    return {r["village"]: (r["households"], r["people"] or 0) for r in rows}


def _open_cases(paths: list[str]) -> dict[int, Case]:
    cases = Case.objects.filter(kind=CaseKind.VILLAGE_EXIT, area__path__in=paths).exclude(step__in=CLOSED_STEPS)
    return {c.area_id: c for c in cases}


def _exits(area_ids: list[int], year: int) -> dict[int, VillageExit]:
    return {e.area_id: e for e in VillageExit.objects.filter(area_id__in=area_ids, year__lte=year)}


def _indicators(area_ids: list[int], year: int) -> dict[int, VillageIndicators]:
    return {i.area_id: i for i in VillageIndicators.objects.filter(area_id__in=area_ids, year=year)}


def blockers_of(*, rate_: Decimal | None, rural: int | None, threshold: ExitThreshold | None,
                indicators: VillageIndicators | None, year: int) -> list[str]:
    """What keeps a village from exiting, each naming the figure or the indicator."""
    out: list[str] = []
    if threshold is None:
        return [_("%(y)d 年没有适用的贫困村退出标准") % {"y": year}]
    if not rural:
        out.append(_("未登记农村户籍人口，无法计算贫困发生率"))
    elif rate_ is not None and rate_ >= threshold.incidence:
        out.append(_("贫困发生率 %(r)s ≥ %(t)s") % {"r": pct(rate_), "t": pct(threshold.incidence)})
    if indicators is None:
        out.append(_("尚未填报 %(y)d 年村级退出指标") % {"y": year})
        return out
    out.extend(str(label) for name, label in INDICATORS if not getattr(indicators, name))
    minimum = threshold.collective_income
    if minimum is not None:
        income = indicators.collective_income
        if income is None:
            out.append(_("未填报村集体经济收入"))
        elif income < minimum:
            out.append(_("村集体经济收入 %(i)s 元 < %(m)s 元") % {"i": yuan(income), "m": yuan(minimum)})
    return out


def figures(*, root: Area, year: int, user: User | AnonymousUser | None = None,
            live: bool | None = None) -> list[AreaRow]:
    """The incidence of every village in ``root``'s subtree for ``year``, grouped by township, with the
    threshold, the status (可申请退出 / 未达标 / 退出办理中 / 已退出) and the blockers of each village.
    ``root`` may be a county, a township or a village (a village: one township row holding only it, whose
    own figures then stand for that village alone, not the township). The
    people are today's when ``live`` (default: for the current year), else those at the year's end (a
    ``user`` is then needed: the status history is read through the policy)."""
    villages = list(Area.objects.filter(level=Level.VILLAGE, path__subtree=root.path).order_by("path")
                    if root.level != Level.VILLAGE else [root])
    if root.level == Level.VILLAGE:
        townships = [root.parent]
    elif root.level == Level.TOWNSHIP:
        townships = [root]
    else:
        townships = list(Area.objects.filter(level=Level.TOWNSHIP, path__subtree=root.path).order_by("path"))
    poor = _poor_by_village(root, year, user, is_live(year) if live is None else live)
    ids = [v.pk for v in villages]
    exits, indicators = _exits(ids, year), _indicators(ids, year)
    cases = _open_cases([v.path for v in villages])
    provinces = set(WesternProvince.objects.values_list("code", flat=True))
    thresholds: dict[str, ExitThreshold | None] = {}

    def threshold(area: Area, level: str) -> ExitThreshold | None:
        region = Region.WESTERN if area.path[:2] in provinces else Region.GENERAL
        key = f"{level}:{region}"
        if key not in thresholds:
            thresholds[key] = threshold_for(level, area, year, region=region)
        return thresholds[key]

    by_township = {t.path: AreaRow(area=t, rural=t.rural_population, households=0, people=0, rate=None,
                                   threshold=threshold(t, ExitLevel.VILLAGE)) for t in townships}
    for v in villages:
        households, people = poor.get(v.path, (0, 0))
        row = VillageRow(area=v, rural=v.rural_population, households=households, people=people,
                         rate=rate(people, v.rural_population), threshold=threshold(v, ExitLevel.VILLAGE),
                         indicators=indicators.get(v.pk), exit=exits.get(v.pk), case=cases.get(v.pk))
        row.blockers = blockers_of(rate_=row.rate, rural=row.rural, threshold=row.threshold,
                                   indicators=row.indicators, year=year)
        township = by_township.get(v.path[:PATH_LENGTH[Level.TOWNSHIP]])
        if township is not None:
            township.villages.append(row)
            township.households += households
            township.people += people
    for t in by_township.values():
        if root.level == Level.VILLAGE:
            t.rural = root.rural_population
        elif t.rural is None and t.villages and all(v.rural for v in t.villages):
            t.rural = sum(v.rural for v in t.villages)
        t.rate = rate(t.people, t.rural)
    return list(by_township.values())


def county_figures(*, county: Area, townships: list[AreaRow], year: int) -> AreaRow:
    """The county's 综合贫困发生率 from its townships' people (the rows ``figures`` gave for the county)."""
    people = sum(t.people for t in townships)
    households = sum(t.households for t in townships)
    rural = county.rural_population or (sum(t.rural for t in townships if t.rural) or None)
    return AreaRow(area=county, rural=rural, households=households, people=people, rate=rate(people, rural),
                   threshold=threshold_for(ExitLevel.COUNTY, county, year),
                   villages=[v for t in townships for v in t.villages])


def assessment_rates(county: Area, year: int) -> dict[str, Decimal] | None:
    """错退率, 漏评率 and 群众认可度 of the county's third-party assessment for ``year``, when fupin.assessment
    records them; None while it does not (its samples carry no findings yet)."""
    return None


# --- one village --------------------------------------------------------------------------------------


def village_exit_blockers(village: Area, year: int) -> list[str]:
    """What keeps ``village`` from applying for exit in ``year`` (empty: it may). The incidence is the
    registered figure of today (the application is made today), the indicators and the thresholds those
    of ``year``. Used by services.case_open for a village exit."""
    exit_ = VillageExit.objects.filter(area=village).first()
    if exit_ is not None:
        return [_("“%(v)s”已于 %(y)d 年退出") % {"v": village.name, "y": exit_.year}]
    (township,) = figures(root=village, year=year, live=True)
    return township.villages[0].blockers


def village_exited(*, case: Case, actor: User | None, date: datetime.date) -> VillageExit:
    """Record the exit the case's 批准退出 step approved (runs in the step's transaction)."""
    village = case.area
    try:
        with transaction.atomic():
            record = VillageExit.objects.create(area=village, area_path=village.path, year=case.year, date=date,
                                                case=case, recorded_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError as exc:
        raise ValidationError({"area": _("“%(v)s”已有退出记录") % {"v": village.name}}) from exc
    audit_create(actor=actor, obj=record, area_path=village.path,
                 summary=_("贫困村退出：%(v)s（%(y)d 年）") % {"v": village.name, "y": case.year})
    return record


def open_case_of(village: Area) -> Case | None:
    return Case.objects.filter(kind=CaseKind.VILLAGE_EXIT, area=village).exclude(step__in=CLOSED_STEPS).first()


# --- the indicators (a write) -------------------------------------------------------------------------

#: Who records a village's indicators: the township's case handlers (and the 系统管理员).
INDICATORS_CAPABILITY = "case_township"


def may_edit_indicators(user: User | AnonymousUser | None, village: Area) -> bool:
    return policy.can(user, INDICATORS_CAPABILITY) and policy.in_write_scope(user, village)


@transaction.atomic
def indicators_save(*, actor: User | None, village: Area, year: int, data: dict[str, Any]) -> VillageIndicators:
    """Record (or correct) ``village``'s indicators for ``year``; audited with the changes."""
    if village.level != Level.VILLAGE:
        raise ValidationError({"area": _("村级退出指标只能为行政村填报，“%(a)s”不是") % {"a": village.name}})
    policy.check_write(actor, village)
    if actor is not None and not policy.can(actor, INDICATORS_CAPABILITY):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您的角色不能填报村级退出指标"))
    record = VillageIndicators.objects.select_for_update().filter(area=village, year=year).first()
    created = record is None
    if created:
        record = VillageIndicators(area=village, area_path=village.path, year=year)
    before = snapshot(record)
    allowed = {*INDICATOR_FIELDS, "collective_income", "industry", "note"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(_("未知的指标：%(k)s") % {"k": "、".join(unknown)})
    for name, value in data.items():
        setattr(record, name, value)
    record.updated_by = actor if getattr(actor, "pk", None) else None
    record.full_clean()
    record.save()
    summary = _("%(v)s %(y)d 年村级退出指标") % {"v": village.name, "y": year}
    if created:
        audit_create(actor=actor, obj=record, area_path=village.path, summary=_("填报") + summary)
    else:
        audit_update(actor=actor, obj=record, before=before, after=snapshot(record), area_path=village.path,
                     summary=_("修改") + summary)
    return record


