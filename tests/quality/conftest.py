"""Households with 疑点 in two townships, built through the registry services, and their findings."""

from __future__ import annotations

import pytest
from django.test import Client

from fupin.accounts.models import Role
from fupin.quality.services import refresh_findings
from fupin.registry.choices import Cause, Relation
from tests import factories

FILLED = {"education": "junior", "labour": "normal"}  # so that only the 疑点 meant are found
LIVING = {"road_type": "cement", "fuel": "firewood"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def odd_a(tree, county_user):
    """甲一村: 因病 with nobody ill, and a daughter recorded as 之子 (two 疑点)."""
    return factories.household(tree["village_a1"], actor=county_user, number="H-A-0001", main_cause=Cause.ILLNESS, **LIVING,
                               members=[factories.member_data(Relation.HEAD, "1", name="甲户主", **FILLED),
                                        factories.member_data(Relation.SON, "2", name="甲女儿", **FILLED)])


@pytest.fixture
def odd_b(tree, county_user):
    """乙一村: 因病 with nobody ill (one 疑点)."""
    return factories.household(tree["village_b1"], actor=county_user, number="H-B-0001", main_cause=Cause.ILLNESS, **LIVING,
                               members=[factories.member_data(Relation.HEAD, "1", name="乙户主", **FILLED)])


@pytest.fixture
def found(odd_a, odd_b):
    refresh_findings([odd_a.pk, odd_b.pk])
    return odd_a, odd_b


@pytest.fixture
def leader(tree):
    return factories.user("leader", Role.LEADER, tree["county"])
