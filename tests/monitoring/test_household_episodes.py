"""The household's page lists its monitoring episodes (类别, 风险, dates found / enrolled / cleared, state, the
number of measures, a link to the object), scoped as the page; a monitoring case's page links back to its
monitoring object."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.monitoring import selectors_objects as selectors
from fupin.monitoring import services

from .mproc_helpers import clock, enrol, exited, found

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(village_user, township_a_user, county_user, tree):
    users = {"village": village_user, "township": township_a_user, "county": county_user}
    household = exited(tree["village_a1"])
    with clock("2026-03-02") as t:
        obj = found(village_user, household)
        case = enrol(users, obj, t, tree)
        for category in ("医疗救助", "临时救助"):
            services.measure_add(actor=village_user, obj=obj, sector="health", category=category,
                                 date=datetime.date.today(), amount=Decimal("800"))
    obj.refresh_from_db()
    return obj, case


def test_the_household_page_lists_its_monitoring_episodes(client, village_user, enrolled):
    obj, _case = enrolled
    client.force_login(village_user)
    response = client.get(reverse("household_detail", args=[obj.household_id]))
    text = response.content.decode()
    assert response.status_code == 200 and 'id="monitoring"' in text
    panel = text[text.index('id="monitoring"'):]
    panel = panel[:panel.index("</section>")]
    assert reverse("monitoring_object", args=[obj.pk]) in panel
    assert "脱贫不稳定户" in panel and "因病" in panel and "风险未消除" in panel
    assert obj.found_on.isoformat() in panel and obj.enrolled_on.isoformat() in panel
    assert "#measures\">2</a>" in panel


def test_a_household_never_monitored_says_so(client, village_user, tree):
    household = exited(tree["village_a1"])
    client.force_login(village_user)
    text = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "该户没有防返贫监测记录" in text


def test_the_episodes_are_scoped_as_the_household(township_b_user, enrolled):
    obj, _case = enrolled
    assert [o.pk for o in selectors.household_episodes(township_b_user, obj.household)] == []


def test_the_monitoring_case_page_links_back_to_its_object(client, village_user, township_b_user, enrolled):
    obj, case = enrolled
    client.force_login(village_user)
    text = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f'id="monitoring-object" href="{reverse("monitoring_object", args=[obj.pk])}"' in text
    assert selectors.object_of_case(township_b_user, case) is None
