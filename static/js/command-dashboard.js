/* Headquarters dashboard: the bar chart of the chosen figure by area (ECharts, served locally), and the wall
   mode that shows one view at a time and rotates every 15 seconds (a projector in the command room). */
(function () {
  "use strict";
  function chart() {
    var block = document.getElementById("hq-chart-data");
    var el = document.getElementById("hq-chart");
    if (!block || !el || !window.echarts) { return; }
    var data = JSON.parse(block.textContent);
    var c = echarts.init(el);
    c.setOption({
      tooltip: { trigger: "axis" }, grid: { left: 50, right: 10, top: 30, bottom: 60 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.title, type: "bar", data: data.values, itemStyle: { color: "#1f5fa8" } }]
    });
    el.dataset.rendered = String(data.values.length);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function wall() {
    var root = document.querySelector(".hq[data-wall='1']");
    if (!root) { return; }
    var views = Array.prototype.slice.call(root.querySelectorAll(".hq-view"));
    if (views.length < 2) { return; }
    var i = 0;
    function show() {
      views.forEach(function (v, j) { v.classList.toggle("hq-hidden", j !== i); });
      window.dispatchEvent(new Event("resize"));
      root.dataset.view = String(i);
      i = (i + 1) % views.length;
    }
    show();
    setInterval(show, 15000);
  }
  function init() { chart(); wall(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
