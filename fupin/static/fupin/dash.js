/* The dashboards (fupin.monitoring.views_dash): ECharts (vendored); every bar, slice and point opens the
   household list behind it (its data item carries the list's URL). */
(function () {
  "use strict";
  var el = document.getElementById("dash-data");
  if (!el) return;
  var o = JSON.parse(el.textContent), L = o.labels;
  var palette = ["#1d4f91", "#c0392b", "#1e8449", "#d35400", "#8e44ad", "#138d75", "#b7791f", "#2e6fbf",
                 "#7f8c8d", "#16a085", "#e67e22", "#34495e"];
  var font = getComputedStyle(document.documentElement).fontFamily;
  var narrow = window.innerWidth < 600;
  var charts = [];
  function make(id, option) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) return;
    var chart = echarts.init(node, null, { renderer: "canvas" });
    option.color = option.color || palette;
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (p) {
      var url = p.data && p.data.url;
      if (!url && option.urls && p.componentType === "yAxis") url = option.urls[option.yAxis.data.indexOf(p.value)];
      if (url) window.location.href = url;
    });
    charts.push(chart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
  document.querySelectorAll(".kpi .link[data-href]").forEach(function (s) {
    s.addEventListener("click", function (e) { e.preventDefault(); e.stopPropagation(); window.location.href = s.getAttribute("data-href"); });
  });
  var grid = { left: 8, right: 12, top: 40, bottom: 8, containLabel: true };
  var e = o.exits;
  make("dash-exits", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: grid,
    xAxis: { type: "category", data: e.years },
    yAxis: [{ type: "value", name: L.households, min: 0, minInterval: 1 }],
    series: [
      { name: L.exits, type: "bar", data: e.households, barMaxWidth: 36 },
      { name: L.target, type: "line", data: e.target_households, symbol: "diamond", symbolSize: 9,
        lineStyle: { type: "dashed" }, color: "#b7791f", connectNulls: false },
      { name: L.returns, type: "bar", data: e.returns, barMaxWidth: 36, color: "#c0392b" }
    ]
  });
  make("dash-kinds", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: grid,
    xAxis: { type: "category", data: o.kinds.names, axisLabel: { interval: 0 } },
    yAxis: { type: "value", name: L.households, minInterval: 1 },
    series: [
      { name: L.at_risk, type: "bar", stack: "k", data: o.kinds.at_risk, color: "#d35400", barMaxWidth: 56,
        label: { show: true, position: "inside" } },
      { name: L.cleared, type: "bar", stack: "k", data: o.kinds.cleared, color: "#1e8449", barMaxWidth: 56,
        label: { show: true, position: "inside" } }
    ]
  });
  make("dash-risks", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: grid,
    yAxis: { type: "category", data: o.risks.names },
    xAxis: { type: "value", minInterval: 1 },
    series: [
      { name: L.at_risk, type: "bar", stack: "r", data: o.risks.at_risk, color: "#d35400" },
      { name: L.cleared, type: "bar", stack: "r", data: o.risks.cleared, color: "#1e8449" }
    ]
  });
  function pie(id, data, rose) {
    make(id, {
      tooltip: { trigger: "item", formatter: "{b}：{c} " + L.households + "（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: narrow ? ["30%", "58%"] : ["35%", "65%"], center: ["50%", "45%"],
                 roseType: rose ? "radius" : false, data: data,
                 label: { formatter: "{b}\n{c}" }, avoidLabelOverlap: true }]
    });
  }
  pie("dash-status", o.status);
  make("dash-attrs", {
    tooltip: { trigger: "item", formatter: "{b}：{c} " + L.households + "（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [
      { type: "pie", radius: ["0%", "38%"], center: ["50%", "45%"], data: o.attributes, label: { position: "inner", formatter: "{c}" } },
      { type: "pie", radius: ["50%", "66%"], center: ["50%", "45%"], data: o.coverage, color: ["#1e8449", "#c0392b"],
        label: { formatter: "{b}\n{c}" } }
    ]
  });
  make("dash-causes", {
    tooltip: { trigger: "item" },
    grid: grid,
    yAxis: { type: "category", data: o.causes.map(function (c) { return c.name; }) },
    xAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: o.causes, label: { show: true, position: "right" }, color: "#1d4f91" }]
  });
  make("dash-income", {
    tooltip: { trigger: "item" },
    grid: grid,
    xAxis: { type: "category", data: o.income.bands.map(function (b) { return b.name; }), name: L.yuan,
             axisLabel: { interval: 0, rotate: narrow ? 40 : 0 } },
    yAxis: { type: "value", name: L.households, minInterval: 1 },
    series: [{ type: "bar", data: o.income.bands, barCategoryGap: "8%", color: "#138d75", label: { show: !narrow, position: "top" } }]
  });
  make("dash-growth", {
    tooltip: { trigger: "axis" },
    grid: grid,
    xAxis: { type: "category", data: o.income.growth_years },
    yAxis: { type: "value", name: L.yuan, min: 0 },
    series: [{ name: L.per_capita, type: "line", data: o.income.per_capita, smooth: false, areaStyle: { opacity: 0.12 },
               label: { show: !narrow, position: "top" } }]
  });
  make("dash-gaps", {
    tooltip: { trigger: "item" },
    grid: grid,
    xAxis: { type: "category", data: o.gaps.map(function (g) { return g.name; }), axisLabel: { interval: 0 } },
    yAxis: { type: "value", name: L.households, minInterval: 1 },
    series: [{ type: "bar", data: o.gaps, color: "#c0392b", barMaxWidth: 48, label: { show: true, position: "top" } }]
  });
  var c = o.children;
  if (c && c.names.length) {
    make("dash-children", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
      yAxis: { type: "category", data: c.names, inverse: true, triggerEvent: true },
      xAxis: { type: "value", name: L.people },
      urls: c.dashboards,
      series: [
        { name: L.poor, type: "bar", stack: "p", data: c.poor, color: "#c0392b" },
        { name: L.exited, type: "bar", stack: "p", data: c.exited, color: "#1e8449" }
      ]
    });
  }
})();
