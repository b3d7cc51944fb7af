/* Epidemiology dashboard: draws the curve, Rt with its band, the projection and weekly delays (ECharts). */
(function () {
  "use strict";
  function init() {
    var data = JSON.parse(document.getElementById("epi-data").textContent);
    var L = JSON.parse(document.getElementById("epi-labels").textContent);
    if (!window.echarts) { return; }
    var days = data.curve.map(function (d) { return d.day; });
    function bar(name, key, stack) { return { name: L[name], type: "bar", stack: stack, data: data.curve.map(function (d) { return d[key]; }) }; }
    echarts.init(document.getElementById("curve-chart")).setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 50, bottom: 30 },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: [bar("onset_local", "onset_local", "onset"), bar("onset_imported", "onset_imported", "onset"),
               bar("report_local", "report_local", "report"), bar("report_imported", "report_imported", "report")]
    });
    var rtDays = data.rt.map(function (r) { return r.day; });
    echarts.init(document.getElementById("rt-chart")).setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: rtDays }, yAxis: { type: "value" },
      series: [
        { name: L.band, type: "line", data: data.rt.map(function (r) { return r.lower; }), stack: "band", lineStyle: { opacity: 0 }, symbol: "none" },
        { name: L.band, type: "line", data: data.rt.map(function (r) { return r.upper - r.lower; }), stack: "band", lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.25 }, symbol: "none" },
        { name: L.rt, type: "line", data: data.rt.map(function (r) { return r.mean; }), symbol: "none",
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }] } }
      ]
    });
    var proj = data.projection;
    var projEl = document.getElementById("projection-chart");
    if (proj) {
      var pDays = proj.days.map(function (p) { return p.day; });
      echarts.init(projEl).setOption({
        title: { text: L.projection, textStyle: { fontSize: 13 } }, tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 40, bottom: 30 },
        xAxis: { type: "category", data: pDays }, yAxis: { type: "value" },
        series: [
          { type: "line", data: proj.days.map(function (p) { return p.lower; }), stack: "p", lineStyle: { opacity: 0 }, symbol: "none" },
          { type: "line", data: proj.days.map(function (p) { return p.upper - p.lower; }), stack: "p", lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.2, color: "#999" }, symbol: "none" },
          { name: L.projection, type: "line", data: proj.days.map(function (p) { return p.median; }), lineStyle: { type: "dashed" }, symbol: "none" }
        ]
      });
    } else { projEl.style.display = "none"; }
    var kinds = ["onset_to_report", "report_to_isolation", "onset_to_isolation"];
    var weeks = Array.from(new Set(data.delays.map(function (d) { return d.week; }))).sort();
    echarts.init(document.getElementById("delay-chart")).setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: weeks }, yAxis: { type: "value", name: "d" },
      series: kinds.map(function (k) {
        var by = {}; data.delays.forEach(function (d) { if (d.kind === k) { by[d.week] = d.median; } });
        return { name: L[k], type: "line", data: weeks.map(function (w) { return by[w] === undefined ? null : by[w]; }) };
      })
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
