"""The monitoring objects' pages: the list's filters and counts with overdue by working days, the detail's
risk-elimination panel, registering from the page, the ledger's export (audited), the self-reports' 待办,
and the public mobile application page (no login, nothing of the system shown, rate-limited)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from fupin.audit.models import AuditEvent
from fupin.monitoring import services
from fupin.monitoring.models import ReportStatus, SelfReport
from fupin.web.todo import todos_for

from .mproc_helpers import clock, exited, found

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, village_user):
    client.force_login(village_user)
    return client


def test_the_list_counts_states_and_marks_an_entry_overdue_after_twenty_working_days(web, village_user, tree):
    with clock("2026-03-02"):
        late = found(village_user, exited(tree["village_a1"]))
    with clock("2026-03-31"):
        fresh = found(village_user, exited(tree["village_a1"]))
        response = web.get(reverse("monitoring_objects"))
        assert response.status_code == 200
        rows = {o.pk: o for o in response.context["page"].object_list}
        assert rows[late.pk].overdue and not rows[fresh.pk].overdue
        assert response.context["overdue_n"] == 1
        overdue = web.get(reverse("monitoring_objects"), {"overdue": "on"})
        assert [o.pk for o in overdue.context["page"].object_list] == [late.pk]
        assert "超期" in overdue.content.decode()


def test_the_list_filters_by_risk_type_and_instant(web, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    services.instant_flag(actor=village_user, obj=obj)
    assert [o.pk for o in web.get(reverse("monitoring_objects"), {"risk": "illness"}).context["page"].object_list] \
        == [obj.pk]
    assert not web.get(reverse("monitoring_objects"), {"risk": "disaster"}).context["page"].object_list
    assert len(web.get(reverse("monitoring_objects"), {"instant": "on"}).context["page"].object_list) == 1


def test_registering_a_found_household_by_its_number(web, tree):
    household = exited(tree["village_a1"])
    response = web.post(reverse("monitoring_object_new"), {
        "household": household.number, "kind": "unstable", "risk_types": ["illness", "medical"],
        "channel": "hotline", "found_on": datetime.date.today().isoformat(), "income_12m": "5200"})
    assert response.status_code == 302
    obj = household.monitoring.get()
    assert obj.channel == "hotline" and obj.risk_types == ["illness", "medical"]


def test_registering_a_poor_household_is_refused_in_chinese_on_the_page(web, tree):
    from tests import factories

    household = factories.household(tree["village_a1"])
    response = web.post(reverse("monitoring_object_new"), {
        "household": household.number, "kind": "sudden", "risk_types": ["illness"], "channel": "visit",
        "found_on": datetime.date.today().isoformat()})
    assert response.status_code == 200 and "不能纳入防返贫监测" in response.content.decode()
    assert not household.monitoring.exists()


def test_the_entry_visit_without_consent_is_refused_on_the_page(web, village_user, tree):
    obj = found(village_user, exited(tree["village_a1"]))
    data = {"e-opinion": "入户", "e-date": datetime.date.today().isoformat(),
            **{f"e-ok_{k}": "yes" for k in ("situation", "income", "expenses")}, "e-ok_consent": "no"}
    response = web.post(reverse("monitoring_object_entry", args=[obj.pk]), data)
    assert response.status_code == 200 and "未取得农户签字承诺" in response.content.decode()
    obj.refresh_from_db()
    assert obj.entry_case_id is None


def test_the_ledger_exports_the_flagged_households_with_their_measures_and_is_audited(web, village_user, tree):
    from openpyxl import load_workbook

    obj = found(village_user, exited(tree["village_a1"]))
    services.instant_flag(actor=village_user, obj=obj)
    services.measure_add(actor=village_user, obj=obj, sector="civil", category="临时救助",
                         date=datetime.date.today(), amount=2000)
    found(village_user, exited(tree["village_a1"]))  # not flagged: not in the ledger
    response = web.get(reverse("monitoring_ledger"), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[9], r[11]) for r in rows] == [(obj.household.number, "临时救助", 2000)]
    assert AuditEvent.objects.filter(entity="monitoring.ledger").exists()


def test_a_self_report_lands_in_the_village_cadres_todo_and_becomes_an_object(web, village_user, tree):
    report = services.self_report_submit(name="张三", phone="13800001111", village=tree["village_a1"],
                                         situation="家人突发重病，医疗费用高", ip="10.0.0.1")
    assert report.receipt.startswith("JC")
    todo = {t.label: t.count for t in todos_for(village_user)}
    assert todo["手机端申报待走访"] == 1
    household = exited(tree["village_a1"])
    response = web.post(reverse("monitoring_report", args=[report.pk]), {
        "action": "found", "household": household.number, "kind": "unstable", "risk_types": ["illness"],
        "found_on": datetime.date.today().isoformat()})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FOUND and report.object.channel == "mobile"


def test_the_public_apply_page_needs_no_login_and_shows_nothing_of_the_system(client, tree):
    exited(tree["village_a1"])
    response = client.get(reverse("monitoring_apply"))
    text = response.content.decode()
    assert response.status_code == 200 and "甲一村" in text
    assert "/households/" not in text and "登录" not in text and "monitoring/objects" not in text
    response = client.post(reverse("monitoring_apply"), {"name": "李四", "phone": "13800002222",
                                                         "village": tree["village_a1"].code, "situation": "房屋因灾倒塌"})
    report = SelfReport.objects.get()
    text = response.content.decode()
    assert response.status_code == 200 and report.receipt in text
    assert "13800002222" not in text and "李四" not in text  # the receipt only, nothing echoed


def test_the_public_apply_page_refuses_a_bad_phone_in_chinese(client, tree):
    response = client.post(reverse("monitoring_apply"), {"name": "李四", "phone": "123",
                                                         "village": tree["village_a1"].code, "situation": "房屋因灾倒塌"})
    assert response.status_code == 400 and not SelfReport.objects.exists()
    assert "电话" in response.content.decode() or "号码" in response.content.decode()


def test_the_public_apply_page_is_rate_limited_per_address(client, tree, settings):
    settings.MONITOR_APPLY_PER_HOUR = 2
    data = {"name": "王五", "phone": "13800003333", "village": tree["village_a1"].code, "situation": "务工收入中断"}
    with clock("2026-03-02"):
        assert client.post(reverse("monitoring_apply"), data).status_code == 200
        assert client.post(reverse("monitoring_apply"), data).status_code == 200
        refused = client.post(reverse("monitoring_apply"), data)
        assert refused.status_code == 429 and "一小时后再试" in refused.content.decode()
    assert SelfReport.objects.count() == 2


def test_the_detail_shows_each_risk_elimination_condition(web, village_user, county_user, township_a_user, tree):
    from .mproc_helpers import enrol

    users = {"village": village_user, "township": township_a_user, "county": county_user}
    with clock("2026-03-02") as t:
        obj = found(village_user, exited(tree["village_a1"]))
        enrol(users, obj, t, tree)
        text = web.get(reverse("monitoring_object", args=[obj.pk])).content.decode()
    for label in ("收入稳定超过监测标准半年以上", "刚性支出问题已解决", "“三保障”和饮水安全有保障", "监测满半年且落实帮扶措施",
                  "有劳动能力"):
        assert label in text
    assert "不足半年" in text and "尚不满足" in text


def test_the_state_counts_count_each_object_once_when_its_clear_case_has_many_steps(web, village_user, tree):
    from fupin.monitoring import selectors_objects

    found(village_user, exited(tree["village_a1"]))
    found(village_user, exited(tree["village_a1"]))
    qs = selectors_objects.filtered(village_user, {})
    assert selectors_objects.state_counts(qs) == {"pending": 2}


def test_the_applicants_phone_is_masked_until_revealed_and_the_reveal_is_audited(web, tree):
    from fupin.audit.models import AuditKind

    report = services.self_report_submit(name="赵六", phone="13800004444", village=tree["village_a1"],
                                         situation="因灾房屋受损", ip="10.0.0.2")
    page = web.get(reverse("monitoring_report", args=[report.pk])).content.decode()
    assert "13800004444" not in page and "138****4444" in page
    revealed = web.post(reverse("monitoring_report_reveal", args=[report.pk]))
    assert "13800004444" in revealed.content.decode() and "no-store" in revealed["Cache-Control"]
    assert AuditEvent.objects.filter(kind=AuditKind.REVEAL, entity_id=str(report.pk)).exists()


def test_a_leader_may_not_reveal_an_applicants_phone(client, tree):
    from fupin.accounts.models import Role
    from tests import factories

    report = services.self_report_submit(name="赵六", phone="13800004444", village=tree["village_a1"],
                                         situation="因灾房屋受损", ip="10.0.0.2")
    client.force_login(factories.user("leader", Role.LEADER, tree["county"]))
    assert client.post(reverse("monitoring_report_reveal", args=[report.pk])).status_code == 403


def test_the_list_and_the_ledger_do_not_query_once_per_row(web, village_user, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert web.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add():
        obj = found(village_user, exited(tree["village_a1"]))
        services.instant_flag(actor=village_user, obj=obj)
        services.measure_add(actor=village_user, obj=obj, sector="civil", category="临时救助", date=datetime.date.today())

    add()
    web.get(reverse("monitoring_objects"))  # warm the cached demo-data banner flag
    few = (queries(reverse("monitoring_objects")), queries(reverse("monitoring_ledger")))
    for _ in range(4):
        add()
    assert (queries(reverse("monitoring_objects")), queries(reverse("monitoring_ledger"))) == few
