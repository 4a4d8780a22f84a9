"""The data-quality 待办 (fupin.web.todo): open findings in the user's scope, for those who verify them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.web.todo import Todo

from . import selectors

if TYPE_CHECKING:
    from fupin.accounts.models import User


def todos(user: User) -> list[Todo]:
    if not policy.can_write(user):  # only those who correct the data verify findings
        return []
    count = selectors.open_count(user=user)
    return [Todo(_("数据质量疑点待核实"), count, reverse("quality:list"),
                 _("按全国扶贫数据清洗规则发现的疑点，核实后更正或说明"))]
