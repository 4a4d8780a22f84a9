"""The 待办 panel on the home page (issue 12 #16): imports waiting for confirmation and data-quality
findings to verify, counted in the user's scope, with links; other capabilities register their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.quality.services import refresh_findings
from fupin.sheets.models import Job, JobKind, JobState
from fupin.web import todo

from .conftest import login

pytestmark = pytest.mark.django_db


def _check(user, filename="甲一村.xlsx", state=JobState.DONE):
    return Job.objects.create(kind=JobKind.CHECK, user=user, state=state, filename=filename)


def items(client) -> dict:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {t.label: t for t in response.context["todos"]}


def test_checked_imports_not_confirmed_are_waiting(county_user, township_a_user, registry):
    first = _check(county_user, "第一批.xlsx")
    confirmed = _check(county_user, "已导入.xlsx")
    Job.objects.create(kind=JobKind.IMPORT, user=county_user, state=JobState.DONE, source=confirmed)
    _check(county_user, "失败.xlsx", state=JobState.FAILED)
    _check(township_a_user, "别人的.xlsx")
    got = items(login(county_user))["导入待确认"]
    assert got.count == 1 and got.url == reverse("sheets:job", args=[first.pk])
    _check(county_user, "第二批.xlsx")
    got = items(login(county_user))["导入待确认"]
    assert got.count == 2 and got.url == reverse("sheets:index")


def test_findings_to_verify_are_counted_in_scope(county_user, township_b_user, leader, registry):
    refresh_findings([h.pk for h in registry.values()])
    from fupin.quality.models import Finding

    total = Finding.objects.filter(resolved_at__isnull=True).count()
    in_b = Finding.objects.filter(resolved_at__isnull=True, area_path__startswith="530324101").count()
    assert total > in_b > 0
    county = items(login(county_user))["数据质量疑点待核实"]
    assert county.count == total and county.url == reverse("quality:list")
    assert items(login(township_b_user))["数据质量疑点待核实"].count == in_b
    # 领导 reads figures and verifies nothing: no to-dos.
    assert items(login(leader)) == {}
    page = login(county_user).get(reverse("home")).content.decode()
    assert "数据质量疑点待核实" in page and reverse("quality:list") in page


def test_nothing_waiting_says_so(village_user):
    response = login(village_user).get(reverse("home"))
    assert response.context["todos"] == [] and "暂无待办事项" in response.content.decode()


def test_a_later_capability_registers_its_own_items(county_user, monkeypatch):
    monkeypatch.setattr(todo, "_PROVIDERS", dict(todo._PROVIDERS))
    todo.register_todo_provider("monitoring.cases", lambda user: [todo.Todo("监测对象待核查", 3, "/monitoring/")])
    got = items(login(county_user))["监测对象待核查"]
    assert got.count == 3 and got.url == "/monitoring/"
