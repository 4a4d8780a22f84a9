"""The cases' 待办 on the home page: each role counts the cases in its scope waiting on a step it may take —
at a step without a notice, or after a notice that has run out with every objection resolved."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.identification import services
from fupin.identification.models import NoticeKind, Step
from tests import factories

from .helpers import VOTES, applicant, clock, open_case, publish

pytestmark = pytest.mark.django_db

AT_STEP, AFTER_NOTICE = "识别与退出案件待办理", "公示期满待推进的案件"


def todos(user) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    return {t.label: t.count for t in client.get(reverse("home")).context["todos"]}


def test_each_role_counts_the_cases_waiting_on_its_step(tree, village_user, township_a_user, township_b_user,
                                                      county_user):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    with clock() as t:
        waiting = [open_case(village_user, applicant(tree["village_a1"])) for _ in range(2)]
        open_case(None, applicant(tree["village_a2"]))  # 甲二村: not the 甲一村 cadre's
        voted = services.case_step(actor=village_user, case=waiting[0], to=Step.GROUP, opinion="小组议")
        voted = services.case_step(actor=village_user, case=voted, to=Step.VILLAGE, opinion="评定", votes=VOTES)
        # 甲一村: one case at 户申报 awaits 小组议; the voted one waits on its notice (not yet published).
        assert todos(village_user) == {AT_STEP: 1}
        assert todos(township_a_user) == {}  # 小组议 is the village's, 入户查 waits for the notice
        publish(village_user, NoticeKind.FIRST, tree["village_a1"], [voted], datetime.date(2026, 3, 2))
        t.shift(datetime.timedelta(days=7))
        # The notice has run out: 入户查 may be taken by the village or the township.
        assert todos(village_user) == {AT_STEP: 1, AFTER_NOTICE: 1}
        assert todos(township_a_user).get(AFTER_NOTICE) == 1
        assert AFTER_NOTICE not in todos(township_b_user) and AT_STEP not in todos(township_b_user)
        assert todos(leader) == {}
        assert todos(county_user) == {}
        client = Client()
        client.force_login(village_user)
        response = client.get(reverse("case_list"), {"waiting": "on"})
        assert {c.pk for c in response.context["page"].object_list} == {waiting[1].pk, voted.pk}
