"""贫困村退出 end to end (REFERENCE §4 "Village"): the township applies from /incidence/, hangs the notice
in the township, the county checks after the period, announces, and approves; the village then shows
已退出. An application is refused while the incidence is at or above the threshold (naming the figure)
or an indicator fails (naming it)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.identification import services
from fupin.identification.models import Case, CaseKind, Notice, NoticeKind, Step
from fupin.identification.models_villages import VillageExit

from .helpers import clock
from .villages_helpers import client_for, indicators, populate

pytestmark = pytest.mark.django_db


def notice_post(client, case, start: datetime.date):
    return client.post(reverse("village_exit_detail", args=[case.pk]), {
        "action": "notice", "starts_on": start.isoformat(), "ends_on": (start + datetime.timedelta(days=6)).isoformat(),
        "hotline": "0874-8212345", "address": "乡人民政府"})


def step_post(client, case, to: str, day: datetime.date, opinion: str):
    case.refresh_from_db()
    return client.post(reverse("village_exit_detail", args=[case.pk]), {
        "action": "step", "to": to, "opinion": opinion, "date": day.isoformat(), "version": case.version})


def test_a_full_village_exit_round_in_the_browser_pages(tree, township_a_user, county_user):
    village = populate(tree["village_a1"], 700, poor=10)        # 20 / 700 = 2.86% < 3% (云南: western)
    indicators(village)
    township, county = client_for(township_a_user), client_for(county_user)
    with clock("2026-03-02") as t:
        page = township.get(reverse("incidence"), {"area": tree["township_a"].code})
        apply_url = reverse("village_exit_apply", args=[village.code])
        assert apply_url in page.content.decode()
        response = township.post(apply_url, {"reason": "贫困发生率 2.86%，低于 3%，各项指标达标"})
        case = Case.objects.get(kind=CaseKind.VILLAGE_EXIT, area=village)
        assert response.status_code == 302 and response.url == reverse("village_exit_detail", args=[case.pk])
        assert case.step == Step.VILLAGE_PROPOSED and case.year == 2026

        assert notice_post(township, case, datetime.date(2026, 3, 2)).status_code == 302
        notice = Notice.objects.get(kind=NoticeKind.VILLAGE_EXIT_NOTICE)
        assert notice.area == tree["township_a"] and notice.entries.get().name == "甲一村"
        # The county may not check before the township's notice has run its period.
        early = step_post(county, case, Step.VILLAGE_REVIEWED, datetime.date(2026, 3, 5), "县级核查")
        assert early.status_code == 200 and "公示期至 2026年3月8日" in early.content.decode()

        t.shift(datetime.timedelta(days=8))                        # 2026-03-10
        day = datetime.date(2026, 3, 10)
        assert step_post(county, case, Step.VILLAGE_REVIEWED, day, "县级核查：数据属实").status_code == 302
        assert notice_post(county, case, day).status_code == 302
        announcement = Notice.objects.get(kind=NoticeKind.VILLAGE_EXIT_ANNOUNCEMENT)
        assert announcement.area == tree["county"]
        t.shift(datetime.timedelta(days=8))                        # 2026-03-18
        done = step_post(county, case, Step.VILLAGE_EXITED, datetime.date(2026, 3, 18), "批准退出")
        assert done.status_code == 302, re.findall(r'class="err"[^>]*>([^<]+)', done.content.decode())

        case.refresh_from_db()
        assert case.step == Step.VILLAGE_EXITED
        record = VillageExit.objects.get(area=village)
        assert (record.year, record.date, record.case, record.recorded_by) == (
            2026, datetime.date(2026, 3, 18), case, county_user)
        assert AuditEvent.objects.filter(entity="identification.villageexit", entity_id=str(record.pk)).exists()
        steps = list(case.events.values_list("to_step", flat=True))
        assert steps == [Step.VILLAGE_PROPOSED, Step.VILLAGE_REVIEWED, Step.VILLAGE_EXITED]
        # The village shows 已退出 for its year and the years after, not before.
        rows = {v.area.name: v for row in county.get(reverse("incidence")).context["townships"] for v in row.villages}
        assert rows["甲一村"].status == "exited"
        earlier = county.get(reverse("incidence"), {"year": 2025}).context["townships"]
        assert {v.area.name: v for row in earlier for v in row.villages}["甲一村"].status != "exited"
        # A second application is refused: the village has exited.
        with pytest.raises(ValidationError, match="已于 2026 年退出"):
            services.case_open(actor=township_a_user, kind=CaseKind.VILLAGE_EXIT, village=village, year=2026,
                               reason="再次申请")


def test_refused_while_the_incidence_is_at_or_above_the_threshold(tree, township_a_user):
    village = populate(tree["village_a1"], 100, poor=2)          # 4 / 100 = 4% ≥ 3%
    indicators(village)
    with clock(), pytest.raises(ValidationError) as refused:
        services.case_open(actor=township_a_user, kind=CaseKind.VILLAGE_EXIT, village=village, year=2026,
                           reason="申请退出")
    assert "贫困发生率 4% ≥ 3%" in str(refused.value)
    assert not Case.objects.filter(kind=CaseKind.VILLAGE_EXIT).exists()


def test_refused_when_an_indicator_blocks(tree, township_a_user):
    village = populate(tree["village_a1"], 700, poor=1)
    indicators(village, water=False)
    client = client_for(township_a_user)
    with clock():
        # No 申请退出 button, and a forged post comes back naming the indicator.
        page = client.get(reverse("incidence"))
        assert reverse("village_exit_apply", args=[village.code]) not in page.content.decode()
        response = client.post(reverse("village_exit_apply", args=[village.code]), {"reason": "申请退出"})
    assert response.status_code == 200
    assert "饮水安全未保障" in response.content.decode()
    assert not Case.objects.filter(kind=CaseKind.VILLAGE_EXIT).exists()


def test_only_the_township_applies_and_only_the_county_approves(tree, township_a_user, county_user, village_user):
    village = populate(tree["village_a1"], 700, poor=1)
    indicators(village)
    with clock():
        assert client_for(county_user).post(reverse("village_exit_apply", args=[village.code]),
                                            {"reason": "县里代为申请"}).status_code == 403
        assert client_for(village_user).get(reverse("village_exit_apply", args=[village.code])).status_code == 403
        case = services.case_open(actor=township_a_user, kind=CaseKind.VILLAGE_EXIT, village=village, year=2026,
                                  reason="申请退出")
        page = client_for(township_a_user).get(reverse("village_exit_detail", args=[case.pk]))
        # The township may publish its notice and withdraw, not take the county's step.
        choices = [c[0] for c in page.context["step_form"].fields["to"].choices]
        assert Step.VILLAGE_REVIEWED not in choices and Step.WITHDRAWN in choices
        assert page.context["notice_form"] is not None
        county_page = client_for(county_user).get(reverse("village_exit_detail", args=[case.pk]))
        assert county_page.context["notice_form"] is None     # the township's notice is not the county's
        assert Step.VILLAGE_REVIEWED in [c[0] for c in county_page.context["step_form"].fields["to"].choices]
