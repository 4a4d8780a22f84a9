"""Every dashboard figure is the count of the household list filtered by its key: the same number on the
dashboard, in the list (selector and page), in the statistical tables and in /api/stats/."""

import datetime
import io
import re

import pytest
from django.urls import reverse

from fupin.monitoring import figures
from fupin.monitoring.tables import workbook
from fupin.registry import selectors
from fupin.registry.selectors import HouseholdFilters

from . import dash_world

D = datetime.date


@pytest.fixture
def world(tree, county_user):
    return dash_world.build(tree, county_user)


def _list_count(user, area, key, on):
    return selectors.household_list(user=user, filters=HouseholdFilters(area=area, status="all", figure=key, on=on)).count()


def _every_figure(user, area, on, children):
    data = figures.dashboard(user=user, area=area, on=on, children=children)
    figs = [(area, f) for f in figures.all_figures(data)]
    for row in data["children"]:
        figs += [(row["area"], row[name]) for name in ("households", "poor", "exited", "at_risk")]
        figs += [(row["area"], f) for f in row["status"]]
    return data, figs


@pytest.mark.parametrize("on", [None, D(2019, 12, 31), D(2023, 6, 30)], ids=["today", "2019", "mid2023"])
def test_every_figure_of_the_county_dashboard_equals_the_list_count_of_its_key(world, tree, county_user, on):
    children = [tree["township_a"], tree["township_b"]]
    data, figs = _every_figure(county_user, tree["county"], on, children)
    assert len(figs) > 60
    for area, fig in figs:
        listed = selectors.household_list(user=county_user, filters=HouseholdFilters(
            area=area, status="all", figure=fig.key, on=on))
        assert fig.households == listed.count(), (area.name, fig.key, fig.label)
        assert fig.people == figures.figure_people(fig.key, on, listed), (area.name, fig.key, fig.label)
    assert data["headline"]["households"].households > 0


def test_the_county_figures_are_not_all_zero_and_add_up(world, tree, county_user):
    data = figures.dashboard(user=county_user, area=tree["county"])
    h = data["headline"]
    assert (h["households"].households, h["households"].people) == (6, 12)  # cancelled left out; son removed
    assert (h["poor"].households, h["exited"].households) == (3, 3)
    assert (h["at_risk"].households, h["cleared"].households) == (1, 1)
    hh = world["households"]  # monitoring figures count the households' people too
    assert (h["at_risk"].people, h["cleared"].people) == (hh["unstable"].member_count, hh["edge"].member_count)
    assert h["paired"].households == 1
    assert sum(f.households for f in data["status"]) == 7  # 注销 included in the status breakdown
    by_year = {e["year"]: e for e in data["exits"]}
    assert by_year[2016]["exits"].households == 1 and by_year[2016]["target_households"] == 2
    assert by_year[2018]["returns"].households == 1 and by_year[2018]["return_cap"] == 1
    assert data["income"]["year"] == 2024
    assert {f.key: f.households for f in data["gaps"]} == {
        "gap:2024:food": 1, "gap:2024:education": 0, "gap:2024:medical": 1, "gap:2024:housing": 0, "gap:2024:water": 1}


def test_the_list_page_opened_from_a_figure_shows_the_same_count_and_says_what_it_is(world, tree, county_user, client):
    client.force_login(county_user)
    on = D(2019, 12, 31)
    data = figures.dashboard(user=county_user, area=tree["county"], on=on)
    fig = data["headline"]["poor"]
    response = client.get(reverse("household_list"), {"area": tree["county"].code, "fig": fig.key,
                                                      "on": on.isoformat(), "status": "all"})
    text = response.content.decode()
    assert re.search(rf"共 {fig.households} 户 · {fig.people} 人", text)
    assert "截至 2019-12-31" in text


def test_an_unknown_figure_key_is_ignored_by_the_list(world, tree, county_user, client):
    client.force_login(county_user)
    response = client.get(reverse("household_list"), {"fig": "status:nonsense", "status": "all"})
    assert re.search(r"共 7 户", response.content.decode())


def test_the_api_gives_the_dashboard_numbers(world, tree, county_user, client):
    client.force_login(county_user)
    on = D(2019, 12, 31)
    data = figures.dashboard(user=county_user, area=tree["county"], on=on)
    body = client.get("/api/stats/", {"area": tree["county"].code, "date": on.isoformat()}).json()
    assert body["date"] == "2019-12-31"
    assert body["households"]["households"] == data["headline"]["households"].households
    assert body["poor"]["people"] == data["headline"]["poor"].people
    assert {s["key"]: s["households"] for s in body["by_status"]} == {f.key: f.households for f in data["status"]}
    for row in body["years"]:
        assert row["exit_households"] == _list_count(county_user, tree["county"], f"exit:{row['year']}", on)


def test_the_tables_give_the_dashboard_numbers(world, tree, county_user):
    from python_calamine import CalamineWorkbook

    content = workbook(user=county_user, area=tree["county"], year=2019)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["贫困户和人口", "历年脱贫", "监测对象", "帮扶措施"]
    rows = book.get_sheet_by_index(0).to_python()
    head = rows[3]
    total = next(r for r in rows if str(r[0]).startswith("合计"))
    on = D(2019, 12, 31)
    assert int(total[head.index("在册户")]) == _list_count(county_user, tree["county"], "reg", on)
    township_a = next(r for r in rows if r[0] == "甲乡")
    assert int(township_a[head.index("已脱贫(享受政策)（户）")]) == _list_count(
        county_user, tree["township_a"], "status:exited", on)
    exits = {int(r[0]): r for r in book.get_sheet_by_index(1).to_python()[4:]}
    assert int(exits[2016][1]) == 1 and float(exits[2016][3]) == 2.0
    measures = book.get_sheet_by_index(3).to_python()
    civil = next(r for r in measures if r[0] == "民政")
    assert int(civil[1]) == 0  # the measure is of 2023, the table of 2019
    civil_2023 = next(r for r in CalamineWorkbook.from_filelike(io.BytesIO(
        workbook(user=county_user, area=tree["county"], year=2023))).get_sheet_by_index(3).to_python() if r[0] == "民政")
    assert int(civil_2023[1]) == 1 and int(civil_2023[2]) == _list_count(county_user, tree["county"], "measure:civil:2023", None)


def test_monitoring_people_are_the_same_on_the_dashboard_in_the_api_and_in_the_tables(world, tree, county_user,
                                                                                       client):
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    data = figures.dashboard(user=county_user, area=tree["county"])
    at_risk = data["headline"]["at_risk"]
    assert at_risk.people == world["households"]["unstable"].member_count > 0
    client.force_login(county_user)
    body = client.get("/api/stats/", {"area": tree["county"].code}).json()
    assert body["monitoring_at_risk"] == {"key": "mon:any:at_risk", "label": at_risk.label,
                                          "households": at_risk.households, "people": at_risk.people}
    unstable = next(f for f in body["monitoring_by_kind"] if f["key"] == "mon:unstable:at_risk")
    assert (unstable["households"], unstable["people"]) == (1, at_risk.people)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook(
        user=county_user, area=tree["county"], year=timezone.localdate().year))).get_sheet_by_index(2).to_python()
    head = sheet[3]
    total = next(r for r in sheet if str(r[0]).startswith("合计"))
    assert int(total[head.index("风险未消除（人）")]) == at_risk.people
