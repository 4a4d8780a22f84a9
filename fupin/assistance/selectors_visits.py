"""Reads of the visits (issue 15 items 2 and 5), every one through the access policy: a visit is seen
by whoever sees its household (policy.household_q), so a 帮扶责任人 sees the visits of its paired
households — also those logged by others — and nothing else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fupin.accounts import policy
from fupin.registry.models import Household

from . import rules
from .models import Cadre, MeasureStatus, Pairing, PlanMeasure, RuleKey, Visit, VisitPhoto
from .services_visits import own_cadre  # noqa: F401  (re-exported for the views)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fupin.accounts.models import User
    from fupin.areas.models import Area

#: Measures count as due when planned for the next this-many days, or earlier and still not done.
MEASURES_AHEAD_DAYS = 30


def visits_for(user: User | AnonymousUser) -> QuerySet[Visit]:
    """Every visit ``user`` may read: those of the households the user sees."""
    return Visit.objects.filter(policy.household_q(user, "household"))


def visit_get(user: User | AnonymousUser, pk: int) -> Visit:
    visit = visits_for(user).select_related("household__area", "cadre").filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


def photo_get(user: User | AnonymousUser, visit_pk: int, photo_pk: int) -> VisitPhoto:
    visit = visit_get(user, visit_pk)
    photo = VisitPhoto.objects.filter(visit=visit, pk=photo_pk).select_related("visit__household").first()
    if photo is None:
        raise Http404
    return photo


def household_visits(*, household: Household) -> QuerySet[Visit]:
    """The visits of a household the caller has read through a scoped selector, newest first."""
    return (household.visits.select_related("cadre__unit", "recorded_by")
            .prefetch_related("photos").order_by("-on", "-id"))


def cadre_get(user: User | AnonymousUser, pk: int) -> Cadre:
    """A cadre ``user`` may read the visits of: the user's own record, a cadre of an area in the user's
    subtree (area-scoped roles), or one paired with a household the user sees. Anything else: 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    seen = Pairing.objects.filter(policy.household_q(user, "household")).values("cadre_id")
    # A household-scoped role (帮扶责任人) is not scoped by its area: only its own pairings count.
    by_area = Q(pk__in=[]) if policy.scoped_by_households(user) else policy.area_q(user, "area__path")
    cadre = Cadre.objects.select_related("unit", "area").filter(Q(user=user) | by_area | Q(pk__in=seen), pk=pk).first()
    if cadre is None:
        raise Http404
    return cadre


def cadre_visits(*, user: User | AnonymousUser, cadre: Cadre) -> QuerySet[Visit]:
    """The cadre's visits to the households ``user`` sees, newest first."""
    return (visits_for(user).filter(cadre=cadre).select_related("household__area")
            .prefetch_related("photos").order_by("-on", "-id"))


# --- the cadre's own page (item 5) -----------------------------------------------------------------


@dataclass
class MyHousehold:
    household: Household
    last_visit: datetime.date | None
    interval: int  # rules.threshold(VISIT_INTERVAL_DAYS) for the household's area
    today: datetime.date

    @property
    def days_since(self) -> int | None:
        return (self.today - self.last_visit).days if self.last_visit else None

    @property
    def due_on(self) -> datetime.date | None:
        return self.last_visit + datetime.timedelta(days=self.interval) if self.last_visit else None

    @property
    def due(self) -> bool:
        """A visit is due: never visited, or the interval has passed since the last visit."""
        return self.last_visit is None or self.days_since >= self.interval

    @property
    def overdue_days(self) -> int | None:
        return self.days_since - self.interval if self.last_visit and self.due else None


@dataclass
class MyPage:
    cadre: Cadre | None
    households: list[MyHousehold] = field(default_factory=list)
    measures: list[PlanMeasure] = field(default_factory=list)

    @property
    def due(self) -> list[MyHousehold]:
        """Visits due, never visited first, then the longest overdue."""
        return sorted((h for h in self.households if h.due), key=lambda h: (h.last_visit is not None, h.last_visit))


def _intervals(areas: list[Area]) -> dict[int, int]:
    """The visit interval of each area (one threshold lookup per area, not per household)."""
    return {a.pk: rules.threshold(RuleKey.VISIT_INTERVAL_DAYS, a) for a in areas}


def my_households(user: User | AnonymousUser) -> QuerySet[Household]:
    """The households paired now with the cadre record of ``user``'s account, as far as the user sees
    them (for a 帮扶责任人 that is its whole scope; a writer who is also a cadre sees its own pairings)."""
    cadre = own_cadre(user) if getattr(user, "is_authenticated", False) else None
    if cadre is None:
        return Household.objects.none()
    paired = Pairing.objects.ongoing().filter(cadre=cadre).values("household_id")
    return policy.visible_households(user).filter(pk__in=paired)


def my_page(user: User | AnonymousUser, *, today: datetime.date | None = None) -> MyPage:
    today = today or timezone.localdate()
    page = MyPage(cadre=own_cadre(user) if getattr(user, "is_authenticated", False) else None)
    if page.cadre is None:
        return page
    households = list(my_households(user).select_related("area").annotate(last_visit=Max("visits__on"))
                      .order_by("area_path", "number"))
    intervals = _intervals(list({h.area_id: h.area for h in households}.values()))
    page.households = [MyHousehold(h, h.last_visit, intervals[h.area_id], today) for h in households]
    page.measures = list(
        PlanMeasure.objects.filter(plan__household__in=[h.pk for h in households],
                                   planned_on__lte=today + datetime.timedelta(days=MEASURES_AHEAD_DAYS))
        .exclude(status__in=[MeasureStatus.DONE, MeasureStatus.CANCELLED])
        .select_related("plan__household", "cadre").order_by("planned_on", "id"))
    return page


def offline_households(user: User | AnonymousUser, *, extra: Household | None = None) -> list[dict[str, Any]]:
    """The household list the phone keeps for the offline visit form: the user's paired households
    (and ``extra``, one household the user opened the form from), with what the policy lets the role
    see of each — the phone masked as on the pages."""
    page = my_page(user)
    rows = list(page.households)
    if extra is not None and extra.pk not in {h.household.pk for h in rows}:
        last = extra.visits.aggregate(m=Max("on"))["m"]
        rows.append(MyHousehold(extra, last, _intervals([extra.area])[extra.area_id], timezone.localdate()))
    return [{
        "id": h.household.pk, "number": h.household.number, "head_name": h.household.head_name,
        "village": h.household.area.name, "status": h.household.get_status_display(),
        "phone": policy.shown(user, "phone", h.household.phone) or "",
        "last_visit": h.last_visit.isoformat() if h.last_visit else None, "due": h.due,
    } for h in rows]
