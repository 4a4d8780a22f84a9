"""项目资金概览 (/projects/overview/, demo16): the figures are the scoped sums, exact to the fen; each figure
links to the project list with the area, year and stage (or category, channel); a child area's row drills
down; the year narrows everything but the per-year figure. Scope itself: tests/scope/test_permission_matrix.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fupin.accounts.models import Role
from fupin.assistance.models import HelpingUnit, UnitKind
from fupin.projects.models import Allocation, FundDocument, Payment, Project
from fupin.projects.rules import Category, Channel, Level, PaymentKind, Stage
from fupin.projects.selectors_overview import overview
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    areas = factories.area_tree()
    county = areas["county"]
    unit = HelpingUnit.objects.create(name="县交通运输局", kind=UnitKind.DEPARTMENT, area=county)
    doc = FundDocument.objects.create(area=county, number="财农〔2024〕1号", title="测试", level=Level.CENTRAL,
                                      channel=Channel.SPECIAL, purpose="测试", year=2024, amount=Decimal("1000000.00"),
                                      issued_on=datetime.date(2024, 1, 10))
    doc2 = FundDocument.objects.create(area=county, number="云财农〔2024〕2号", title="测试", level=Level.PROVINCE,
                                       channel=Channel.INTEGRATED, purpose="测试", year=2024,
                                       amount=Decimal("500000.00"), issued_on=datetime.date(2024, 1, 10))
    a1 = Project.objects.create(area=areas["village_a1"], code="P1", name="甲一村道路", category=Category.ROADS, year=2024,
                                lead=unit, stage=Stage.IMPLEMENTING, budget=Decimal("300000.01"))
    b1 = Project.objects.create(area=areas["village_b1"], code="P2", name="乙一村饮水", category=Category.WATER, year=2023,
                                stage=Stage.OPERATING, budget=Decimal("200000.00"))
    alloc = Allocation.objects.create(document=doc, project=a1, area=county, amount=Decimal("200000.01"),
                                      allocated_on=datetime.date(2024, 3, 1))
    Allocation.objects.create(document=doc2, project=a1, area=areas["township_a"], amount=Decimal("100000.00"),
                              allocated_on=datetime.date(2024, 3, 1))
    alloc_b = Allocation.objects.create(document=doc, project=b1, area=county, amount=Decimal("200000.00"),
                                        allocated_on=datetime.date(2023, 3, 1))
    Payment.objects.create(allocation=alloc, project=a1, kind=PaymentKind.OTHER, amount=Decimal("50000.01"),
                           paid_on=datetime.date(2024, 4, 1), payee="某公司", purpose="进度款")
    Payment.objects.create(allocation=alloc_b, project=b1, kind=PaymentKind.OTHER, amount=Decimal("199999.99"),
                           paid_on=datetime.date(2023, 9, 1), payee="某公司", purpose="结算款")
    county_user = factories.user("county_o", Role.COUNTY, county)
    return areas, county_user


def test_the_figures_are_the_exact_scoped_sums(ledger):
    areas, user = ledger
    county = areas["county"]
    children = [areas["township_a"], areas["township_b"]]
    data = overview(user=user, root=county, children=children, year=None, last_year=2026)
    t = data["totals"]
    assert (t["projects"], t["budget"], t["allocated"], t["paid"]) == (
        2, Decimal("500000.01"), Decimal("500000.01"), Decimal("250000.00"))
    rows = {r["area"].code: r for r in data["areas"]}
    assert rows[areas["township_a"].code]["allocated"] == Decimal("300000.01")
    assert rows[areas["township_b"].code]["paid"] == Decimal("199999.99")
    channels = {c["key"]: c for c in data["channels"]}
    assert channels[Channel.SPECIAL]["levels"][Level.CENTRAL] == Decimal("400000.01")
    assert channels[Channel.INTEGRATED]["total"] == Decimal("100000.00")
    years = {r["year"]: r for r in data["years"]}
    assert years[2015]["n"] == 0 and years[2024]["n"] == 1 and years[2023]["paid"] == Decimal("199999.99")
    assert max(years) == 2026
    one = overview(user=user, root=county, children=children, year=2024, last_year=2026)
    assert one["totals"]["projects"] == 1 and one["totals"]["paid"] == Decimal("50000.01")
    assert {r["year"] for r in one["years"] if r["n"]} == {2023, 2024}  # the per-year figure keeps every year
    # a township sees its subtree only
    township = factories.user("township_o", Role.TOWNSHIP, areas["township_a"])
    mine = overview(user=township, root=areas["township_a"], children=[areas["village_a1"], areas["village_a2"]],
                    year=None, last_year=2026)
    assert mine["totals"]["projects"] == 1 and mine["totals"]["allocated"] == Decimal("300000.01")


def test_the_page_links_each_figure_to_the_list(ledger, client):
    areas, user = ledger
    client.force_login(user)
    response = client.get(reverse("projects_overview:index"), {"area": areas["county"].code, "year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    code = areas["county"].code
    assert f"/projects/?area={code}&amp;year=2024&amp;stage=implementing" in html
    assert f"/projects/?area={code}&amp;year=2024&amp;category=roads" in html
    assert f"?area={areas['township_a'].code}&amp;year=2024" in html  # drill down to the township
    assert "300,000.01" in html and "项目资金" in html  # the stage table's exact sum; the menu entry
    assert "projects-overview-data" in html and "vendor/echarts/echarts.min.js" in html
    cadre = factories.user("cadre_o", Role.CADRE, areas["village_a1"])
    client.force_login(cadre)
    assert client.get(reverse("projects_overview:index")).status_code == 403
    assert reverse("projects_overview:index") not in client.get(reverse("home")).content.decode()


@pytest.fixture
def moved(ledger):
    """Money of the 2024 project that moved in another year: 2025's allocation and payment of a 2024 project."""
    areas, user = ledger
    a1 = Project.objects.get(code="P1")
    doc = FundDocument.objects.get(number="财农〔2024〕1号")
    late = Allocation.objects.create(document=doc, project=a1, area=areas["county"], amount=Decimal("1000.00"),
                                     allocated_on=datetime.date(2025, 2, 1))
    Payment.objects.create(allocation=late, project=a1, kind=PaymentKind.OTHER, amount=Decimal("400.00"),
                           paid_on=datetime.date(2025, 3, 1), payee="某公司", purpose="尾款")
    return ledger


def test_money_by_its_own_year_when_asked(moved):
    """按资金年度: an allocation counts in its date's year, a payment in its payment date's year; projects still by
    plan year. The default (按项目年度) puts all the 2024 project's money in 2024."""
    areas, user = moved
    county, children = areas["county"], [areas["township_a"], areas["township_b"]]
    plan = overview(user=user, root=county, children=children, year=2024, last_year=2026)
    assert plan["basis"] == "project"
    assert (plan["totals"]["allocated"], plan["totals"]["paid"]) == (Decimal("301000.01"), Decimal("50400.01"))
    funds = overview(user=user, root=county, children=children, year=2025, last_year=2026, basis="funds")
    assert funds["basis"] == "funds" and funds["totals"]["projects"] == 0  # no project planned for 2025
    assert (funds["totals"]["allocated"], funds["totals"]["paid"]) == (Decimal("1000.00"), Decimal("400.00"))
    assert {c["key"]: c["total"] for c in funds["channels"]} == {Channel.SPECIAL: Decimal("1000.00")}
    assert {r["area"].code: r["allocated"] for r in funds["areas"]}[areas["township_a"].code] == Decimal("1000.00")
    years = {r["year"]: r for r in overview(user=user, root=county, children=children, year=None, last_year=2026,
                                            basis="funds")["years"]}
    assert (years[2025]["n"], years[2025]["allocated"], years[2025]["paid"]) == (0, Decimal("1000.00"), Decimal("400.00"))
    assert (years[2024]["n"], years[2024]["allocated"], years[2024]["paid"]) == (1, Decimal("300000.01"), Decimal("50000.01"))
    by_plan = {r["year"]: r for r in plan["years"]}
    assert by_plan[2024]["allocated"] == Decimal("301000.01") and by_plan[2025]["allocated"] == 0


def test_the_page_says_which_year_it_counts_and_keeps_the_choice(moved, client):
    areas, user = moved
    client.force_login(user)
    url = reverse("projects_overview:index")
    code = areas["county"].code
    html = client.get(url, {"area": code, "year": "2024"}).content.decode()
    assert '<option value="project" selected>按项目年度</option>' in html and "2024 年度项目" in html
    assert "按项目的计划年度统计项目及其全部资金" in html and "301,000.01" in html
    html = client.get(url, {"area": code, "year": "2025", "basis": "funds"}).content.decode()
    assert '<option value="funds" selected>按资金年度</option>' in html and "2025 年资金" in html
    assert "分配按分配日期、支付按支付日期" in html and "历年（项目按计划年度，资金按资金年度）" in html
    assert "1,000.00" in html and "2025 年内分配" in html
    assert f"?area={areas['township_a'].code}&amp;year=2025&amp;basis=funds" in html  # drill down keeps the basis
    assert f"/projects/?area={code}&amp;channel=special" in html  # the list has no money year: no year on it
    assert client.get(url, {"area": code, "basis": "nonsense"}).context["basis"] == "project"


def test_both_bases_cost_the_same_queries_whatever_the_rows(moved, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    areas, user = moved
    client.force_login(user)
    url = reverse("projects_overview:index")

    def cost(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"area": areas["county"].code, **params}).status_code == 200
        return len(queries)

    cost()  # the first request of the session reads what later ones find cached
    before = [cost(), cost(basis="funds"), cost(year="2024"), cost(year="2025", basis="funds")]
    assert len(set(before)) == 1
    doc = FundDocument.objects.get(number="财农〔2024〕1号")
    for i in range(6):  # more projects, allocations and payments over more years
        p = Project.objects.create(area=areas["village_a2"], code=f"PX{i}", name=f"项目{i}", category=Category.WATER,
                                   year=2019 + i, stage=Stage.OPERATING, budget=Decimal("1000.00"))
        a = Allocation.objects.create(document=doc, project=p, area=areas["county"], amount=Decimal("100.00"),
                                      allocated_on=datetime.date(2020 + i, 1, 1))
        Payment.objects.create(allocation=a, project=p, kind=PaymentKind.OTHER, amount=Decimal("10.00"),
                               paid_on=datetime.date(2021 + i, 1, 1), payee="某公司", purpose="款")
    assert [cost(), cost(basis="funds"), cost(year="2024"), cost(year="2025", basis="funds")] == before
