"""Fixtures of the alerts tests (loaded with ``pytest_plugins``): households built through the real
services, a monitoring line, the users of each level."""

from __future__ import annotations

import datetime

import pytest

from fupin.accounts.models import Role
from fupin.registry import services
from fupin.registry.choices import Labour, LineKind, Relation, Status
from fupin.registry.models import PovertyLine
from tests import factories
from tests.monitoring.alerts_data import LINE, LINE_YEAR


@pytest.fixture
def line(db):
    return PovertyLine.objects.create(year=LINE_YEAR, kind=LineKind.MONITORING, area=None, amount=LINE,
                                      note="测试监测线")


@pytest.fixture
def world(tree, line):
    """Two households in 甲一村, one in 甲二村, one in 乙一村; the users of each level."""
    admin = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    users = {
        "admin": admin,
        "county": factories.user("county_officer", Role.COUNTY, tree["county"]),
        "township_a": factories.user("township_a", Role.TOWNSHIP, tree["township_a"]),
        "township_b": factories.user("township_b", Role.TOWNSHIP, tree["township_b"]),
        "village_a1": factories.user("village_a1", Role.VILLAGE, tree["village_a1"]),
        "village_a2": factories.user("village_a2", Role.VILLAGE, tree["village_a2"]),
        "leader": factories.user("leader", Role.LEADER, tree["county"]),
    }
    hh = {
        "a1": factories.household(tree["village_a1"], actor=admin, status=Status.EXITED, members=[
            factories.member_data(Relation.HEAD, "1", name="张大山", labour=Labour.NORMAL,
                                  birth=datetime.date(1968, 3, 12)),  # old enough to have had a 15-digit number
            factories.member_data(Relation.SPOUSE, "2", name="李小花", labour=Labour.WEAK),
            factories.member_data(Relation.SON, "1", birth=datetime.date(2013, 5, 1), name="张小明")]),
        "a1b": factories.household(tree["village_a1"], actor=admin, status=Status.EXITED, members=[
            factories.member_data(Relation.HEAD, "1", name="王二", labour=Labour.NORMAL),
            factories.member_data(Relation.SPOUSE, "2", name="赵三", labour=Labour.NORMAL)]),
        "a2": factories.household(tree["village_a2"], actor=admin, status=Status.EXITED),
        "b1": factories.household(tree["village_b1"], actor=admin, status=Status.EXITED),
    }
    # 3 people, per-capita income 8000 (net income 24000) in 2024
    for key in hh:
        services.yearly_record_save(actor=admin, household=hh[key], year=LINE_YEAR,
                                    data={"wage_income": "24000", "member_count": 3})
    return {"users": users, "hh": hh, "tree": tree}
