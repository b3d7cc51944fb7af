// Charts of the recovery pages, drawn with ECharts from data the server put in <script type="application/json">.
(function () {
  "use strict";
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function chart(id) { var el = document.getElementById(id); return el && window.echarts ? echarts.init(el) : null; }
  var c = data("chart-data");
  if (!c) { return; }
  var r = chart("ranking-chart");
  if (r && c.districts) {
    r.setOption({
      tooltip: {}, grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: c.districts.slice().reverse() },
      series: [{ type: "bar", data: c.progress.slice().reverse(),
                 markLine: { data: [{ xAxis: c.time_progress }], symbol: "none" } }]
    });
  }
  var s = chart("series-chart");
  if (s && c.series) {
    s.setOption({
      tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 },
      grid: { left: 50, right: 20, top: 10, bottom: 50 },
      xAxis: { type: "category", data: c.series.dekads || c.series.days },
      yAxis: { type: "value", scale: true },
      series: c.series.series.map(function (x) {
        return { name: x.name, type: "line", connectNulls: true, data: x.values };
      })
    });
  }
  window.addEventListener("resize", function () { if (r) { r.resize(); } if (s) { s.resize(); } });
})();
