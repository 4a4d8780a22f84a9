"""An 评估人员 sees only the households of the samples assigned to them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.assessment import services as assessment
from fupin.registry import selectors
from tests import factories

from .conftest import login

pytestmark = pytest.mark.django_db


def test_the_assessor_sees_only_sample_households(assessor, households, sample):
    assert set(selectors.household_scope(assessor)) == {households["a2"], households["b1"]}
    page = login(assessor).get("/households/").content.decode()
    assert households["a2"].number in page and households["b1"].number in page
    assert households["a1_paired"].number not in page and households["a1_other"].number not in page


def test_the_assessor_opens_sample_households_only(assessor, households, sample):
    client = login(assessor)
    assert client.get(reverse("household_detail", args=[households["b1"].pk])).status_code == 200
    assert client.get(reverse("household_detail", args=[households["a1_other"].pk])).status_code == 404


def test_an_assessor_of_another_sample_sees_nothing_of_this_one(households, sample):
    from fupin.accounts.models import Role

    other = factories.user("assessor_other", Role.ASSESSOR, None)
    assert not selectors.household_scope(other).exists()


def test_an_assessor_with_an_area_stays_inside_it(households, sample, county_user, tree):
    from fupin.accounts.models import Role

    local = factories.user("assessor_local", Role.ASSESSOR, tree["township_b"])
    assessment.sample_assign_assessor(actor=county_user, sample=sample, assessor=local)
    assert list(selectors.household_scope(local)) == [households["b1"]]


def test_an_assessor_without_an_area_sees_the_sample_households(households, sample, county_user):
    from fupin.accounts.models import Role

    roaming = factories.user("assessor_roaming", Role.ASSESSOR, None)
    assessment.sample_assign_assessor(actor=county_user, sample=sample, assessor=roaming)
    assert set(selectors.household_scope(roaming)) == {households["a2"], households["b1"]}
