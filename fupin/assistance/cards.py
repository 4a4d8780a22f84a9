"""明白卡 (household card, REFERENCE §8): one A4 page per household, posted on the wall of the home.

    from fupin.assistance.cards import print_cards
    printed = print_cards(user=user, households=households_qs)      # one PDF, one page per household
    printed.pdf, printed.count, printed.new, printed.reprinted

What a card holds: the household and its members (name, relation, age, the ID number masked with
``policy.mask_id`` as on the notices — a card hangs on a wall —, health only for the roles the policy
lets see it, labour and schooling), the causes, the production and living conditions the registry
holds, the per-capita net income of the two latest years against the line, this year's plan and its
measures, the cadres of the ongoing pairings (name, unit, post and phone: the household is meant to
call them), and the supervision hotline.

**Versions** (seed 002: "将旧明白卡拆除，坚决避免新旧明白卡都张贴在一处"): each card carries the SHA-256
of its data (``digest``). Printing issues a new version (fupin.assistance.services.cards_issue) only
when the digest differs from the last issued one; printing the same data again reprints the same
version. The printed card says "第 N 版 … 替换旧卡". The digest is of the data itself, not of one
role's view of it (a 领导 printing a card without health does not make a new version) and leaves out
what changes by itself (ages: the birth dates stand for them).

Rendering goes through fupin.documents.render (the vendored font, every character checked first,
warnings as errors) with templates/card.typ; many cards are one Typst compile (one document, a page
each), without PDF tags (``tags=False``): the bulk case the renderer's switch is for.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import policy
from fupin.documents.records import living_rows
from fupin.documents.render import UnprintableText, check_printable, render_pdf
from fupin.registry.choices import Relation, Status

from .models import CardIssue, MeasureStatus, Pairing, Plan, PlanMeasure

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area
    from fupin.jobs.models import Job
    from fupin.registry.models import Household, Member

TEMPLATE = "card"

#: The households that get a card: registered (建档立卡, exited ones included: 不脱贫不脱钩) and monitored
#: (防返贫监测) — not an application still under identification, not a cancelled record.
CARD_STATUSES = tuple(s for s in Status if s not in (Status.APPLYING, Status.CANCELLED))
MONITORED = (Status.MONITOR_RISK, Status.MONITOR_CLEARED)

CARD_LANGUAGE = "zh-hans"

#: 全国扶贫监督举报电话 (seed 001: "畅通12317扶贫监督举报电话"), printed on every card; the area's own
#: number, when its notices give one, is printed before it.
NATIONAL_HOTLINE = "12317"

#: 生产生活条件 on a card: what a visitor checks at the door (the 户档案 prints them all).
CARD_LIVING = ("house_structure", "house_area", "danger_grade", "water_safe", "water_difficulty", "domestic_power",
               "road_type", "sanitary_toilet", "cultivated_land", "in_cooperative", "relocated", "relocation_site")

#: Cards rendered in one Typst compile when a whole area is printed: its memory grows with the pages
#: (≈ 1 MB a card), so a large village is rendered in parts of this many and joined. Typst keeps the
#: caches of its last ten compiles (≈ 0.8 MB a card each), so the part's size bounds the memory too.
CHUNK = 50

#: Table rows (members; measures and the plan's lines; three a cadre) a card holds in its full type size
#: for sure (a 10-member household with 7 measures and 2 cadres needs smaller type: the template finds
#: the size that fits only for these, measuring costs a layout per size tried).
CROWDED_ROWS = 16

#: A card is one page: measures beyond this many are counted, not listed.
MAX_MEASURES = 7


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _date(value: datetime.date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


# --- reading ----------------------------------------------------------------------------------------


def card_queryset(households: QuerySet[Household], *, today: datetime.date) -> QuerySet[Household]:
    """``households`` (already scoped by the caller) that get a card, with everything a card prints
    fetched in a fixed number of queries (members, years, this year's plan and measures, pairings)."""
    year_model = apps.get_model("registry", "YearlyRecord")
    member_model = apps.get_model("registry", "Member")
    measures = PlanMeasure.objects.exclude(status=MeasureStatus.CANCELLED).select_related("unit", "cadre") \
        .order_by("planned_on", "id")
    return (households.filter(status__in=CARD_STATUSES).select_related("area")
            .prefetch_related(
                Prefetch("members", queryset=member_model.objects.filter(active=True).order_by("id"),
                         to_attr="card_members"),
                Prefetch("yearly_records", queryset=year_model.objects.filter(year__lte=today.year)
                         .order_by("-year"), to_attr="card_years"),
                Prefetch("plans", queryset=Plan.objects.filter(year=today.year)
                         .prefetch_related(Prefetch("measures", queryset=measures)), to_attr="card_plans"),
                Prefetch("pairings", queryset=Pairing.objects.ongoing(today).select_related("cadre__unit")
                         .order_by("start", "id"), to_attr="card_pairings"))
            .order_by("area_path", "number"))


@dataclasses.dataclass
class Places:
    """Names of the areas cards are printed for, and their hotlines, each looked up once per run."""

    names: dict[int, tuple[str, str]] = dataclasses.field(default_factory=dict)
    hotlines: dict[str, str] = dataclasses.field(default_factory=dict)

    def of(self, area: Area) -> tuple[str, str]:
        """(county, "乡镇 村 组") of ``area``."""
        if area.pk not in self.names:
            chain = area.ancestors(include_self=True)
            county = next((a.name for a in chain if a.level == "county"), "")
            below = [a.name for a in chain if a.depth > 2]
            self.names[area.pk] = (county, " ".join(below))
        return self.names[area.pk]

    def hotline(self, area: Area) -> str:
        """The supervision hotline a card gives: the objection hotline of the latest notice hung in the
        household's area or above (where the notices take it from: the village, township or county
        typed it when publishing), and 12317."""
        village_path = area.path[:12]
        if village_path not in self.hotlines:
            notice_model = apps.get_model("identification", "Notice")
            prefixes = [area.path[:n] for n in (6, 9, 12, 15) if n <= len(area.path)]
            local = (notice_model.objects.filter(area__path__in=prefixes, withdrawn=False)
                     .order_by("-starts_on", "-id").values_list("hotline", flat=True).first() or "").strip()
            self.hotlines[village_path] = local if local and local != NATIONAL_HOTLINE else ""
        return self.hotlines[village_path]


def _member(m: Member, today: datetime.date) -> dict[str, str]:
    health = m.get_health_display()
    if m.disability_category:
        health += f"（{m.get_disability_category_display()}{m.get_disability_grade_display()}）"
    school = m.get_school_status_display() if m.school_status and m.school_status != "none" else ""
    return {
        "name": m.name, "relation": m.get_relation_display(), "id_number": policy.mask_id(m.id_number),
        "sex": m.get_sex_display(), "birth": _date(m.birth_date), "age": str(m.age_on(today)),
        "health": health, "labour": m.get_labour_display() or "—", "school": school or "—",
    }


def _plan(h: Household) -> dict[str, Any] | None:
    plans = getattr(h, "card_plans", None)
    if not plans:
        return None
    plan = plans[0]
    measures = list(plan.measures.all())
    return {
        "year": str(plan.year), "note": plan.note.strip(),
        "measures": [{
            "category": m.get_category_display(), "name": m.name,
            "cause": _cause_label(m.cause) if m.cause else "—",
            "who": "　".join(x for x in (m.unit.name if m.unit else "", m.cadre.name if m.cadre else "") if x) or "—",
            "planned_on": _date(m.planned_on) or "—", "funds": _yuan(m.funds) if m.funds else "—",
            "status": m.get_status_display(),
        } for m in measures[:MAX_MEASURES]],
        "more": str(max(0, len(measures) - MAX_MEASURES)),
        "funds": _yuan(sum((m.funds for m in measures), Decimal(0))),
    }


def _plan_rows(plan: dict[str, Any] | None) -> int:
    """About how many table rows the plan takes: a long measure or note wraps over several lines."""
    if plan is None:
        return 0
    return 3 + len(plan["note"]) // 50 + sum(1 + (len(m["name"]) + len(m["who"])) // 24 for m in plan["measures"])


def _cause_label(code: str) -> str:
    from fupin.registry.choices import Cause

    return str(Cause(code).label) if code in Cause.values else code


def card_content(h: Household, *, today: datetime.date, places: Places) -> dict[str, Any]:
    """Everything one card prints, as strings, whoever prints it (health included, birth dates kept
    for the digest): ``printed_for`` narrows it to a user."""
    county, place = places.of(h.area)
    members = sorted(getattr(h, "card_members", None) or [m for m in h.members.all() if m.active],
                     key=lambda m: (m.relation != Relation.HEAD, m.pk))
    years = (getattr(h, "card_years", None) or [])[:2]
    local = places.hotline(h.area)
    monitored = h.status in MONITORED
    plan = _plan(h)
    cadres = getattr(h, "card_pairings", [])
    rows = len(members) + _plan_rows(plan) + 3 * ((len(cadres) + 1) // 2)
    return {
        "crowded": rows > CROWDED_ROWS,
        "title": _("帮扶明白卡") if monitored else _("扶贫明白卡"),
        "kind": _("防止返贫监测对象") if monitored else _("建档立卡户"),
        "county": county, "place": place, "year": str(today.year),
        "household": {
            "number": h.number, "head": h.head_name or "—", "status": h.get_status_display(),
            "attribute": h.get_attribute_display(), "size": str(len(members)), "address": h.address or "—",
            "identified_year": str(h.identified_year or "—"),
            "exit_year": str(h.exit_year) if h.exit_year else
            (_("计划 %(y)s 年") % {"y": h.exit_year_planned} if h.exit_year_planned else "—"),
        },
        "causes": {"main": h.get_main_cause_display() or "—", "other": "、".join(str(c) for c in h.other_cause_labels)},
        "members": [_member(m, today) for m in members],
        "living": living_rows(h, CARD_LIVING),
        "income": [{"year": str(r.year), "per_capita": _yuan(r.per_capita_income), "line": _yuan(r.poverty_line),
                    "above": "—" if r.above_line is None else (_("已达标") if r.above_line else _("未达标"))}
                   for r in years],
        "plan": plan,
        "cadres": [{"name": p.cadre.name, "unit": p.cadre.unit.name if p.cadre.unit else "—",
                    "post": p.cadre.post or "", "phone": p.cadre.phone or "—",
                    "since": _date(p.start)} for p in cadres],
        "hotline": {"local": local, "national": NATIONAL_HOTLINE},
    }


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of a card's data, ages left out (the birth dates are in): a birthday is no new card."""
    stable = {**content, "year": None, "crowded": None,
              "members": [{k: v for k, v in m.items() if k != "age"} for m in content["members"]]}
    return hashlib.sha256(json.dumps(stable, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def printed_for(content: dict[str, Any], user: User | AnonymousUser | None) -> dict[str, Any]:
    """The card as ``user`` may print it: no birth dates (the age is printed), health only for the
    roles that see it (fupin.accounts.policy)."""
    sees_health = user is None or policy.sees(user, "health")
    members = [{k: v for k, v in m.items() if k != "birth" and (sees_health or k != "health")}
               for m in content["members"]]
    return {**content, "members": members, "show_health": sees_health}


def _version(issue: CardIssue) -> dict[str, str]:
    issued = timezone.localtime(issue.issued_at).date()
    if issue.version == 1:
        replaces = _("首次印制")
    elif issue.version == 2:
        replaces = _("替换旧卡：请撤下第 1 版")
    else:
        replaces = _("替换旧卡：请撤下第 %(v)s 版及以前各版") % {"v": issue.version - 1}
    return {"n": str(issue.version), "issued_on": _date(issued), "replaces": replaces,
            "line": _("第 %(n)s 版，%(d)s 印制，%(r)s") % {"n": issue.version, "d": _date(issued), "r": replaces}}


def labels(cards: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each printed field by the household and the name people know it by (the render's error)."""
    out: dict[str, str] = {}
    for i, card in enumerate(cards):
        who = _("户 %(n)s（%(head)s）的") % {"n": card["household"]["number"], "head": card["household"]["head"]}
        for key, label in (("household.head", _("户主姓名")), ("household.address", _("住址")),
                           ("members.*.name", _("家庭成员姓名")), ("plan.note", _("帮扶思路")),
                           ("plan.measures.*.name", _("帮扶措施内容")), ("plan.measures.*.who", _("责任单位和责任人")),
                           ("cadres.*.name", _("帮扶责任人姓名")), ("cadres.*.unit", _("帮扶单位")),
                           ("cadres.*.post", _("帮扶责任人职务")), ("cadres.*.phone", _("帮扶责任人电话")),
                           ("hotline.local", _("监督电话")), ("place", _("所在地")), ("county", _("县名"))):
            out[f"cards.{i}.{key}"] = who + label
    return out


# --- printing ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Printed:
    pdf: bytes
    count: int
    new: int  # cards issued in a new version (first cards included)
    reprinted: int  # cards whose data had not changed: the same version again
    versions: dict[str, int]  # household number → the version printed


def print_cards(*, user: User | None, households: QuerySet[Household] | Iterable[Household],
                area_path: str = "", summary: str = "", now: datetime.datetime | None = None,
                tags: bool | None = None) -> Printed:
    """The cards of ``households`` (read through the user's scope by the caller; a queryset from
    ``card_queryset``, or one that is passed through it) as one PDF, a page each, with the versions
    issued and the print audited as an export (``summary``; one household: the row is about it).

    Raises UnprintableText (nothing issued) when a character is not in the font. ``user`` None: the
    system (the command line without --user)."""
    # The card is a Chinese sheet (its template's words are), whatever language the printer's pages
    # are in; and its digest must not change with the printer's language.
    with translation.override(CARD_LANGUAGE):
        return _print_cards(user=user, households=households, area_path=area_path, summary=summary,
                            now=now or timezone.now(), tags=tags)


def _print_cards(*, user: User | None, households: QuerySet[Household] | Iterable[Household], area_path: str,
                 summary: str, now: datetime.datetime, tags: bool | None) -> Printed:
    from . import services

    today = timezone.localtime(now).date()
    if isinstance(households, QuerySet):
        households = card_queryset(households, today=today)
    households = list(households)
    places = Places()
    contents = [card_content(h, today=today, places=places) for h in households]
    cards = [printed_for(c, user) for c in contents]
    data = {"cards": cards, "printed": {
        "by": (getattr(user, "display_name", "") or user.get_username()) if user is not None else _("系统"),
        "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}}
    names = labels(cards)
    check_printable(data, labels=names)  # before anything is issued: a refused print issues nothing
    issued = services.cards_issue(actor=user, digests={h.pk: digest(c) for h, c in zip(households, contents,
                                                                                          strict=True)},
                                  now=now, area_path=area_path, summary=summary,
                                  household=households[0] if len(households) == 1 else None)
    for h, card in zip(households, cards, strict=True):
        card["version"] = _version(issued.issues[h.pk])
    pdf = _render(data, names, now, len(cards) == 1 if tags is None else tags)
    return Printed(pdf=pdf, count=len(cards), new=len(issued.new), reprinted=len(cards) - len(issued.new),
                   versions={h.number: issued.issues[h.pk].version for h in households})


def page_count(pdf: bytes) -> int:
    """The pages of a PDF Typst wrote (its page tree's root holds the count)."""
    found = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    return int(found.group(1)) if found else 0


def _render(data: dict[str, Any], names: dict[str, str], now: datetime.datetime, tags: bool) -> bytes:
    """The cards' PDF, a page each. ``crowded`` is an estimate: a card that still runs over its page
    (found by the page count; then card by card) is set again as crowded, in the type that fits."""
    pdf = render_pdf(TEMPLATE, data, labels=names, when=now, tags=tags)
    cards = data["cards"]
    if page_count(pdf) == len(cards):
        return pdf
    for card in cards:
        if not card["crowded"] and page_count(render_pdf(TEMPLATE, {**data, "cards": [card]}, labels={}, when=now,
                                                         tags=False)) > 1:
            card["crowded"] = True
    return render_pdf(TEMPLATE, data, labels=names, when=now, tags=tags)


def latest_issues(household_ids: Iterable[int]) -> dict[int, CardIssue]:
    """The last issued card of each household (none yet: absent)."""
    out: dict[int, CardIssue] = {}
    for issue in CardIssue.objects.filter(household_id__in=list(household_ids)).order_by("household_id", "-version"):
        out.setdefault(issue.household_id, issue)
    return out


# --- a whole area: a village at a time, joined --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AreaPrinted:
    count: int
    new: int
    reprinted: int
    villages: int
    pages: int


def village_paths(households: QuerySet[Household]) -> list[tuple[str, int]]:
    """(village path, card count) of ``households`` that get a card, in code order."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    return [(row["v"], row["n"]) for row in households.filter(status__in=CARD_STATUSES)
            .annotate(v=Substr("area_path", 1, 12)).values("v").annotate(n=Count("id")).order_by("v")]


def print_area(*, user: User | None, households: QuerySet[Household], out: Path, area_path: str = "",
               report: Callable[[int, int], None] | None = None, now: datetime.datetime | None = None) -> AreaPrinted:
    """The cards of ``households`` (scoped by the caller) written to ``out`` as one PDF: rendered a
    village at a time, in parts of at most CHUNK cards (bounded memory; each part issued and audited on
    its own) and joined
    (fupin.documents.render.join_pdfs). ``report(done, total)`` after each village (it may raise to
    cancel: nothing is written to ``out`` then). Written beside ``out`` and renamed: never half a file."""
    from fupin.documents.render import join_pdfs

    now = now or timezone.now()
    villages = village_paths(households)
    total = sum(n for _v, n in villages)
    names = dict(apps.get_model("areas", "Area").objects.filter(path__in=[v for v, _n in villages])
                 .values_list("path", "name"))
    done = new = 0
    parts: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="cards-", dir=out.parent) as tmp:
        folder = Path(tmp)
        for path, _count in villages:
            in_village = households.filter(area_path__startswith=path, status__in=CARD_STATUSES)
            ids = list(in_village.order_by("area_path", "number").values_list("pk", flat=True))
            for start in range(0, len(ids), CHUNK):
                printed = print_cards(user=user, households=in_village.filter(pk__in=ids[start:start + CHUNK]),
                                      now=now, area_path=path, tags=False,
                                      summary=_("打印明白卡：%(v)s %(n)s 户") % {"v": names.get(path, path),
                                                                           "n": min(CHUNK, len(ids) - start)})
                name = f"{len(parts):05d}.pdf"
                (folder / name).write_bytes(printed.pdf)
                parts.append((name, printed.count))
                done += printed.count
                new += printed.new
                if report is not None:
                    report(done, total)
        partial = folder / "joined.pdf"
        if parts:
            partial.write_bytes(join_pdfs(folder, parts, when=now))
            os.replace(partial, out)
    return AreaPrinted(count=done, new=new, reprinted=done - new, villages=len(villages) if parts else 0, pages=done)


# --- the background job: a township's or the county's cards -------------------------------------------

JOB_KIND = "assistance_cards"
JOB_FILE = "cards.pdf"


def run_job(job: Job) -> None:
    """The job's handler: every card of ``job.area`` the job's user sees, one PDF (``JOB_FILE`` in the
    job's folder, deleted with the job's files after FUPIN_JOB_FILE_DAYS). Progress after each village;
    a cancel stops before the next village and leaves no file (the villages printed so far keep the
    versions they issued: the same data reprints them)."""
    from fupin.jobs import runner

    if job.area is None:
        raise runner.JobRefused(_("未指定区划"))
    households = policy.visible_households(job.user).filter(area_path__startswith=job.area.path)
    runner.set_progress(job.id, 0, 0, _("准备中"))
    job.folder.mkdir(parents=True, exist_ok=True)
    report = runner.reporter(job, _("正在排版明白卡"))
    try:
        printed = print_area(user=job.user, households=households, out=job.folder / JOB_FILE,
                             area_path=job.area.path, report=report)
    except UnprintableText as exc:
        raise runner.JobRefused(_("无法打印明白卡：") + "；".join(exc.messages)) from exc
    if not printed.count:
        raise runner.JobRefused(_("%(a)s 没有可打印明白卡的户") % {"a": job.area.name})
    job.result = {"count": printed.count, "new": printed.new, "reprinted": printed.reprinted,
                  "villages": printed.villages, "size": (job.folder / JOB_FILE).stat().st_size}


def register_kind() -> None:
    from fupin.jobs import kinds

    kinds.register(JOB_KIND, label=gettext_lazy("打印明白卡"), handler=run_job)
