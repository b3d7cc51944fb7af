// The resumption curve on the economic dashboard, drawn from the JSON the page embeds (no network requests).
(function () {
  var el = document.getElementById("curve");
  var data = document.getElementById("curve-data");
  if (!el || !data || !window.echarts) return;
  var rows = JSON.parse(data.textContent);
  var names = document.getElementById("curve-labels").dataset;
  var pct = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [names.all, names.above] },
    xAxis: { type: "category", data: rows.map(function (r) { return r.day.slice(5); }) },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: names.all, type: "line", data: rows.map(function (r) { return pct(r.rate); }) },
      { name: names.above, type: "line", data: rows.map(function (r) { return pct(r.above); }) }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
