"""What each figure counts: one definition per figure, used by the household list, its export, the
overview, the area tree and the summary tables (issue 12 item 3), and stated on the pages in the
words of ``NOTES``.

- 在册户 (households in the register): every household whose status is not 注销. A cancelled household
  stays in the database for its history but counts nowhere, except in the 注销 column of the status
  table and when the list is filtered on 注销 (or on 全部（含注销）).
- 在册人口 (people): the active members (``member_count``) of the households in the register.
- 未脱贫户 / 人口: households in the register whose status is 贫困户(未脱贫) or 返贫.
- 已脱贫户 / 人口: 已脱贫(享受政策) or 脱贫不再享受政策.

Counts are shown with thousands separators (the ``thousands`` template filter) everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import NOT_EXITED_STATUSES, Status

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Household

#: The household list's status filter: "" is 在册户 (the default), ALL every status, 注销 included.
ALL_STATUSES = "all"
EXITED_STATUSES = frozenset({Status.EXITED, Status.EXITED_STABLE})

#: The one sentence that says what each figure counts, shown under it on the pages and sheets.
NOTES = {
    "households": _("在册户：不含已注销户"),
    "people": _("在册户的在户家庭成员"),
    "poor": _("未脱贫：贫困户(未脱贫)和返贫"),
    "exited": _("已脱贫：已脱贫(享受政策)和脱贫不再享受政策"),
    "all": _("含已注销户"),
    "cancelled": _("已注销户：不计入在册户"),
}


def in_register_q(prefix: str = "") -> Q:
    """在册户 as a filter; ``prefix`` for a lookup through a relation (``"household__"``)."""
    return ~Q(**{f"{prefix}status": Status.CANCELLED})


def in_register(households: QuerySet[Household]) -> QuerySet[Household]:
    """Only the households in the register (not 注销)."""
    return households.filter(in_register_q())


def counts_in_register(status: str) -> bool:
    """Whether a household of this status counts among 在册户 (for figures added up in Python)."""
    return status != Status.CANCELLED


def poor_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": list(NOT_EXITED_STATUSES)})


def exited_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": list(EXITED_STATUSES)})


def by_status_filter(households: QuerySet[Household], status: str) -> QuerySet[Household]:
    """The household list's status filter: "" → 在册户, ALL_STATUSES → all, a status → that status."""
    if status == ALL_STATUSES:
        return households
    if status:
        return households.filter(status=status)
    return in_register(households)


def list_note(status: str) -> str:
    """What the list's 共 N 户 counts, for the note under it."""
    if status == ALL_STATUSES:
        return str(NOTES["all"])
    if status == Status.CANCELLED:
        return str(NOTES["cancelled"])
    return str(NOTES["households"])
