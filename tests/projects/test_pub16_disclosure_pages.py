"""公告公示 pages and the public board of funds and projects (/public/funds/): publish through the form, the
notice's page and PDF, withdraw; the public board needs no login, shows only running notices, masked, and is
linked from the identification board (/public/)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.projects.models import Disclosure

from . import pub16_world as w

pytestmark = pytest.mark.django_db


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9), timezone.get_current_timezone()), tick=False)


def test_publish_page_public_board_withdraw(tree):
    world = w.build(tree)
    p = world["project"]
    c = Client()
    c.force_login(world["village_user"])
    with _at(datetime.date(2025, 5, 1)):
        form = c.get(reverse("disclosures:new"), {"project": p.pk})
        assert form.status_code == 200
        assert form.context["form"].initial["ends_on"] == datetime.date(2025, 5, 10)
        short = c.post(reverse("disclosures:new") + f"?project={p.pk}", {
            "project": p.pk, "kind": "beneficiaries", "area": tree["village_a1"].code, "place": "甲一村村务公开栏",
            "starts_on": "2025-05-01", "ends_on": "2025-05-05", "hotline": "0874-8212345"})
        assert short.status_code == 400 and "不足规定的 10 天" in short.content.decode()
        done = c.post(reverse("disclosures:new") + f"?project={p.pk}", {
            "project": p.pk, "kind": "beneficiaries", "area": tree["village_a1"].code, "place": "甲一村村务公开栏",
            "starts_on": "2025-05-01", "ends_on": "2025-05-10", "hotline": "0874-8212345"})
        assert done.status_code == 302
        d = Disclosure.objects.get()
        assert c.get(reverse("disclosures:detail", args=[d.pk])).status_code == 200
        assert c.get(reverse("disclosures:pdf", args=[d.pk]))["Content-Type"] == "application/pdf"
        assert c.get(reverse("disclosures:list")).context["page"].object_list[0] == d
        # the public board: no login, masked, linked from /public/
        anon = Client()
        board = anon.get(reverse("public_funds:board")).content.decode()
        assert d.title in board and "max-age=60" in anon.get(reverse("public_funds:board"))["Cache-Control"]
        page = anon.get(reverse("public_funds:detail", args=[d.pk])).content.decode()
        heads = [h.members.get(relation="head").id_number for h in world["households"]]
        assert all(h.head_name in page for h in world["households"]) and not any(n in page for n in heads)
        assert "<form" not in page and "<script" not in page
        links = set(re.findall(r'href="(/[^"]*)"', page))
        assert {link for link in links if not link.startswith(("/public/", "/static/"))} == {reverse("login")}
        assert anon.get(reverse("public_funds:pdf", args=[d.pk])).status_code == 200
        assert reverse("public_funds:board") in anon.get(reverse("public_board")).content.decode()
        # another township's officer: 404
        other = Client()
        other.force_login(world["township_b_user"])
        assert other.get(reverse("disclosures:detail", args=[d.pk])).status_code == 404
        assert other.post(reverse("disclosures:withdraw", args=[d.pk]), {"reason": "x"}).status_code == 404
        # withdraw: off the public board
        assert c.post(reverse("disclosures:withdraw", args=[d.pk]), {"reason": ""}).status_code == 400
        assert c.post(reverse("disclosures:withdraw", args=[d.pk]), {"reason": "名单有误"}).status_code == 302
        assert anon.get(reverse("public_funds:detail", args=[d.pk])).status_code == 404
    with _at(datetime.date(2025, 5, 11)):
        assert d.title not in Client().get(reverse("public_funds:board")).content.decode()


def test_an_accepted_projects_notice_is_its_completion_notice_and_leads_back(tree):
    """From an accepted project's page, 发布公告 offers the 项目竣工公告 first (the notice 公告公示完成 waits for);
    the form's 取消 and the published notice lead back to the project."""
    world = w.build(tree)
    p = world["project"]
    c = Client()
    c.force_login(world["village_user"])
    assert c.get(reverse("disclosures:new"), {"project": p.pk}).context["form"].initial["kind"] == "plan"
    p.stage = "accepted"
    p.save(update_fields=["stage"])
    form = c.get(reverse("disclosures:new"), {"project": p.pk})
    assert form.context["form"].initial["kind"] == "completion"
    back = reverse("projects:detail", args=[p.pk])
    assert f'<a class="btn" href="{back}">取消</a>' in form.content.decode()
    assert c.get(reverse("disclosures:new"), {"project": p.pk, "kind": "beneficiaries"}).context["form"].initial[
        "kind"] == "beneficiaries"
    today = timezone.localdate()
    done = c.post(reverse("disclosures:new") + f"?project={p.pk}", {
        "project": p.pk, "kind": "completion", "area": tree["village_a1"].code, "place": "甲一村村务公开栏",
        "starts_on": today.isoformat(), "ends_on": (today + datetime.timedelta(days=9)).isoformat(),
        "hotline": "0874-8212345"})
    assert done.status_code == 302
    page = c.get(done["Location"]).content.decode()
    assert f'<a href="{back}">{p.code}</a> {p.name}' in page
