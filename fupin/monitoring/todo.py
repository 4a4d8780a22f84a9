"""防返贫监测's 待办 (fupin.web.todo, mproc): applications from the mobile page waiting for the village's visit,
households found but not yet visited (入户核实), and procedures past their working-day limit. The steps of the
entry and risk-elimination cases themselves are the cases' 待办 (fupin.identification.todo)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.web.todo import Todo

from . import rules, selectors_objects

if TYPE_CHECKING:
    from fupin.accounts.models import User


def todos(user: User) -> list[Todo]:
    if not policy.can_write(user):
        return []
    objects = reverse("monitoring_objects")
    return [
        Todo(_("手机端申报待走访"), selectors_objects.reports_waiting(user).count(), reverse("monitoring_reports"),
             _("农户在手机上提交的防返贫监测申请，请入户走访")),
        Todo(_("监测对象待入户核实"), selectors_objects.to_visit(user).count(), objects + "?state=pending",
             _("已登记、尚未入户核实并取得签字承诺")),
        Todo(_("监测程序超期"), selectors_objects.overdue(user).count(), objects + "?overdue=on",
             _("纳入或风险消除超过 %(d)d 个工作日未办结") % {"d": rules.time_limit_days()}),
    ]
