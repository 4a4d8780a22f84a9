"""The household page's 退出核查 panel follows the privacy policy: a criterion read from the members'
health (a county may add one) shows its reason only to roles that see health (not 领导, not 审计)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.registry.choices import Health, Relation
from fupin.standards.services import ruleset_create
from tests import factories
from tests.standards.helpers import YEAR, adult, household, national_line

pytestmark = pytest.mark.django_db


def test_health_reason_hidden_from_roles_that_do_not_see_health(tree, county_user):
    national_line()
    ruleset_create(actor=None, kind="exit_criteria", year=YEAR, area=tree["county"], name="县标准",
                   conditions=[{"field": "any_member_seriously_ill", "op": "is_false", "label": "无大病成员"}])
    h = household(tree["village_a1"], income="9000", people=2,
                  members=[adult(), adult(Relation.SPOUSE, "2", health=Health.SERIOUS)])
    leader = factories.user("leader_zhao", Role.LEADER, tree["county"])
    url = reverse("household_detail", args=[h.pk])
    for user, sees in ((county_user, True), (leader, False)):
        client = Client()
        client.force_login(user)
        text = client.get(url).content.decode()
        assert "无大病成员" in text  # the criterion's name, chosen by the county
        assert ("有成员患大病：是（应为“否”）：不符合" in text) is sees
        assert ("—（无权查看）" in text) is not sees
