"""五个清楚: the household's people, causes, measures, exit path and results on one page; outsiders 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fupin.registry.choices import Cause, Status

from . import adjust_helpers as make

pytestmark = pytest.mark.django_db


def test_the_five_clear_page_shows_what_the_records_say(client, tree, county_user, township_b_user):
    household = make.exit_ready(county_user, tree["village_a1"])
    household.other_causes = [Cause.DISABILITY]
    household.save(update_fields=["other_causes"])
    client.force_login(county_user)
    url = reverse("household_five_clear", args=[household.pk])
    text = client.get(url).content.decode()
    for heading in ("贫困人口清楚", "致贫原因清楚", "帮扶措施清楚", "脱贫路径清楚", "脱贫成效清楚"):
        assert heading in text
    head = household.members.get(relation="head")
    assert head.name in text and "因病" in text and "因残" in text
    assert "暂无记录" in text  # no pairing
    assert "可退出" in text and "2019" in text  # the exit check of the latest year, each criterion
    assert 'id="income-chart"' in text and str(Status(household.status).label) in text
    assert url in client.get(reverse("household_detail", args=[household.pk])).content.decode()
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404
