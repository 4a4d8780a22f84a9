"""The notice pages: the list with its filters and figures, publishing (only the kinds the role may publish,
only areas of the kind's level in the scope, eligible cases ticked, Chinese errors), the detail page (the
entries as printed, struck ones struck through, objections recorded and resolved, withdrawal)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent, AuditKind
from fupin.identification import services
from fupin.identification.models import Notice, NoticeKind, Objection, ObjectionStatus, Step

from .helpers import clock
from .notices_helpers import at_village_step, first_notice, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(village_user, township_a_user, county_user, township_b_user):
    return {"village": village_user, "township": township_a_user, "county": county_user,
            "outsider": township_b_user}


def test_the_list_shows_period_days_left_listed_and_open_objections_and_filters(users, tree):
    village = tree["village_a1"]
    with clock() as t:
        cases = [at_village_step(users["village"], village, head=name) for name in ("赵一", "钱二", "孙三")]
        notice = first_notice(users["village"], village, cases)
        services.objection_record(actor=users["village"], notice=notice, entry=notice.entries.first(), content="有车")
        t.move_to(datetime.datetime(2026, 3, 6, 9, tzinfo=datetime.UTC))
        client = login(users["township"])
        response = client.get(reverse("notice_list"))
        assert response.status_code == 200
        (row,) = response.context["page"].object_list
        assert (row.pk, row.listed_count, row.open_count, row.days_left, row.state) == (notice.pk, 3, 1, 3, "running")
        html = response.content.decode()
        assert "2026年扶贫对象识别第一次公示" in html and "剩 3 天" in html
        assert not client.get(reverse("notice_list"), {"state": "ended"}).context["page"].object_list
        assert not client.get(reverse("notice_list"), {"kind": NoticeKind.SECOND}).context["page"].object_list
        assert client.get(reverse("notice_list"), {"area": village.code}).context["page"].object_list
        assert not client.get(reverse("notice_list"), {"area": tree["village_a2"].code}).context["page"].object_list
        # Another township sees none of it.
        assert not login(users["outsider"]).get(reverse("notice_list")).context["page"].object_list


def test_publishing_offers_the_roles_kinds_its_areas_and_the_eligible_cases_all_ticked(users, tree):
    village = tree["village_a1"]
    with clock():
        ready = [at_village_step(users["village"], village, head=n) for n in ("周甲", "吴乙")]
        elsewhere = at_village_step(users["village"], village, head="郑已公示")
        first_notice(users["village"], village, [elsewhere])
        client = login(users["village"])
        page = client.get(reverse("notice_create"))
    assert page.status_code == 200
    kinds = [k for k, _ in page.context["choose"].fields["kind"].choices]
    # the village's own kinds (and the monitoring notices of issue 14)
    assert kinds == [NoticeKind.FIRST, NoticeKind.EXIT_NOTICE, NoticeKind.MONITOR_ENTRY_NOTICE,
                     NoticeKind.MONITOR_CLEAR_NOTICE]
    assert [c for c, _ in page.context["choose"].fields["area"].choices] == [village.code]
    assert [c.pk for c in page.context["cases"]] == [c.pk for c in ready]  # not the one already on a notice
    html = page.content.decode()
    for case in ready:
        assert f'name="cases" value="{case.pk}" id="case-{case.pk}" checked' in html
    form = page.context["form"]
    assert form["starts_on"].value() == datetime.date(2026, 3, 2)
    assert form["ends_on"].value() == datetime.date(2026, 3, 8)
    assert form["hotline"].value() == "0874-8212345"  # the area's last notice's, offered again
    # The county may publish the announcements only, in its county.
    county_page = login(users["county"]).get(reverse("notice_create"))
    assert [k for k, _ in county_page.context["choose"].fields["kind"].choices] == [
        NoticeKind.COUNTY, NoticeKind.EXIT_ANNOUNCEMENT, NoticeKind.VILLAGE_EXIT_ANNOUNCEMENT,
        NoticeKind.MONITOR_ENTRY_ANNOUNCEMENT, NoticeKind.MONITOR_CLEAR_ANNOUNCEMENT]


def test_publishing_posts_to_the_service_and_refuses_in_chinese(users, tree):
    village = tree["village_a1"]
    with clock():
        cases = [at_village_step(users["village"], village, head=n) for n in ("王发布", "李不列")]
        client = login(users["village"])
        data = {"kind": NoticeKind.FIRST, "area": village.code, "cases": [str(cases[0].pk)],
                "starts_on": "2026-03-02", "ends_on": "2026-03-06", "hotline": "0874-1", "address": "村委会"}
        short = client.post(reverse("notice_create"), data)
        assert short.status_code == 200
        assert "公示期为 5 天，不足规定的 7 天" in short.content.decode()
        # the unticked case stays unticked on the returned form
        assert f'value="{cases[1].pk}" id="case-{cases[1].pk}">' in short.content.decode()
        empty = client.post(reverse("notice_create"), {**data, "cases": []})
        assert "请至少勾选一户（村）列入公示名单" in empty.content.decode()
        done = client.post(reverse("notice_create"), {**data, "ends_on": "2026-03-08"})
    notice = Notice.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("notice_detail", args=[notice.pk])
    assert [e.name for e in notice.entries.all()] == ["王发布"]
    assert AuditEvent.objects.filter(kind=AuditKind.CREATE, entity="identification.notice").exists()


def test_read_only_roles_may_not_publish(users, tree):
    from fupin.accounts.models import Role
    from tests import factories

    for role in (Role.CADRE, Role.LEADER, Role.AUDITOR, Role.ASSESSOR):
        user = factories.user(f"ro_{role}", role, tree["county"])
        client = login(user)
        assert client.get(reverse("notice_create")).status_code == 403
        assert client.post(reverse("notice_create"), {"kind": NoticeKind.COUNTY}).status_code == 403


def test_the_detail_shows_entries_as_printed_and_struck_ones_struck_through(users, tree):
    village = tree["village_a1"]
    with clock():
        kept = at_village_step(users["village"], village, head="陈保留")
        back = at_village_step(users["village"], village, head="杨退回")
        notice = first_notice(users["village"], village, [kept, back])
        services.case_step(actor=users["village"], case=back, to=Step.GROUP, opinion="退回重议")
        response = login(users["village"]).get(reverse("notice_detail", args=[notice.pk]))
    html = response.content.decode()
    entry = notice.entries.get(name="杨退回")
    assert entry.struck
    assert '<tr class="struck">' in html and html.index('class="struck"') < html.index("杨退回")
    assert notice.entries.get(name="陈保留").id_masked in html
    assert response.context["listed"] == 1


def test_an_objection_is_recorded_in_the_period_and_resolved_by_the_publishing_level(users, tree):
    village = tree["village_a1"]
    with clock() as t:
        case = at_village_step(users["village"], village, head="蒋异议")
        notice = first_notice(users["village"], village, [case])
        entry = notice.entries.get()
        client = login(users["village"])
        url = reverse("notice_objection_add", args=[notice.pk])
        late = client.post(url, {"received_on": "2026-03-09", "entry": str(entry.pk), "content": "有轿车"})
        assert "受理日期晚于今天" in late.content.decode()
        done = client.post(url, {"received_on": "2026-03-02", "entry": str(entry.pk), "raised_by": "",
                                 "contact": "13500001111", "content": "该户有轿车"})
        assert done.status_code == 302
        objection = Objection.objects.get()
        assert (objection.entry, objection.raised_by) == (entry, "")
        page = client.get(reverse("notice_detail", args=[notice.pk])).content.decode()
        assert "匿名" in page and "135****1111" in page and "13500001111" not in page
        # The township did not decide the first notice: it may not resolve it.
        resolve = reverse("notice_objection_resolve", args=[objection.pk])
        body = {f"r{objection.pk}-status": ObjectionStatus.DISMISSED, f"r{objection.pk}-resolution": "农用车"}
        assert login(users["township"]).post(resolve, body).status_code == 403
        assert login(users["outsider"]).post(resolve, body).status_code == 404
        t.move_to(datetime.datetime(2026, 3, 4, 9, tzinfo=datetime.UTC))
        client = login(users["village"])  # two days later: the idle session has ended
        missing = client.post(resolve, {f"r{objection.pk}-status": ObjectionStatus.DISMISSED})
        assert missing.status_code == 200 and Objection.objects.get().status == ObjectionStatus.OPEN
        assert client.post(resolve, body).status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.resolved_on) == (
        ObjectionStatus.DISMISSED, "农用车", datetime.date(2026, 3, 4))


def test_withdrawing_needs_a_reason_and_the_publishing_level(users, tree):
    village = tree["village_a1"]
    with clock():
        notice = first_notice(users["village"], village, [at_village_step(users["village"], village, head="韩撤")])
        url = reverse("notice_withdraw", args=[notice.pk])
        assert login(users["county"]).post(url, {"reason": "越级"}).status_code == 403
        client = login(users["village"])
        assert "撤销原因" in client.post(url, {"reason": ""}).content.decode()
        assert client.post(url, {"reason": "名单漏户，重新公示"}).status_code == 302
    notice.refresh_from_db()
    assert notice.withdrawn and notice.withdrawn_reason == "名单漏户，重新公示"


def test_a_post_of_a_kind_the_role_may_not_publish_is_refused(users, tree):
    village = tree["village_a1"]
    with clock():
        case = at_village_step(users["village"], village, head="钟越级")
        response = login(users["village"]).post(reverse("notice_create"), {
            "kind": NoticeKind.COUNTY, "area": tree["county"].code, "cases": [str(case.pk)],
            "starts_on": "2026-03-02", "ends_on": "2026-03-08", "hotline": "1", "address": "县"})
    assert response.status_code == 200 and "您的角色不能发布该类公示" in response.content.decode()
    assert not Notice.objects.exists()
