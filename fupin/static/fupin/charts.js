/* Charts for the overview and household pages (Apache ECharts, vendored). */
(function () {
  "use strict";
  var palette = ["#1d4f91", "#c0392b", "#1e8449", "#d35400", "#8e44ad", "#138d75", "#b7791f", "#2e6fbf",
                 "#7f8c8d", "#16a085", "#e67e22", "#34495e"];
  var font = getComputedStyle(document.documentElement).fontFamily;
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.color = option.color || palette;
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var o = data("overview-data");
  if (o) {
    var L = o.labels;
    make("exits-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: [L.exited_people, L.returns], top: 0 },
      grid: { left: 60, right: 50, top: 36, bottom: 30 },
      xAxis: { type: "category", data: o.exits.years },
      yAxis: [{ type: "value", name: L.people }, { type: "value", name: L.households, splitLine: { show: false } }],
      series: [
        { name: L.exited_people, type: "bar", data: o.exits.people, barMaxWidth: 42, label: { show: true, position: "top" } },
        { name: L.returns, type: "line", yAxisIndex: 1, data: o.exits.returns, color: "#c0392b", smooth: true }
      ]
    });
    make("trend-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: [L.poor_people, L.incidence], top: 0 },
      grid: { left: 60, right: 50, top: 36, bottom: 30 },
      xAxis: { type: "category", data: o.trend.years },
      yAxis: [{ type: "value", name: L.people }, { type: "value", name: "%", splitLine: { show: false } }],
      series: [
        { name: L.poor_people, type: "bar", data: o.trend.people, barMaxWidth: 42, color: "#c0392b" },
        { name: L.incidence, type: "line", yAxisIndex: 1, data: o.trend.incidence, color: "#1d4f91",
          label: { show: true, formatter: function (p) { return p.value == null ? "" : p.value + "%"; } } }
      ]
    });
    make("incidence-chart", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      grid: { left: 110, right: 40, top: 10, bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: o.incidence.names, inverse: true },
      series: [{ type: "bar", data: o.incidence.values, barMaxWidth: 18,
                 label: { show: true, position: "right", formatter: function (p) { return p.value == null ? "" : p.value + "%"; } },
                 markLine: { symbol: "none", data: [{ xAxis: 2, name: "2%" }], lineStyle: { color: "#c0392b", type: "dashed" },
                             label: { formatter: L.threshold, position: "insideEndTop" } } }]
    });
    make("cause-chart", {
      tooltip: { trigger: "item", formatter: "{b}: {c} " + L.households + " ({d}%)" },
      series: [{ type: "pie", radius: ["38%", "66%"], center: ["50%", "52%"], data: o.causes,
                 label: { formatter: "{b}\n{d}%" } }]
    });
  }
  var h = data("income-data");
  if (h) {
    var HL = h.labels;
    make("income-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: [HL.income, HL.line], top: 0 },
      grid: { left: 60, right: 20, top: 36, bottom: 30 },
      xAxis: { type: "category", data: h.years },
      yAxis: { type: "value", name: HL.yuan },
      series: [
        { name: HL.income, type: "bar", data: h.income, barMaxWidth: 36, color: "#1d4f91" },
        { name: HL.line, type: "line", data: h.line, color: "#c0392b", step: "middle", lineStyle: { type: "dashed" } }
      ]
    });
  }
})();
