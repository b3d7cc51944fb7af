/* Area maps: draws each <figure data-area-map> from its JSON block with ECharts (boundaries registered
   locally, names as labels, figures on hover, zoom and pan, click to drill down). The server-drawn SVG
   stays in place until the chart is ready, so the page reads the same without JavaScript. */
(function () {
  "use strict";

  function draw(figure) {
    if (figure.dataset.ready) { return; }
    var block = document.getElementById(figure.dataset.areaMap);
    if (!block) { return; }
    figure.dataset.ready = "1";
    var data = JSON.parse(block.textContent);
    var mapName = figure.dataset.areaMap;
    echarts.registerMap(mapName, data.geojson);
    var byCode = {};
    data.areas.forEach(function (a) { byCode[a.code] = a; });
    var canvas = figure.querySelector(".area-map-canvas");
    var fallback = figure.querySelector(".area-map-fallback");
    canvas.hidden = false;
    var hint = figure.querySelector(".area-map-hint");
    if (hint) { hint.hidden = false; }
    if (fallback) { fallback.hidden = true; }
    canvas.style.width = "100%";
    canvas.style.height = Math.max(280, Math.min(520, Math.round((figure.clientWidth || 600) * 0.75))) + "px";
    var chart = echarts.init(canvas);
    var label = function (code) { return (byCode[code] || {}).name || code; };
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var esc = echarts.format.encodeHTML;
          if (p.seriesType === "scatter") { return esc(p.data.title); }
          var area = byCode[p.name] || {};
          var text = esc(area.name || p.name) + " <small>" + esc(p.name) + "</small>";
          if (data.valueLabel && area.value !== null && area.value !== undefined) {
            text += "<br>" + esc(data.valueLabel) + ": " + esc(String(area.value));
          }
          return text;
        }
      },
      geo: {
        map: mapName,
        roam: true,
        scaleLimit: { min: 0.8, max: 12 },
        label: { show: true, fontSize: 11, color: "#234", formatter: function (p) { return label(p.name); } },
        itemStyle: { areaColor: "#dbe7f3", borderColor: "#345", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#9cc3e8" } },
        select: { disabled: true },
        regions: data.areas.filter(function (a) { return a.fill; }).map(function (a) {
          return { name: a.code, itemStyle: { areaColor: a.fill } };
        })
      },
      series: [
        {
          type: "map",
          geoIndex: 0,
          data: data.areas.map(function (a) { return { name: a.code, value: a.value }; })
        },
        {
          type: "scatter",
          coordinateSystem: "geo",
          symbolSize: 8,
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          data: data.markers.map(function (m) {
            return { value: [m.lon, m.lat], title: m.title, href: m.href, itemStyle: { color: m.fill } };
          })
        }
      ]
    });
    chart.on("click", function (p) {
      var href = p.seriesType === "scatter" ? p.data.href : (byCode[p.name] || {}).href;
      if (href) { window.location.assign(href); }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("figure[data-area-map]").forEach(draw);
  }

  function start() {
    var first = document.querySelector("figure[data-area-map]");
    if (!first) { return; }
    if (window.echarts) { drawAll(); return; }
    var existing = document.querySelector("script[data-area-map-echarts]");
    if (existing) { existing.addEventListener("load", drawAll); return; }
    var s = document.createElement("script");
    s.src = first.dataset.echarts;
    s.dataset.areaMapEcharts = "1";
    s.addEventListener("load", drawAll);
    document.head.appendChild(s);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // htmx swaps (the area tree loads children in place) bring new maps.
  document.addEventListener("htmx:afterSettle", start);
})();
