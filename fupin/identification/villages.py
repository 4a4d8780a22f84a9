"""贫困村退出 (REFERENCE §4 "Village"): poverty incidence below the threshold, and what a village's exit
records. The incidence pages and the thresholds as data grow here (issue 13 item 6)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils.translation import gettext as _

from fupin.areas.models import Area
from fupin.registry.choices import NOT_EXITED_STATUSES
from fupin.registry.models import Household

if TYPE_CHECKING:
    from fupin.accounts.models import User

    from .models import Case

#: 贫困发生率 below which a village may exit: 2% (3% in the western provinces), REFERENCE §4.
VILLAGE_THRESHOLD = Decimal("2")


def incidence(area: Area) -> Decimal | None:
    """Registered poor people not yet exited / the area's rural registered population × 100 (None when
    the population is not recorded)."""
    if not area.rural_population:
        return None
    poor = (Household.objects.filter(area_path__startswith=area.path, status__in=NOT_EXITED_STATUSES)
            .aggregate(n=Sum("member_count"))["n"] or 0)
    return (Decimal(poor) * 100 / Decimal(area.rural_population)).quantize(Decimal("0.01"))


def village_exit_blockers(village: Area, year: int) -> list[str]:
    rate = incidence(village)
    if rate is None:
        return [_("未登记农村户籍人口，无法计算贫困发生率")]
    if rate >= VILLAGE_THRESHOLD:
        return [_("贫困发生率 %(r)s%% 未低于 %(t)s%%") % {"r": rate, "t": VILLAGE_THRESHOLD}]
    return []


def village_exited(*, case: Case, actor: User | None, date: datetime.date) -> None:
    """Nothing beyond the case yet: the case's 批准退出 step is the record of the village's exit."""
