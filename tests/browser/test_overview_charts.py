"""The overview's charts as ECharts draws them (issue 12, item 8), at 1400×900 and on a 390×844 phone.

Before: the 返贫 line was smoothed (the curve between 0 and a peak dipped below zero); the 2% threshold's
label was drawn on the line, over the bars; long names were cut at a fixed 110 px margin and the value
labels ran past the right edge. Reads the option each chart was given, and where the bars end."""

from __future__ import annotations

import datetime

import pytest

from tests import factories
from tests.browser.test_walkthrough import page as page  # noqa: F401 - the fixture
from tests.browser.test_walkthrough import sign_in, sync_api  # skips where chromium is absent

pytestmark = pytest.mark.browser


@pytest.fixture
def county(transactional_db):
    from fupin.registry import services
    from fupin.registry.choices import Status

    tree = factories.area_tree()
    long_name = factories.area("530324102000", "鲁布革布依族苗族自治乡（长名称测试）")
    village = factories.area("530324102001", "长名村")
    for area, population in ((tree["county"], 1000), (tree["township_a"], 300), (tree["township_b"], 40),
                             (long_name, 200)):
        area.rural_population = population
        area.save()
    officer = factories.user("county_officer", "county", tree["county"], display_name="县扶贫办")
    for village, exit_year in ((tree["village_a1"], 2016), (tree["village_b1"], 2017), (tree["village_a2"], None)):
        h = factories.household(village, actor=officer, date=datetime.date(2014, 5, 1))
        if exit_year:
            services.household_status_transition(actor=officer, household=h, to_status=Status.EXITED, reason="达标",
                                                 date=datetime.date(exit_year, 11, 1), procedure="exit")
    for _ in range(3):
        factories.household(village, actor=officer, date=datetime.date(2015, 5, 1))
    return tree


OPTIONS = """() => {
  const get = (id) => echarts.getInstanceByDom(document.getElementById(id));
  const exits = get("exits-chart").getOption(), areas = get("areas-chart");
  const a = areas.getOption();
  const width = areas.getWidth();
  // Where each bar ends, in pixels: its label (at most ~56 px for "15.85%") must fit inside the chart.
  const ends = a.series.filter((s) => s.type === "bar").flatMap((s) =>
      s.data.map((v) => areas.convertToPixel({xAxisIndex: 0}, v || 0)));
  return {
    returns: exits.series[1].smooth, exitsMin: exits.yAxis.map((y) => y.min),
    markLabel: a.series.find((s) => s.markLine).markLine.label.show,
    legend: a.legend[0].data, contain: a.grid[0].containLabel, overflow: a.yAxis[0].axisLabel.overflow,
    names: a.yAxis[0].data, width, ends, box: document.getElementById("areas-chart").clientWidth,
    card: document.getElementById("areas-chart").parentElement.clientWidth,
  };
}"""


@pytest.mark.parametrize("viewport", [{"width": 1400, "height": 900}, {"width": 390, "height": 844}])
def test_the_overview_charts_keep_lines_above_zero_and_labels_inside(live_server, county, page, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, "county_officer")
    page.goto(f"{live_server.url}/overview/")
    sync_api.expect(page.locator("#areas-chart canvas")).to_have_count(1)
    o = page.evaluate(OPTIONS)
    assert o["returns"] is False and o["exitsMin"] == [0, 0]
    assert o["markLabel"] is False and "退出标准 2%" in o["legend"]  # the threshold named in the legend
    assert o["legend"][:2] == ["2014 年末", "当前"]
    assert o["contain"] is True and o["overflow"] == "truncate"
    assert "鲁布革布依族苗族自治乡（长名称测试）" in o["names"]
    assert max(o["ends"]) + 56 <= o["width"], o
    assert o["width"] <= o["box"] <= o["card"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
