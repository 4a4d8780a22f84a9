"""Shared fixtures of the project library's tests (life16): a county with helping units as lead
departments, a 行业部门 account of 县交通运输局, a road project of 甲一村 and a helper walking it along
the lifecycle as the system (actor None) with the guards' conditions met."""

from __future__ import annotations

import datetime

import pytest

from fupin.accounts.models import Role
from fupin.assistance.models import HelpingUnit
from fupin.projects import services_library as lib
from fupin.projects.models import Asset, DepartmentStaff, Disclosure, DisclosureKind
from fupin.projects.rules import PATH, Category, Stage
from tests import factories

DAY = datetime.date(2025, 3, 1)


@pytest.fixture
def roads(tree):
    return HelpingUnit.objects.create(name="县交通运输局", area=tree["county"])


@pytest.fixture
def water(tree):
    return HelpingUnit.objects.create(name="县水务局", area=tree["county"])


@pytest.fixture
def department_user(tree, roads):
    u = factories.user("dept_roads", Role.DEPARTMENT, tree["county"], display_name="交通局项目办")
    DepartmentStaff.objects.create(user=u, department=roads)
    return u


@pytest.fixture
def project(tree, roads):
    return lib.project_create(actor=None, area=tree["village_a1"], name="甲一村通组硬化路", category=Category.ROADS,
                              year=2025, on=DAY - datetime.timedelta(days=30), tasks="硬化道路 3.5 公里", budget="1200000.00", households=40, people=150,
                              starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2025, 10, 31))


def disclose(project, kind, starts, days):
    return Disclosure.objects.create(kind=kind, area=project.area, project=project, title=f"{project.name}公示",
                                     place="村务公开栏", starts_on=starts, ends_on=starts + datetime.timedelta(days=days - 1))


def walk(project, to, *, day=DAY):
    """Take ``project`` forward as the system to ``to``, meeting each guard (notices, progress, asset)."""
    while project.stage != to:
        target = PATH[PATH.index(project.stage) + 1]
        if target == Stage.LIBRARY:
            disclose(project, DisclosureKind.PLAN, day - datetime.timedelta(days=20), 10)
        if target == Stage.ACCEPTED:
            lib.progress_report(actor=None, project=project, progress=100, on=day)
            project.refresh_from_db()
        if target == Stage.ANNOUNCED:
            disclose(project, DisclosureKind.COMPLETION, day - datetime.timedelta(days=15), 10)
        if target == Stage.HANDED_OVER:
            Asset.objects.create(project=project, area=project.area, code=f"ZC-{project.pk}", name="道路",
                                 kind="public", owner="甲一村村委会", value=project.budget)
        project = lib.project_step(actor=None, project=project, to=target, reason="同意", date=day)
    return project
