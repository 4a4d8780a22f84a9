/* 资金流向: the money trail as a Sankey (Apache ECharts, vendored). Every element with data-trail="<id of a
   json_script>" is drawn; fragments loaded by htmx (the project page's slot) are drawn when they settle. */
(function () {
  "use strict";
  var palette = ["#1d4f91", "#1e8449", "#d35400", "#8e44ad", "#138d75", "#b7791f", "#2e6fbf", "#c0392b",
                 "#7f8c8d", "#16a085", "#e67e22", "#34495e"];
  function yuan(v) { return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }
  function draw(el) {
    if (!window.echarts || el.dataset.drawn) return;
    var src = document.getElementById(el.dataset.trail);
    if (!src) return;
    var d = JSON.parse(src.textContent);
    if (!d.links.length) return;
    el.dataset.drawn = "1";
    var unit = " " + (el.dataset.unit || "元");  // the page's word for 元 (English: yuan)
    var labels = {};
    d.nodes.forEach(function (n) { labels[n.name] = n.label; });
    var narrow = el.clientWidth < 600;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      color: palette, animation: false,
      textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily },
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          if (p.dataType === "edge") return labels[p.data.source] + " → " + labels[p.data.target] + "<br>" + yuan(p.data.amount) + unit;
          return labels[p.name] + "<br>" + yuan(p.value) + unit;
        }
      },
      series: [{
        type: "sankey", left: 8, right: narrow ? 80 : 200, top: 8, bottom: 8, nodeGap: 10, nodeWidth: 14,
        draggable: false, layoutIterations: 32, emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
        label: { fontSize: narrow ? 10 : 12, formatter: function (p) {
          var t = labels[p.name] || p.name; return narrow && t.length > 7 ? t.slice(0, 7) + "…" : t; } },
        data: d.nodes.map(function (n) { return { name: n.name, depth: n.depth }; }),
        links: d.links
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function all(root) {
    var els = (root || document).querySelectorAll("[data-trail]");
    if (!els.length) return;
    if (!window.echarts) {  // a fragment loaded into a page without ECharts: fetch the vendored copy once
      var src = els[0].dataset.echarts;
      if (src && !document.querySelector('script[data-echarts-loader]')) {
        var s = document.createElement("script");
        s.src = src; s.dataset.echartsLoader = "1";
        s.onload = function () { all(); };
        document.head.appendChild(s);
      }
      return;
    }
    els.forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { all(); });
  document.body && all();
  document.addEventListener("htmx:afterSettle", function (e) { all(e.target); });
})();
