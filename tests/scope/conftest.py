"""Personas for the two roles whose scope is a set of households, not an area: a 帮扶责任人 in
village 甲一村 paired with some of its households, and an 评估人员 assigned to a
sample (in the county under evaluation). Households are built through the real services (ARCHITECTURE habit 10)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from fupin.accounts.models import Role
from fupin.assessment import services as assessment
from fupin.assistance import services as assistance
from tests import factories

START = datetime.date(2016, 3, 1)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def households(tree, county_user):
    """Three households in 甲一村, one in 甲二村, one in 乙一村, with distinctive numbers."""
    make = factories.household
    return {
        "a1_paired": make(tree["village_a1"], number="5303241002010101"),
        "a1_paired2": make(tree["village_a1"], number="5303241002010102"),
        "a1_other": make(tree["village_a1"], number="5303241002010103"),
        "a2": make(tree["village_a2"], number="5303241002020101"),
        "b1": make(tree["village_b1"], number="5303241012010101"),
    }


@pytest.fixture
def cadre(tree):
    return factories.user("cadre_li", Role.CADRE, tree["village_a1"], display_name="李文军")


@pytest.fixture
def assessor(tree):
    """A third-party evaluator assigned to the county under evaluation (the web pages start from the
    user's area; an evaluator without one sees the samples through the selectors only, for now)."""
    return factories.user("assessor_he", Role.ASSESSOR, tree["county"], display_name="何评估")


@pytest.fixture
def pairings(cadre, households, county_user):
    return [assistance.pairing_create(actor=county_user, cadre=cadre, household=households[key], start=START)
            for key in ("a1_paired", "a1_paired2")]


@pytest.fixture
def sample(assessor, households, county_user):
    s = assessment.sample_create(actor=county_user, name="第三方评估抽样", year=2019)
    assessment.sample_add_households(actor=county_user, sample=s, households=[households["a2"], households["b1"]])
    assessment.sample_assign_assessor(actor=county_user, sample=s, assessor=assessor)
    return s
