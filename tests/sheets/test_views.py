"""The 导入导出 pages: upload → check (preview) → confirm → import; cancel; error sheet; exports; scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry.models import Household
from fupin.sheets import jobs
from fupin.sheets.models import Job, JobKind, JobState
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import B1, family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path):
    settings.FUPIN_JOBS = "sync"
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "sheets-tests"}}


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(client, rows, name="上报.xlsx", **data):
    f = SimpleUploadedFile(name, xlsx_bytes(rows), content_type="application/vnd.ms-excel")
    return client.post(reverse("sheets:upload"), {"file": f, **data})


def good_and_bad():
    bad = family("5303241002010002", n=10)
    bad[1][STANDARD_HEADERS.index("性别")] = "男"  # the wife's ID says female
    return [["某乡上报表"], STANDARD_HEADERS, *family("5303241002010001", n=0), *bad]


def test_upload_check_preview_then_confirm_imports_the_valid_households(tree, county_user):
    client = login(county_user)
    response = upload(client, good_and_bad())
    assert response.status_code == 302
    check = Job.objects.get(kind=JobKind.CHECK)
    assert check.state == JobState.DONE and Household.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "确认导入" in page and "5303241002010001" in page
    assert "性别" in page and "不一致" in page  # the error, with its column
    assert check.result["counts"]["create"] == 1 and check.result["counts"]["refused"] == 1

    errors = client.get(reverse("sheets:job_errors", args=[check.pk]))
    assert errors.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(errors.streaming_content)))
    sheet = book.worksheets[0]
    note_col = len(STANDARD_HEADERS) + 1
    assert sheet.cell(row=2, column=note_col).value == "错误说明"
    assert "性别" in sheet.cell(row=6, column=note_col).value
    sex_col = STANDARD_HEADERS.index("性别") + 1
    assert sheet.cell(row=6, column=sex_col).fill.fgColor.rgb.endswith("FFC7CE")
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, entity="sheets.job").exists()

    done = client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert done["Location"] == reverse("sheets:job", args=[job.pk])
    assert job.state == JobState.DONE and job.result["written"]["created"] == 1
    assert list(Household.objects.values_list("number", flat=True)) == ["5303241002010001"]
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, entity="registry.household")
    assert event.data["source"] == "上报.xlsx" and event.actor == county_user
    # Confirming twice does not import twice.
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    assert Job.objects.filter(kind=JobKind.IMPORT).count() == 1


def test_all_or_nothing_imports_nothing_when_one_household_is_bad(tree, county_user):
    client = login(county_user)
    upload(client, good_and_bad())
    check = Job.objects.get(kind=JobKind.CHECK)
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "all"})
    job = Job.objects.get(kind=JobKind.IMPORT)
    assert job.state == JobState.FAILED and "未导入任何数据" in job.message
    assert Household.objects.count() == 0


def test_a_cancelled_job_writes_nothing(tree, county_user, settings):
    settings.FUPIN_JOBS = "sync"
    client = login(county_user)
    upload(client, [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    check = Job.objects.get(kind=JobKind.CHECK)
    job = Job.objects.create(kind=JobKind.IMPORT, user=county_user, filename=check.filename, source=check)
    jobs.request_cancel(job)
    jobs.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and Household.objects.count() == 0


def test_a_file_that_is_not_a_sheet_fails_with_a_message(tree, county_user):
    client = login(county_user)
    f = SimpleUploadedFile("表.xlsx", b"this is not a workbook")
    client.post(reverse("sheets:upload"), {"file": f})
    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.message
    page = client.get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert job.message in page


def test_wrong_file_type_is_refused_at_upload(tree, county_user):
    client = login(county_user)
    f = SimpleUploadedFile("表.docx", b"x")
    response = client.post(reverse("sheets:upload"), {"file": f})
    assert response.status_code == 400 and "只能导入" in response.content.decode()
    assert not Job.objects.exists()


def test_rows_outside_the_township_are_refused(tree, township_a_user):
    client = login(township_a_user)
    upload(client, [STANDARD_HEADERS, *family("5303241002010001", n=0), *family("5303241012010001", village=B1,
                                                                                n=10)])
    check = Job.objects.get()
    assert check.result["counts"]["refused"] == 1
    assert any("管辖范围" in p["message"] for p in check.result["problems"])


def test_read_only_roles_cannot_upload_and_jobs_are_private(tree, county_user):
    leader = factories.user("leader_y", Role.LEADER, tree["county"])
    assert login(leader).post(reverse("sheets:upload"), {}).status_code == 403
    assert "只能查看和导出" in login(leader).get(reverse("sheets:index")).content.decode()
    client = login(county_user)
    upload(client, [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    job = Job.objects.get()
    other = factories.user("county_2", Role.COUNTY, tree["county"])
    assert login(other).get(reverse("sheets:job", args=[job.pk])).status_code == 404
    assert login(other).get(reverse("sheets:job_errors", args=[job.pk])).status_code == 404
    assert login(other).post(reverse("sheets:job_confirm", args=[job.pk])).status_code == 404


def test_progress_partial_and_index_page(tree, county_user):
    client = login(county_user)
    page = client.get(reverse("sheets:index")).content.decode()
    assert "上传并检查" in page and "下载导入模板" in page
    job = Job.objects.create(kind=JobKind.CHECK, user=county_user, filename="x.xlsx")
    jobs.set_progress(job.pk, 250, 1000, "检查")
    partial = client.get(reverse("sheets:job_progress", args=[job.pk])).content.decode()
    assert "250 / 1,000" in partial and "25%" in partial and 'hx-trigger="every 1s"' in partial


def test_template_and_summary_downloads(tree, county_user):
    client = login(county_user)
    factories.household(tree["village_a1"])
    template = client.get(reverse("sheets:template"))
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert "导入模板" in book.sheetnames
    summary = client.get(reverse("sheets:summary"))
    assert summary.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, summary__contains="汇总表").exists()


def test_export_of_the_filtered_list_is_scoped_masked_by_role_and_audited(tree, county_user, township_a_user):
    from python_calamine import CalamineWorkbook

    factories.household(tree["village_a1"], number="A1-POOR")
    factories.household(tree["village_b1"], number="B1-POOR")
    client = login(township_a_user)
    assert "导出 Excel" in client.get(reverse("household_list")).content.decode()
    response = client.post(reverse("sheets:export"), {"status": "poor"})
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert response["Location"] == reverse("sheets:job", args=[job.pk])
    assert job.state == JobState.DONE and job.result["exported_households"] == 1
    download = client.get(reverse("sheets:job_download", args=[job.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(
        0).to_python()
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {"A1-POOR"}  # 乙乡's household is outside the township
    ids = [r[STANDARD_HEADERS.index("证件号码")] for r in rows[1:]]
    assert all("*" not in i for i in ids)  # a township cadre sees full numbers
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT, entity="sheets.job")
    assert event.actor == township_a_user and event.data["rows"] == 2

    leader = factories.user("leader_z", Role.LEADER, tree["county"])
    login(leader).post(reverse("sheets:export"))
    job = Job.objects.filter(user=leader).get()
    assert job.params["mask"] is True and job.state == JobState.DONE
    page = login(leader).get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert "下载导出文件" in page and "不能再导入" in page
    assert login(county_user).get(reverse("sheets:job_download", args=[job.pk])).status_code == 404


def test_an_export_is_started_by_a_posted_form_only_never_by_a_link_or_another_site(tree, county_user):
    # Issue 11 #8: ten GETs of /sheets/export/ started ten county exports, and a link (or <img>) on
    # another site could start one. Now a GET is 405 and a POST without the CSRF token is 403.
    factories.household(tree["village_a1"], number="A1-POOR")
    client = login(county_user)
    assert client.get(reverse("sheets:export") + "?status=poor").status_code == 405
    cross_site = Client(enforce_csrf_checks=True)
    cross_site.force_login(county_user)
    assert cross_site.post(reverse("sheets:export"), {"status": "poor"}).status_code == 403
    assert not Job.objects.exists()
    # The list's 导出 Excel is a form posting the current filters (the township chosen, the page left out).
    page = cross_site.get(reverse("household_list") + "?township=" + factories.TOWNSHIP_A + "&page=1")
    html = page.content.decode()
    start = html.rindex("<form", 0, html.index('id="export-form"'))
    form = html[start:html.index("</form>", start)]
    assert form.startswith('<form method="post" action="/sheets/export/"')
    assert "csrfmiddlewaretoken" in form and f'name="township" value="{factories.TOWNSHIP_A}"' in form
    assert 'name="page"' not in form
    token = page.cookies["csrftoken"].value
    response = cross_site.post(reverse("sheets:export"), {"township": factories.TOWNSHIP_A,
                                                          "csrfmiddlewaretoken": token})
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert response["Location"] == reverse("sheets:job", args=[job.pk])
    assert job.params["filters"]["area_code"] == factories.TOWNSHIP_A


def test_a_user_may_have_only_so_many_unfinished_jobs(tree, county_user, settings):
    import datetime

    from django.utils import timezone

    from fupin.jobs import runner

    settings.FUPIN_MAX_JOBS_PER_USER = 2
    client = login(county_user)
    queued = [runner.job_create(kind=JobKind.EXPORT, user=county_user, filename=f"{i}.xlsx") for i in range(2)]
    response = client.post(reverse("sheets:export"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sheets:index")
    assert "您已有 2 个导入或导出任务尚未完成，每人最多同时 2 个" in response.content.decode()
    assert upload(client, good_and_bad()).status_code == 302
    assert Job.objects.count() == 2  # neither the export nor the check was created
    # Another user is not held back by them.
    other = factories.user("county_other", Role.COUNTY, tree["county"])
    login(other).post(reverse("sheets:export"))
    assert Job.objects.filter(user=other).count() == 1
    # A finished job frees its place; one lost with a stopped worker (still "queued" hours later) too.
    Job.objects.filter(pk=queued[0].pk).update(state=JobState.DONE)
    Job.objects.filter(pk=queued[1].pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    client.post(reverse("sheets:export"))
    assert Job.objects.filter(user=county_user).count() == 3


def test_job_files_with_personal_data_do_not_linger(tree, county_user):
    import datetime

    from django.utils import timezone

    client = login(county_user)
    upload(client, [STANDARD_HEADERS, *family("5303241002010001", n=0)])
    check = Job.objects.get()
    assert check.upload_path.exists()
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    assert not check.upload_path.exists()  # imported: the copy is gone
    Job.objects.filter(pk=check.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    check.folder.mkdir(parents=True, exist_ok=True)
    (check.folder / "errors.xlsx").write_bytes(b"x")
    assert jobs.purge_old_files() == 1 and not check.folder.exists()


def test_the_list_export_takes_the_year_chosen_beside_its_button(tree, county_user):
    """Issue 12.2: the year of the income columns is picked (default: the last complete year), and the
    job page says which year it is and how many households have a record of it."""
    from fupin.registry import rules, services

    household = factories.household(tree["village_a1"], number="A1-POOR")
    services.yearly_record_save(actor=county_user, household=household, year=2018, data={"wage_income": 100})
    client = login(county_user)
    html = client.get(reverse("household_list")).content.decode()
    start = html.rindex("<form", 0, html.index('id="export-form"'))
    form = html[start:html.index("</form>", start)]
    default = rules.default_report_year()
    assert f'<option value="{default}" selected>{default} 年</option>' in form

    client.post(reverse("sheets:export"), {"year": "2018"})
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.params["year"] == 2018 and job.result["year"] == 2018
    assert "年度收入：2018 年" in client.get(reverse("sheets:job", args=[job.pk])).content.decode()

    response = client.post(reverse("sheets:export"), {"year": "2099"}, follow=True)
    assert "年度应在 2013 到" in response.content.decode() and Job.objects.count() == 1

    client.post(reverse("sheets:export"))
    job = Job.objects.latest("created_at")
    assert job.params["year"] is None and job.result["year"] == default
    page = client.get(reverse("sheets:job", args=[job.pk])).content.decode()
    assert f"{default} 年（未选择年度，默认取上一个完整年度）；1 户中 0 户有该年度收入记录" in page
