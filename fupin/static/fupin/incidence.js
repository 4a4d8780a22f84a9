/* 贫困发生率 per village with the exit threshold (Apache ECharts, vendored): /incidence/.
   One column per village in the table's order; a county's 150 villages scroll sideways (the slider
   below), so the chart keeps a fixed height. Orange: at or above the threshold; green: exited. */
(function () {
  "use strict";
  var el = document.getElementById("incidence-chart");
  var src = document.getElementById("incidence-data");
  if (!el || !src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  var narrow = window.innerWidth < 600;
  var shown = narrow ? 10 : 40;
  var zoom = d.names.length > shown;
  var top = Math.max.apply(null, d.rates.map(function (v) { return v || 0; }).concat([d.threshold || 0]));
  function color(i) {
    if (d.status[i] === "exited") return "#1e8449";
    var v = d.rates[i];
    return (v != null && d.threshold != null && v >= d.threshold) ? "#d35400" : "#1d4f91";
  }
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
               formatter: function (ps) {
                 var i = ps[0].dataIndex;
                 return d.townships[i] + " " + d.names[i] + "<br>" + d.labels.rate + " " +
                   (d.rates[i] == null ? "—" : d.rates[i] + "%");
               } },
    legend: { data: [d.labels.rate, d.labels.threshold], top: 0 },
    grid: { left: 8, right: 12, top: 36, bottom: zoom ? 36 : 4, containLabel: true },
    xAxis: { type: "category", data: d.names,
             axisLabel: { interval: 0, rotate: 60, fontSize: 11, width: 64, overflow: "truncate" } },
    yAxis: { type: "value", min: 0, max: Math.ceil(Math.max(top * 1.1, (d.threshold || 0) + 0.5)),
             axisLabel: { formatter: "{value}%" } },
    dataZoom: zoom ? [
      { type: "slider", xAxisIndex: 0, startValue: 0, endValue: shown - 1, height: 18, bottom: 6,
        showDetail: false, brushSelect: false },
      { type: "inside", xAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }
    ] : [],
    series: [
      { name: d.labels.rate, type: "bar", barMaxWidth: 22, color: "#1d4f91",
        data: d.rates.map(function (v, i) { return { value: v, itemStyle: { color: color(i) } }; }),
        label: { show: !narrow, position: "top", fontSize: 10,
                 formatter: function (p) { return p.value == null ? "" : p.value; } },
        markLine: d.threshold == null ? undefined : {
          symbol: "none", silent: true, label: { show: false },
          lineStyle: { color: "#c0392b", type: "dashed", width: 1.5 }, data: [{ yAxis: d.threshold }] } },
      // An empty series that puts the dashed threshold in the legend.
      { name: d.labels.threshold, type: "line", data: [], color: "#c0392b", lineStyle: { type: "dashed" },
        symbol: "none" }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
