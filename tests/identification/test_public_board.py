"""The public notice board (/public/): no login; the notices running today, per township and village,
each exactly as on paper; nothing else of the system. The leak test fills every personal field of a
listed household and looks for each value in the HTML and in the PDF's text."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from fupin.accounts import policy
from fupin.identification import services
from fupin.identification.models import Step

from .helpers import clock
from .notices_helpers import START, at_village_step, first_notice, login, pdf_text, secret_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user):
    return {"village": village_user, "township": township_a_user, "county": county_user}


def test_the_board_leaks_no_personal_field_of_a_listed_household(users, tree):
    with clock():
        case, secrets = secret_household(users["village"], tree["village_a1"])
        notice = first_notice(users["village"], tree["village_a1"], [case])
        anonymous = Client()
        pages = {"board": anonymous.get(reverse("public_board")),
                 "notice": anonymous.get(reverse("public_notice", args=[notice.pk]))}
        pdf = anonymous.get(reverse("public_notice_pdf", args=[notice.pk]))
    for name, response in pages.items():
        assert response.status_code == 200, name
    html = {name: r.content.decode() for name, r in pages.items()}
    text = pdf_text(pdf.content)
    head_id = case.household.members.get(relation="head").id_number
    # What the paper shows is there: the head's name, the size, the masked number, the cause as a category
    # (因病) — not the 申请理由 a cadre typed, which may describe the illness.
    for shown in ("赵公示", policy.mask_id(head_id), "因病"):
        assert shown in html["board"] and shown in html["notice"] and shown in text, shown
    assert all("因病致贫" not in page for page in html.values()) and "因病致贫" not in text
    assert "4 人" in html["board"]
    # Nothing else: every personal value of the household and its members, whole ID numbers included.
    for label, value in secrets.items():
        for name, page in html.items():
            assert value not in page, (label, name)
        assert value not in text, (label, "pdf")
    assert head_id not in html["board"] and head_id not in text


def test_the_board_needs_no_login_shows_nothing_of_the_system_and_may_be_cached_briefly(users, tree):
    with clock():
        case = at_village_step(users["village"], tree["village_a1"], head="王公开")
        first_notice(users["village"], tree["village_a1"], [case])
        response = Client().get(reverse("public_board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王公开" in html
    # No menu, no account, no form, no script; the only link into the system is 登录.
    assert "<nav" not in html and "<form" not in html and "<script" not in html and "csrf" not in html.lower()
    links = set(re.findall(r'href="(/[^"]*)"', html))
    inside = {link for link in links if not link.startswith(("/public/", "/static/"))}
    assert inside == {reverse("login")}
    for word in ("贫困户", "概览", "审计", "数据质量", "导入导出"):
        assert f">{word}<" not in html
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_a_signed_in_user_sees_the_same_board(users, tree):
    with clock():
        case = at_village_step(users["village"], tree["village_a1"], head="王公开")
        first_notice(users["village"], tree["village_a1"], [case])
        signed_in = login(users["county"]).get(reverse("public_board")).content.decode()
        anonymous = Client().get(reverse("public_board")).content.decode()
    assert signed_in == anonymous


def test_withdrawn_ended_upcoming_notices_and_struck_entries_are_not_on_the_board(users, tree):
    village = tree["village_a1"]
    with clock() as t:
        shown = at_village_step(users["village"], village, head="周在栏")
        struck = at_village_step(users["village"], village, head="吴撤下")
        withdrawn = at_village_step(users["village"], village, head="郑撤销")
        later = at_village_step(users["village"], village, head="冯未始")
        running = first_notice(users["village"], village, [shown, struck])
        gone = first_notice(users["village"], village, [withdrawn])
        services.notice_withdraw(actor=users["village"], notice=gone, reason="名单有误，重新公示")
        upcoming = first_notice(users["village"], village, [later], start=START + datetime.timedelta(days=3))
        services.case_step(actor=users["village"], case=struck, to=Step.GROUP, opinion="材料不全，退回小组重议")
        anonymous = Client()
        board = anonymous.get(reverse("public_board")).content.decode()
        assert "周在栏" in board
        for name in ("吴撤下", "郑撤销", "冯未始"):
            assert name not in board, name
        for notice in (gone, upcoming):
            assert anonymous.get(reverse("public_notice", args=[notice.pk])).status_code == 404
            assert anonymous.get(reverse("public_notice_pdf", args=[notice.pk])).status_code == 404
        assert "吴撤下" not in pdf_text(anonymous.get(reverse("public_notice_pdf", args=[running.pk])).content)
        # Ended: the day after its last day, off the board, its page and PDF gone.
        t.move_to(datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC))
        board = anonymous.get(reverse("public_board")).content.decode()
        assert "周在栏" not in board and "冯未始" in board
        assert anonymous.get(reverse("public_notice", args=[running.pk])).status_code == 404
        assert anonymous.get(reverse("public_notice_pdf", args=[running.pk])).status_code == 404


def test_the_board_groups_notices_per_township_and_village(users, tree):
    with clock():
        a1 = at_village_step(users["village"], tree["village_a1"], head="甲一户")
        first_notice(users["village"], tree["village_a1"], [a1])
        from fupin.accounts.models import Role
        from tests import factories

        a2_user = factories.user("village_a2", Role.VILLAGE, tree["village_a2"])
        a2 = at_village_step(a2_user, tree["village_a2"], head="甲二户")
        first_notice(a2_user, tree["village_a2"], [a2], address="甲二村村委会")
        html = Client().get(reverse("public_board")).content.decode()
    assert html.index("甲乡") < html.index("甲一村") < html.index("甲一户") < html.index("甲二村") < html.index("甲二户")
    assert html.count('class="section"') == 1  # one township


def test_a_password_change_pending_or_an_idle_session_does_not_divert_the_board(users, tree, settings):
    users["village"].must_change_password = True
    users["village"].save(update_fields=["must_change_password"])
    assert login(users["village"]).get(reverse("public_board")).status_code == 200
