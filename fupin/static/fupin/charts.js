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
    var narrow = function () { return window.innerWidth < 600; };
    make("exits-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: [L.exited_people, L.returns], top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: o.exits.years },
      yAxis: [{ type: "value", name: L.people, min: 0 },
              { type: "value", name: L.households, min: 0, minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: L.exited_people, type: "bar", data: o.exits.people, barMaxWidth: 42, label: { show: true, position: "top" } },
        // Straight segments: a smoothed curve between 0 and a peak dips below zero, which a count never does.
        { name: L.returns, type: "line", yAxisIndex: 1, data: o.exits.returns, color: "#c0392b", smooth: false }
      ]
    });
    make("trend-chart", {
      tooltip: { trigger: "axis" },
      legend: { data: [L.poor_people, L.incidence], top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: o.trend.years },
      yAxis: [{ type: "value", name: L.people, min: 0 }, { type: "value", name: "%", min: 0, splitLine: { show: false } }],
      series: [
        { name: L.poor_people, type: "bar", data: o.trend.people, barMaxWidth: 42, color: "#c0392b" },
        { name: L.incidence, type: "line", yAxisIndex: 1, data: o.trend.incidence, color: "#1d4f91",
          label: { show: true, formatter: function (p) { return p.value == null ? "" : p.value + "%"; } } }
      ]
    });
    var A = o.areas;
    if (A && A.kind) {
      var isRate = A.kind === "incidence";
      var fmt = function (v) { return v == null ? "—" : (isRate ? v + "%" : v.toLocaleString()); };
      var bars = function (name, values, color, withLine) {
        var s = { name: name, type: "bar", data: values, barMaxWidth: 14, barGap: "20%", color: color,
                  label: { show: true, position: "right", fontSize: 11,
                           formatter: function (p) { return p.value == null ? "" : fmt(p.value); } } };
        if (withLine) {
          // The 2% exit threshold: a dashed line, named in the legend above the grid (a label on the
          // line itself was drawn over the bars).
          s.markLine = { symbol: "none", silent: true, label: { show: false },
                         lineStyle: { color: "#c0392b", type: "dashed", width: 1.5 }, data: [{ xAxis: 2 }] };
        }
        return s;
      };
      var top = Math.max.apply(null, A.current.concat(A.baseline).map(function (v) { return v || 0; }));
      var series = [], legend = [];
      if (A.baseline.length) {
        series.push(bars(A.baseline_label, A.baseline, "#9db4d3", false));
        legend.push(A.baseline_label);
      }
      series.push(bars(A.current_label, A.current, isRate ? "#1d4f91" : "#c0392b", isRate));
      legend.push(A.current_label);
      if (isRate) {
        // An empty series that only puts "退出标准 2%" with a dashed red mark in the legend.
        series.push({ name: L.threshold, type: "line", data: [], color: "#c0392b", lineStyle: { type: "dashed" },
                      symbol: "none" });
        legend.push(L.threshold);
      }
      make("areas-chart", {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
        legend: { data: legend, top: 0 },
        // containLabel keeps long names inside; the right margin leaves room for the value labels.
        grid: { left: 4, right: narrow() ? 56 : 64, top: 32, bottom: 4, containLabel: true },
        xAxis: { type: "value", min: 0, max: isRate && top < 2.5 ? 2.5 : null,  // the 2% line always in view
                 axisLabel: { formatter: isRate ? "{value}%" : "{value}", hideOverlap: true } },
        yAxis: { type: "category", data: A.names, inverse: true,
                 axisLabel: { width: narrow() ? 84 : 140, overflow: "truncate" } },
        series: series
      });
    }
    // On a phone the labels around the ring would be cut at the edges: a legend below instead.
    make("cause-chart", narrow() ? {
      tooltip: { trigger: "item", formatter: "{b}: {c} " + L.households + " ({d}%)" },
      legend: { type: "plain", bottom: 0, left: "center", itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 },
                formatter: function (name) {
                  var total = 0, v = 0;
                  o.causes.forEach(function (c) { total += c.value; if (c.name === name) v = c.value; });
                  return name + " " + (total ? (v / total * 100).toFixed(1) : 0) + "%";
                } },
      series: [{ type: "pie", radius: ["32%", "60%"], center: ["50%", "36%"], data: o.causes, label: { show: false } }]
    } : {
      tooltip: { trigger: "item", formatter: "{b}: {c} " + L.households + " ({d}%)" },
      series: [{ type: "pie", radius: ["38%", "66%"], center: ["50%", "52%"], data: o.causes,
                 label: { formatter: "{b}\n{d}%" } }]
    });
  }
  var x = data("exitcheck-data");  // 退出核查: households failing each criterion
  if (x) {
    make("exitcheck-chart", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 4, right: 48, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: "value", min: 0, minInterval: 1, axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: x.labels, inverse: true,
               axisLabel: { width: window.innerWidth < 600 ? 120 : 200, overflow: "truncate" } },
      series: [{ name: x.title, type: "bar", data: x.values, barMaxWidth: 16, color: "#c0392b",
                 label: { show: true, position: "right" } }]
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
