"""The cases' 待办 (fupin.web.todo): cases in the user's scope waiting on a step their role may take —
at a step without a notice (村干部: 户申报 awaiting 小组议 …), or whose notice has run its period with
every objection resolved, so the next step may be taken (selectors.cases_waiting)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.web.todo import Todo

from . import selectors

if TYPE_CHECKING:
    from fupin.accounts.models import User


def todos(user: User) -> list[Todo]:
    at_step, after_notice = selectors.cases_waiting(user)
    url = reverse("case_list") + "?waiting=on"
    return [Todo(_("识别与退出案件待办理"), at_step.count(), url, _("轮到您的角色办理下一环节的案件")),
            Todo(_("公示期满待推进的案件"), after_notice.count(), url, _("公示期已满、异议已处理完毕，可以办理下一环节"))]
