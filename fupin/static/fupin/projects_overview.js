/* 项目资金概览 (issue 16): bars and lines in Apache ECharts (vendored); every bar and point opens its list. */
(function () {
  "use strict";
  var el = document.getElementById("projects-overview-data");
  if (!el || !window.echarts) return;
  var o = JSON.parse(el.textContent), L = o.labels;
  var font = getComputedStyle(document.documentElement).fontFamily;
  var narrow = window.innerWidth < 600;
  var palette = ["#1d4f91", "#c0392b", "#1e8449", "#d35400", "#8e44ad", "#138d75", "#b7791f", "#2e6fbf"];
  function make(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node, null, { renderer: "canvas" });
    option.color = option.color || palette;
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    // A bar or a point is a link: its datum carries the list's URL.
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
    chart.getZr().on("mousemove", function (e) { node.style.cursor = e.target ? "pointer" : "default"; });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // The units are in the legends and titles (no axis names: on a phone they ran into the legend).
  var grid = { left: 8, right: 16, top: narrow ? 56 : 36, bottom: 8, containLabel: true };
  var slanted = { interval: 0, rotate: narrow ? 45 : 15, width: narrow ? 64 : 120, overflow: "truncate" };
  make("po-stages", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 28, top: 8, bottom: 8, containLabel: true },  // the title says 个
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: o.stages.map(function (s) { return s.name; }) },
    series: [{ type: "bar", name: L.projects, data: o.stages, barMaxWidth: 16, color: "#1d4f91",
               label: { show: true, position: "right" } }]
  });
  make("po-categories", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [L.projects, L.budget], top: 0 },
    grid: { left: narrow ? 20 : 28, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: o.categories.map(function (c) { return c.name; }), axisLabel: slanted },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
    series: [
      { type: "bar", name: L.projects, data: o.categories, barMaxWidth: 36, label: { show: true, position: "top" } },
      { type: "line", name: L.budget, yAxisIndex: 1, color: "#d35400",
        data: o.categories.map(function (c) { return { value: c.budget, url: c.url }; }) }
    ]
  });
  make("po-channels", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: o.channels.levels.map(function (l) { return l.name; }), top: 0 },
    grid: { left: narrow ? 20 : 28, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: o.channels.names, axisLabel: slanted },
    yAxis: { type: "value" },
    series: o.channels.levels.map(function (l) {
      return { type: "bar", stack: "level", name: l.name, data: l.values, barMaxWidth: 42 };
    })
  });
  var Y = o.years;
  make("po-years", {
    tooltip: { trigger: "axis" },
    legend: { data: [L.projects, L.allocated, L.paid], top: 0 },
    grid: grid,
    xAxis: { type: "category", data: Y.names },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
    series: [
      { type: "bar", name: L.projects, data: Y.projects.map(function (d, i) {
          return Y.names[i] === Y.selected ? { value: d.value, url: d.url, itemStyle: { color: "#c0392b" } } : d;
        }), barMaxWidth: 28, color: "#9db4d3" },
      // Straight segments: money per year is never negative, a smoothed curve could dip below zero.
      { type: "line", name: L.allocated, yAxisIndex: 1, data: Y.allocated, color: "#1d4f91", smooth: false },
      { type: "line", name: L.paid, yAxisIndex: 1, data: Y.paid, color: "#1e8449", smooth: false }
    ]
  });
  make("po-areas", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [L.allocated, L.paid], top: 0 },
    grid: { left: 8, right: 48, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: "value", splitNumber: narrow ? 3 : 5 },
    yAxis: { type: "category", inverse: true, data: o.areas.names },
    series: [
      { type: "bar", name: L.allocated, data: o.areas.allocated, barMaxWidth: 12, color: "#1d4f91" },
      { type: "bar", name: L.paid, data: o.areas.paid, barMaxWidth: 12, color: "#1e8449" }
    ]
  });
})();
