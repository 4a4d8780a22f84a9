"""项目资金预警 (issue 16 item 4): each alert found with its owner and deadline, thresholds from ProjectRule
(most specific area wins), scope, and the page's counts per child area linking to the items."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import Role
from fupin.projects import alerts
from fupin.projects import services_disclosures as svc
from fupin.projects.models import (
    DisclosureKind,
    NegativeUse,
    ProjectRule,
    SubsidyBatch,
)
from fupin.projects.rules import BatchStatus, Stage
from tests import factories

from . import pub16_world as w

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 12, 1)


@pytest.fixture
def world(tree):
    data = w.build(tree)
    a1, a2 = data["allocations"]
    w.pay(a1, "200000.00", D(2025, 6, 1))  # a1 fully paid: not stuck
    # a2 (乙乡, 100,000) unpaid since 2025-03-02: stuck at the township
    data["late"] = w.project(tree["village_a2"], "XM-A2-01", stage=Stage.IMPLEMENTING, lead=data["lead"],
                             ends_on=D(2025, 9, 30))
    data["done"] = w.project(tree["village_a2"], "XM-A2-02", stage=Stage.IMPLEMENTING, ends_on=D(2025, 11, 30),
                             finished_on=D(2025, 10, 1))
    a3 = w.allocate(data["document"], data["late"], "50000.00", D(2025, 11, 25))  # recent: not yet due anywhere
    bad = w.pay(a3, "1000.00", D(2025, 11, 26), purpose="购买办公用车一辆")
    NegativeUse.objects.create(name="购置交通工具", keywords="办公用车\n小汽车")
    SubsidyBatch.objects.create(project=data["late"], allocation=a3, area=tree["township_a"], title="2025年甲二村养殖补助",
                                status=BatchStatus.DRAFT, total=Decimal("6000.00"), lines_count=3,
                                drawn_on=D(2025, 10, 1))
    data["bad_payment"] = bad
    return data


def _keys(found):
    return {k: [i.subject for i in v] for k, v in found.items() if v}


def test_each_alert_with_owner_and_deadline(world, tree):
    found = alerts.report(user=world["county_user"], area=tree["county"], today=TODAY)
    stuck = found["stuck_funds"]
    assert [i.subject for i in stuck] == ["XM-B1-01 乙一村XM-B1-01产业路"]
    assert stuck[0].owner == "乙乡人民政府" and stuck[0].amount == Decimal("100000.00")
    assert stuck[0].deadline == D(2025, 3, 2) + datetime.timedelta(days=90) and stuck[0].extra["level"] == "township"
    late = found["behind_schedule"]
    assert [i.subject for i in late] == ["XM-A2-01 甲二村XM-A2-01产业路", "XM-B1-01 乙一村XM-B1-01产业路"]
    assert late[0].owner == "县农业局" and late[0].deadline == D(2025, 9, 30) and late[0].overdue == 62
    acceptance = {i.subject: i for i in found["acceptance_late"]}
    # XM-A2-02 finished 10-01 (+30 = 10-31); XM-A2-01 planned end 09-30 (+30); XM-B1-01 planned 10-31 (+30 = 11-30)
    assert acceptance["XM-A2-02 甲二村XM-A2-02产业路"].deadline == D(2025, 10, 31)
    assert len(acceptance) == 3
    assert [(i.subject, i.owner) for i in found["subsidy_unpaid"]] == [("2025年甲二村养殖补助", "甲乡人民政府")]
    # undisclosed: a1, a2 (March) are past 15 days; a3 (11-25) is not yet
    assert sorted(i.subject[:8] for i in found["undisclosed"]) == ["XM-A1-01", "XM-B1-01"]
    assert found["undisclosed"][0].owner == "罗平县扶贫办"
    neg = found["negative_use"]
    assert len(neg) == 1 and "办公用车" in neg[0].detail and neg[0].deadline == D(2025, 11, 26)


def test_disclosure_clears_undisclosed_and_rules_move_thresholds(world, tree):
    svc.publish(actor=None, kind=DisclosureKind.ALLOCATION, area=tree["county"], place="县政府网站",
                starts_on=D(2025, 3, 5), ends_on=D(2025, 3, 14), hotline="1", document=world["document"])
    found = alerts.report(user=world["county_user"], area=tree["county"], today=TODAY)
    assert found["undisclosed"] == []
    # 乙乡 gives itself 300 days before funds count as stuck; 甲二村 gives acceptance 90 days
    ProjectRule.objects.create(area=tree["township_b"], key="stuck_days", value=300)
    ProjectRule.objects.create(area=tree["village_a2"], key="acceptance_days", value=90)
    ProjectRule.objects.create(area=None, key="subsidy_days", value=90)
    found = alerts.report(user=world["county_user"], area=tree["county"], today=TODAY)
    assert found["stuck_funds"] == [] and found["subsidy_unpaid"] == []
    assert [i.subject[:8] for i in found["acceptance_late"]] == ["XM-B1-01"]


def test_scope_township_and_department(world, tree):
    township_b = alerts.report(user=world["township_b_user"], area=tree["township_b"], today=TODAY)
    assert _keys(township_b) == {"stuck_funds": ["XM-B1-01 乙一村XM-B1-01产业路"],
                                 "behind_schedule": ["XM-B1-01 乙一村XM-B1-01产业路"],
                                 "acceptance_late": ["XM-B1-01 乙一村XM-B1-01产业路"],
                                 "undisclosed": ["XM-B1-01 乙一村XM-B1-01产业路"]}
    if not hasattr(Role, "DEPARTMENT"):
        return
    from fupin.projects.models import DepartmentStaff

    staff = factories.user("dept16", Role.DEPARTMENT, tree["county"])
    DepartmentStaff.objects.create(user=staff, department=world["lead"])
    found = alerts.report(user=staff, area=tree["county"], today=TODAY)
    subjects = {s[:8] for items in _keys(found).values() for s in items}
    assert subjects == {"XM-A2-01", "XM-A1-01", "2025年甲二村"}  # the projects it leads (and their batch)


def test_page_counts_per_child_area_link_to_items(world, tree, settings):
    client = Client()
    client.force_login(world["county_user"])
    import time_machine

    with time_machine.travel(datetime.datetime(2025, 12, 1, 9, tzinfo=timezone.get_current_timezone()), tick=False):
        response = client.get("/projects/alerts/", {"area": tree["county"].code})
        assert response.status_code == 200
        lines = {line["area"].name: [c["n"] for c in line["cells"]] for line in response.context["lines"]}
        assert lines == {"甲乡": [0, 1, 2, 1, 1, 1], "乙乡": [1, 1, 1, 0, 1, 0]}
        html = response.content.decode()
        assert f'?area={tree["township_a"].code}&amp;alert=behind_schedule' in html
        items = client.get("/projects/alerts/", {"area": tree["township_a"].code, "alert": "behind_schedule"})
        assert [i.subject[:8] for i in items.context["items"]] == ["XM-A2-01"]
        assert "县农业局" in items.content.decode() and "2025-09-30" in items.content.decode()
        assert client.get("/projects/alerts/", {"area": "999999999999"}).status_code == 404
