"""Notice periods with the clock frozen: the first and last day a notice hangs, the day after; objections
only inside the period; an objection resolved only by the level that published the notice."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fupin.identification import services
from fupin.identification.models import NoticeKind, ObjectionStatus

from .helpers import clock, walk_to_township
from .notices_helpers import at_village_step, first_notice, login

pytestmark = pytest.mark.django_db


def at(day: str):
    return datetime.datetime.fromisoformat(day + "T09:00+08:00")


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


def test_the_board_shows_a_notice_from_its_first_to_its_last_day_and_not_after(users, tree):
    village = tree["village_a1"]
    with clock("2026-03-01") as t:
        case = at_village_step(users["village"], village, head="褚期限")
        notice = first_notice(users["village"], village, [case], start=datetime.date(2026, 3, 2))
        board = Client()
        assert "褚期限" not in board.get(reverse("public_board")).content.decode()  # the day before
        t.move_to(at("2026-03-02"))
        assert "还剩 7 天" in board.get(reverse("public_board")).content.decode()
        t.move_to(at("2026-03-08"))  # the last day: still running
        html = board.get(reverse("public_board")).content.decode()
        assert "褚期限" in html and "今天是最后一天" in html
        assert board.get(reverse("public_notice", args=[notice.pk])).status_code == 200
        t.move_to(at("2026-03-08").replace(hour=23, minute=59))
        assert "褚期限" in board.get(reverse("public_board")).content.decode()
        t.move_to(at("2026-03-09").replace(hour=0, minute=1))  # the next day, local time: off the board
        assert "褚期限" not in board.get(reverse("public_board")).content.decode()
        assert board.get(reverse("public_notice", args=[notice.pk])).status_code == 404
        # and on the staff's list it reads as ended
        (row,) = login(users["village"]).get(reverse("notice_list")).context["page"].object_list
        assert (row.state, row.days_left) == ("ended", None)


def test_an_objection_outside_the_period_is_refused(users, tree):
    village = tree["village_a1"]
    with clock("2026-03-01") as t:
        notice = first_notice(users["village"], village, [at_village_step(users["village"], village, head="卫期外")],
                              start=datetime.date(2026, 3, 3))
        t.move_to(at("2026-03-02"))
        with pytest.raises(ValidationError, match="异议须在公示期内"):
            services.objection_record(actor=users["village"], notice=notice, content="提前", received_on=datetime.date(2026, 3, 2))
        t.move_to(at("2026-03-09"))  # the last day
        services.objection_record(actor=users["village"], notice=notice, content="最后一天")
        t.move_to(at("2026-03-10"))
        response = login(users["village"]).post(reverse("notice_objection_add", args=[notice.pk]),
                                                {"received_on": "2026-03-10", "content": "期满后"})
        assert response.status_code == 200
        assert "异议须在公示期内（2026年3月3日至2026年3月9日）提出" in response.content.decode()
    assert [o.content for o in notice.objections.all()] == ["最后一天"]


def test_only_the_level_that_published_resolves_an_objection(users, tree):
    with clock() as t:
        from .helpers import applicant

        case, _first = walk_to_township(users, applicant(tree["village_a1"]), t)
        second = services.notice_publish(actor=users["township"], kind=NoticeKind.SECOND, area=tree["village_a1"],
                                         cases=[case], starts_on=datetime.date(2026, 3, 10),
                                         ends_on=datetime.date(2026, 3, 16), hotline="0874-1", address="乡政府")
        objection = services.objection_record(actor=users["village"], notice=second, entry=second.entries.get(),
                                              content="收入不实")
        for who in ("village", "county"):
            with pytest.raises(PermissionDenied, match="作出决定的层级"):
                services.objection_resolve(actor=users[who], objection=objection, status=ObjectionStatus.DISMISSED,
                                           resolution="越级")
        page = login(users["village"]).get(reverse("notice_detail", args=[second.pk]))
        assert not page.context["decides"] and "办结异议" not in page.content.decode()
        page = login(users["township"]).get(reverse("notice_detail", args=[second.pk]))
        assert page.context["decides"] and "办结异议" in page.content.decode()
        services.objection_resolve(actor=users["township"], objection=objection, status=ObjectionStatus.DISMISSED,
                                   resolution="经核实收入属实")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
