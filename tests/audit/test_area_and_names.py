"""Issue 12 item 4: every audit row carries an area — of what it concerns, or else the actor's own —
so the county and the auditor see it; and the audit page names people and objects (姓名, 户编号 +
户主, file names), never "用户 #2", "sheets.job #…", English keys or Python dicts.

Before: downloading an error sheet and an import that wrote nothing were recorded with no area,
and only a global administrator could read them."""

from __future__ import annotations

import importlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.audit import selectors, services
from fupin.audit.models import AuditEvent, AuditKind
from fupin.registry import services as registry
from fupin.registry.choices import Status
from fupin.sheets.models import Job, JobKind
from tests import factories
from tests.sheets.builders import STANDARD_HEADERS, xlsx_bytes
from tests.sheets.test_import import family
from tests.sheets.test_views import _jobs_inline  # noqa: F401 - jobs run inline, files under tmp_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    county = factories.user("county_officer", Role.COUNTY, tree["county"], display_name="县扶贫办 张建华")
    auditor = factories.user("auditor", Role.AUDITOR, tree["county"], display_name="县审计局 陈敏")
    return county, auditor


def _only_bad_households(client: Client) -> Job:
    """Upload a sheet whose one household is refused, download its error sheet, then confirm the
    import of the valid households: nothing is written."""
    bad = family("5303241002010002", n=10)
    bad[1][STANDARD_HEADERS.index("性别")] = "男"  # the wife's ID says female
    upload = SimpleUploadedFile("老厂乡上报.xlsx", xlsx_bytes([["上报表"], STANDARD_HEADERS, *bad]))
    client.post(reverse("sheets:upload"), {"file": upload})
    check = Job.objects.get(kind=JobKind.CHECK)
    assert client.get(reverse("sheets:job_errors", args=[check.pk])).status_code == 200
    client.post(reverse("sheets:job_confirm", args=[check.pk]), {"mode": "valid"})
    return check


def test_an_error_sheet_download_and_an_import_that_wrote_nothing_are_seen_by_the_county_and_the_auditor(
        tree, people):
    county, auditor = people
    client = Client()
    client.force_login(county)
    _only_bad_households(client)
    errors = AuditEvent.objects.get(kind=AuditKind.EXPORT, summary__startswith="下载错误说明表")
    nothing = AuditEvent.objects.get(kind=AuditKind.IMPORT, entity="sheets.file")
    assert errors.area_path == nothing.area_path == tree["county"].path
    for reader in (county, auditor):
        seen = set(selectors.audit_list(user=reader).values_list("pk", flat=True))
        assert {errors.pk, nothing.pk} <= seen


def test_every_helper_without_an_area_files_the_row_under_the_actors_area(tree, people):
    county, _auditor = people
    event = services.audit_export(actor=county, summary="某个导出", entity="sheets.job", entity_id="x")
    assert event.area_path == tree["county"].path
    # The system and names without an account have no area: global administrators read those.
    assert services.audit_import(actor=None, entity="demo", summary="演示").area_path == ""
    assert services.audit_login_failed(username="nobody").area_path == ""


def test_the_migration_gives_old_rows_without_an_area_their_actors_area(tree, people):
    county, auditor = people
    old = AuditEvent.objects.create(kind=AuditKind.EXPORT, actor=county, actor_name=county.username,
                                    entity="sheets.job", entity_id="old", summary="下载错误说明表：旧.xlsx")
    system = AuditEvent.objects.create(kind=AuditKind.IMPORT, actor_name="system", summary="系统")
    assert old.pk not in set(selectors.audit_list(user=auditor).values_list("pk", flat=True))
    migration = importlib.import_module("fupin.audit.migrations.0003_counts_area_from_actor")
    state = MigrationExecutor(connection).loader.project_state(("audit", "0003_counts_area_from_actor"))
    migration.area_from_actor(state.apps, None)
    old.refresh_from_db()
    system.refresh_from_db()
    assert (old.area_path, system.area_path) == (tree["county"].path, "")
    assert old.pk in set(selectors.audit_list(user=auditor).values_list("pk", flat=True))


def test_the_audit_page_names_people_and_objects(tree, people):
    county, auditor = people
    client = Client()
    client.force_login(county)
    household = factories.household(tree["village_a1"], actor=county, number="5303241002010001")
    registry.household_change_status(actor=county, household=household, to_status=Status.EXITED,
                                     reason="收入稳定超过标准", exit_year=2020)
    _only_bad_households(client)
    client.post(reverse("sheets:export"), {"status": "exited"})
    client.get(reverse("sheets:job_download", args=[Job.objects.get(kind=JobKind.EXPORT).pk]))
    services.audit_login(user=county, data={"via": "api", "token": "abcd1234"})

    reader = Client()
    reader.force_login(auditor)
    html = reader.get(reverse("audit_list")).content.decode()
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.S))
    assert "县扶贫办 张建华" in text  # the actor by name
    assert f"{household.number} {household.head_name}" in text  # the household by number and head
    assert "老厂乡上报.xlsx" in text  # the file an import read and its error sheet
    assert "信息更正" in text and "导入有效的户，拒绝有错误的户" in text  # codes by their names
    assert "户状态：已脱贫(享受政策)" in text  # the export's filters, in words
    for internal in ("用户 #", "贫困户 #", "sheets.job", "sheets.file", "{'", "'status'",
                     "filters", "masked", "source", "result：", "mode", "correction", "via"):
        assert internal not in text, internal



def test_a_status_reason_that_names_an_illness_follows_the_health_rule_on_the_audit_page(tree, people):
    county, auditor = people
    household = factories.household(tree["village_a1"], actor=county)
    registry.household_change_status(actor=county, household=household, to_status=Status.EXITED,
                                     reason="家庭成员患大病，住院后收入稳定", exit_year=2020)
    for user, sees in ((county, True), (auditor, False)):
        client = Client()
        client.force_login(user)
        html = client.get(reverse("audit_list")).content.decode()
        assert ("家庭成员患大病" in html) is sees
        assert "户状态" in html and "信息更正" in html  # the rest of the row stays readable
