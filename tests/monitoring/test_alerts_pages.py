"""The 预警 pages and API (issue 14 item 2): the scoped list with its filters and overdue highlight, closing
from the page and the API, the upload as a background job ending on the list's report, the report's
download (audited), the rules page with its preview."""

from __future__ import annotations

import datetime
import io

import pytest
import python_calamine
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fupin.audit.models import AuditEvent, AuditKind
from fupin.jobs import runner
from fupin.jobs.models import Job
from fupin.monitoring import alerts
from fupin.monitoring.models import Alert, AlertRule, AlertStatus, ListKind, MonitoringObject, SectorList
from tests.monitoring.alerts_data import TODAY, csv_of, head_of

pytest_plugins = ["tests.monitoring.alerts_fixtures"]
pytestmark = pytest.mark.django_db

DIBAO = ["change", "change_date"]


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "alerts-tests"}}


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def rows_of(world, *keys):
    return [[head_of(world["hh"][k]).id_number, head_of(world["hh"][k]).name, "", "", "", f"MZ-{k}", "停保",
             "2024-05-01"] for k in keys]


@pytest.fixture
def pushed(world):
    return alerts.push(actor=world["users"]["county"], kind=ListKind.DIBAO, area=world["tree"]["county"],
                       filename="低保.csv", data=csv_of(DIBAO, rows_of(world, "a1", "a2", "b1")), raised_on=TODAY)


@time_machine.travel(datetime.date(2025, 3, 20))
def test_the_list_shows_the_scope_and_highlights_overdue_alerts(world, pushed):
    text = login(world["users"]["township_a"]).get(reverse("alerts:list")).content.decode()
    assert text.count('class="overdue"') == 2  # 甲乡's two alerts, due 03-11, are overdue on 03-20
    assert world["hh"]["b1"].number not in text and world["hh"]["a1"].number in text
    text = login(world["users"]["village_a1"]).get(reverse("alerts:list"), {"overdue": "on"}).content.decode()
    assert world["hh"]["a1"].number in text and world["hh"]["a2"].number not in text


def test_the_list_filters_by_kind_status_and_village(world, pushed):
    c = login(world["users"]["county"])
    a2 = world["tree"]["village_a2"].code
    text = c.get(reverse("alerts:list"), {"village": a2, "status": "open", "kind": "dibao"}).content.decode()
    assert world["hh"]["a2"].number in text and world["hh"]["a1"].number not in text
    assert world["hh"]["a2"].number not in c.get(reverse("alerts:list"), {"kind": "medical"}).content.decode()


def test_an_alert_outside_the_scope_is_a_404_on_the_page_and_the_api(world, pushed):
    alert = Alert.objects.get(household=world["hh"]["b1"])
    assert login(world["users"]["township_a"]).get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(world["users"]["township_a"])
    assert api.get(f"/api/monitoring/alerts/{alert.pk}/").status_code == 404
    assert api.post(f"/api/monitoring/alerts/{alert.pk}/close/", {"outcome": "duplicate"}, format="json").status_code == 404


def test_the_village_closes_an_alert_from_its_page(world, pushed):
    alert = Alert.objects.get(household=world["hh"]["a1"])
    c = login(world["users"]["village_a1"])
    page = c.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "办结" in page and "低保停保" in page
    bad = c.post(reverse("alerts:close", args=[alert.pk]), {"outcome": "not_at_risk", "note": "", "version": 1})
    assert bad.status_code == 400 and "须写明理由" in bad.content.decode()
    ok = c.post(reverse("alerts:close", args=[alert.pk]),
                {"outcome": "enrolled", "object_kind": "sudden", "risk_types": ["income_drop"], "version": 1})
    assert ok.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ENROLLED and MonitoringObject.objects.count() == 1


def test_a_read_only_role_reads_but_cannot_close(world, pushed):
    alert = Alert.objects.get(household=world["hh"]["a1"])
    c = login(world["users"]["leader"])
    page = c.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "低保停保" not in page  # the reason follows the health rule: hidden from 领导
    assert c.post(reverse("alerts:close", args=[alert.pk]), {"outcome": "duplicate"}).status_code == 403


def test_the_api_lists_filters_and_closes_and_a_second_close_is_a_conflict(world, pushed):
    api = APIClient()
    api.force_authenticate(world["users"]["township_a"])
    listed = api.get("/api/monitoring/alerts/", {"status": "open"}).json()
    assert {r["household_number"] for r in listed["results"]} == {world["hh"]["a1"].number, world["hh"]["a2"].number}
    alert = Alert.objects.get(household=world["hh"]["a1"])
    detail = api.get(f"/api/monitoring/alerts/{alert.pk}/").json()
    assert detail["rule"]["key"] == "dibao" and detail["reason"].startswith("低保停保")
    closed = api.post(f"/api/monitoring/alerts/{alert.pk}/close/", {"outcome": "not_at_risk", "note": "已核实"},
                      format="json")
    assert closed.status_code == 200 and closed.json()["status"]["code"] == "not_at_risk"
    again = api.post(f"/api/monitoring/alerts/{alert.pk}/close/", {"outcome": "duplicate"}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/monitoring/alerts/{alert.pk}/close/", {"outcome": "x", "y": 1}, format="json").status_code == 400


def test_the_upload_runs_as_a_job_and_ends_on_the_lists_report(world):
    c = login(world["users"]["county"])
    data = csv_of(DIBAO, [*rows_of(world, "a1"), ["1234", "错号", "", "", "", "", "停保", "2024-05-01"]])
    response = c.post(reverse("alerts:push"), {"kind": "dibao", "area": world["tree"]["county"].code,
                                               "file": SimpleUploadedFile("低保.csv", data)})
    job = Job.objects.get(kind=alerts.JOB_KIND)
    assert response.status_code == 302 and job.state == runner.JobState.DONE
    sector_list = SectorList.objects.get()
    landing = c.get(reverse("alerts:job", args=[job.pk]))
    assert landing.status_code == 302 and landing.url == reverse("alerts:list_detail", args=[sector_list.pk])
    report = c.get(landing.url).content.decode()
    assert "第 3 行“证件号码”" in report and sector_list.raised == 1
    assert c.get(reverse("alerts:job_progress", args=[job.pk]))["HX-Refresh"] == "true"
    # Another user's job is a 404.
    assert login(world["users"]["township_a"]).get(reverse("alerts:job", args=[job.pk])).status_code == 404


def test_a_refused_file_fails_the_job_with_the_reason(world):
    c = login(world["users"]["county"])
    c.post(reverse("alerts:push"), {"kind": "dibao", "area": world["tree"]["county"].code,
                                    "file": SimpleUploadedFile("x.csv", b"id_number,name\r\n1,2\r\n")})
    job = Job.objects.get(kind=alerts.JOB_KIND)
    assert job.state == runner.JobState.FAILED and "变动日期" in job.message
    assert not SectorList.objects.exists()


def test_the_push_page_is_for_county_and_township_only(world):
    assert login(world["users"]["village_a1"]).get(reverse("alerts:push")).status_code == 403
    assert login(world["users"]["township_a"]).get(reverse("alerts:push")).status_code == 200


def test_the_reports_download_is_an_xlsx_with_every_row_and_is_audited(world, pushed):
    c = login(world["users"]["county"])
    response = c.get(reverse("alerts:list_xlsx", args=[pushed.pk]))
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 3 and rows[1][1] == "已预警"
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity="monitoring.sectorlist").count() == 1
    assert login(world["users"]["township_a"]).get(reverse("alerts:list_xlsx", args=[pushed.pk])).status_code == 404


def test_the_rules_page_previews_and_saves_a_new_version(world):
    m = head_of(world["hh"]["a1"])
    alerts.push(actor=world["users"]["county"], kind=ListKind.DISASTER, area=world["tree"]["county"], filename="灾.csv",
                data=csv_of(["disaster_type", "loss_amount", "event_date"],
                            [[m.id_number, m.name, "", "", "", "", "洪涝", "3000", "2024-07-01"]]), raised_on=TODAY)
    c = login(world["users"]["county"])
    url = reverse("alerts:rule_edit", args=["disaster"])
    preview = c.post(url, {"enabled": "1", "min_loss": "2000", "due_days": "7", "action": "preview"})
    result = preview.context["result"]
    assert (result["rows"], result["now"], result["would"]) == (1, 0, 1) and "按本页参数触发" in preview.content.decode()
    assert c.post(url, {"min_loss": "abc", "due_days": "7", "action": "save"}).status_code == 400
    assert c.post(url, {"enabled": "1", "min_loss": "2000", "due_days": "7", "action": "save"}).status_code == 302
    rule = AlertRule.objects.get()
    assert rule.version == 1 and rule.params["min_loss"] == "2000.00" and rule.area == world["tree"]["county"]
    assert login(world["users"]["township_a"]).get(url).status_code == 403
    assert "第 1 版" in c.get(reverse("alerts:rules")).content.decode()


def test_personal_data_follows_the_field_policy_on_the_page_the_report_and_the_api(world, pushed):
    alert = Alert.objects.get(household=world["hh"]["a1"])
    whole = head_of(world["hh"]["a1"]).id_number
    county = login(world["users"]["county"])
    for url in (reverse("alerts:detail", args=[alert.pk]), reverse("alerts:list_detail", args=[pushed.pk])):
        text = county.get(url).content.decode()
        assert whole not in text
    assert whole[:6] + "********" + whole[-4:] in county.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    api = APIClient()
    api.force_authenticate(world["users"]["leader"])
    body = api.get(f"/api/monitoring/alerts/{alert.pk}/").json()
    assert "reason" not in body and "note" not in body and "figures" not in body["rule"]
    api.force_authenticate(world["users"]["county"])
    assert "figures" in api.get(f"/api/monitoring/alerts/{alert.pk}/").json()["rule"]


@time_machine.travel(datetime.date(2025, 3, 20))
def test_the_api_filters_overdue_and_refuses_a_bad_value(world, pushed):
    api = APIClient()
    api.force_authenticate(world["users"]["county"])
    Alert.objects.filter(household=world["hh"]["a1"]).update(due_on=datetime.date(2025, 3, 25))
    overdue = {r["household_number"] for r in api.get("/api/monitoring/alerts/", {"overdue": "true"}).json()["results"]}
    assert overdue == {world["hh"]["a2"].number, world["hh"]["b1"].number}
    assert [r["household_number"] for r in api.get("/api/monitoring/alerts/", {"overdue": "false"}).json()["results"]] \
        == [world["hh"]["a1"].number]
    assert api.get("/api/monitoring/alerts/", {"overdue": "是"}).status_code == 400
