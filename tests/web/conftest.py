"""Personas and a small registry for the web UI tests (ARCHITECTURE habits 9–10).

Township A (甲乡) holds two households, township B (乙乡) one. Every name and household number is
distinctive so that "does the page show it?" is a plain substring test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from fupin.accounts.models import Role
from fupin.registry import services
from fupin.registry.choices import Attribute, Cause, Relation, Status
from tests import factories

NUMBER_A1 = "5303241002010001"
NUMBER_A2 = "5303241002020001"
NUMBER_B1 = "5303241012010001"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The header asks "is demo data loaded?" through the cache; a value left by an earlier test
    # would change the page's query count.
    cache.clear()
    yield
    cache.clear()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def leader(tree):
    return factories.user("leader", Role.LEADER, tree["county"])


@pytest.fixture
def auditor(tree):
    return factories.user("auditor", Role.AUDITOR, tree["county"])


@pytest.fixture
def county_client(county_user) -> Client:
    return login(county_user)


@pytest.fixture
def b_client(township_b_user) -> Client:
    return login(township_b_user)


@pytest.fixture
def ha(tree, county_user):
    """甲乡甲一村: 赵甲山 (head) and 钱甲花 (spouse), poor, 因病, identified 2014, one yearly record."""
    household = factories.household(
        tree["village_a1"], actor=county_user, number=NUMBER_A1,
        members=[factories.member_data(Relation.HEAD, "1", name="赵甲山"),
                 factories.member_data(Relation.SPOUSE, "2", name="钱甲花")],
        main_cause=Cause.ILLNESS, identified_year=2014, attribute=Attribute.GENERAL, status=Status.POOR,
        cultivated_land=Decimal("3.50"),
    )
    services.yearly_record_save(actor=county_user, household=household, year=2019,
                                data={"wage_income": Decimal("6000"), "member_count": 2})
    return household


@pytest.fixture
def ha2(tree, county_user):
    """甲乡甲二村: 周甲河 alone, a 低保 household that exited in 2017."""
    return factories.household(
        tree["village_a2"], actor=county_user, number=NUMBER_A2,
        members=[factories.member_data(Relation.HEAD, "1", name="周甲河")],
        main_cause=Cause.DISABILITY, identified_year=2015, attribute=Attribute.DIBAO, status=Status.EXITED,
        exit_year=2017,
    )


@pytest.fixture
def hb(tree, county_user):
    """乙乡乙一村: 孙乙林 and 李乙梅, a 特困 household, 因学, identified 2016."""
    return factories.household(
        tree["village_b1"], actor=county_user, number=NUMBER_B1,
        members=[factories.member_data(Relation.HEAD, "1", name="孙乙林"),
                 factories.member_data(Relation.SPOUSE, "2", name="李乙梅")],
        main_cause=Cause.SCHOOLING, identified_year=2016, attribute=Attribute.TEKUN, status=Status.POOR,
    )


@pytest.fixture
def registry(ha, ha2, hb):
    return {"a1": ha, "a2": ha2, "b1": hb}


def many_households(village, actor, n: int, *, members: int = 2, prefix: str = "9") -> list:
    """``n`` households with ``members`` people each; numbers sort in creation order."""
    out = []
    for i in range(n):
        people = [factories.member_data(Relation.HEAD, "1")]
        people += [factories.member_data(Relation.OTHER, "2") for _ in range(members - 1)]
        out.append(factories.household(village, actor=actor, number=f"{prefix}{i:05d}", members=people))
    return out


