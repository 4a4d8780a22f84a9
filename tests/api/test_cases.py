"""The cases in the API: scoped reads, a step with its vote, the step's refusals in the one error shape,
and a stale version answered 409."""

from __future__ import annotations

import pytest

from fupin.accounts.models import Role
from fupin.identification.models import Step
from tests import factories
from tests.identification.helpers import VOTES, applicant, open_case

from .conftest import api, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tree, village_user):
    return open_case(village_user, applicant(tree["village_a1"]))


def test_the_list_and_the_case_are_scoped(case, village_user, township_b_user, tree):
    body = api(village_user).get("/api/cases/").json()
    assert [c["id"] for c in body["results"]] == [case.pk]
    assert api(township_b_user).get("/api/cases/").json()["results"] == []
    error_of(api(township_b_user).get(f"/api/cases/{case.pk}/"), 404)
    detail = api(village_user).get(f"/api/cases/{case.pk}/").json()
    assert detail["step"]["code"] == Step.APPLIED
    assert [s["code"] for s in detail["next_steps"]] == [Step.GROUP, Step.REJECTED, Step.WITHDRAWN]


def test_the_opinion_follows_the_health_rule(case, tree):
    leader = factories.user("leader", Role.LEADER, tree["county"])
    detail = api(leader).get(f"/api/cases/{case.pk}/").json()
    assert "reason" not in detail and all("opinion" not in e for e in detail["events"])
    assert detail["next_steps"] == []


def test_a_step_through_the_api_with_its_vote(case, village_user):
    client = api(village_user)
    body = client.post(f"/api/cases/{case.pk}/step/", {"to": Step.GROUP, "opinion": "小组议通过"}, format="json")
    assert body.status_code == 200, body.content
    body = client.post(f"/api/cases/{case.pk}/step/", {"to": Step.VILLAGE, "opinion": "评定", "votes": VOTES},
                       format="json").json()
    assert body["step"]["code"] == Step.VILLAGE and body["events"][-1]["votes_for"] == VOTES["votes_for"]


def test_refusals_speak_chinese_in_the_one_error_shape(case, village_user, county_user):
    client = api(village_user)
    err = error_of(client.post(f"/api/cases/{case.pk}/step/", {"to": Step.VILLAGE, "opinion": "跳步"},
                               format="json"), 400)
    assert "不能从" in err["message"] or "不能从" in str(err)
    error_of(api(county_user).post(f"/api/cases/{case.pk}/step/", {"to": Step.GROUP, "opinion": "越级"},
                                   format="json"), 403)
    error_of(client.post(f"/api/cases/{case.pk}/step/", {"to": Step.GROUP, "opinion": "旧页面", "version": 99},
                         format="json"), 409)
    error_of(client.post(f"/api/cases/{case.pk}/step/", {"to": Step.GROUP, "opinion": "x", "extra": 1},
                         format="json"), 400)
