/* Transmission-chain graph: the server filters and caps the elements; cytoscape draws them with a
   breadth-first layout (linear time), edges hidden while panning, so 3,000 nodes stay responsive. */
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("chain-filters");
    var status = document.getElementById("chain-status");
    var box = document.getElementById("chain-graph");
    if (!window.cytoscape || !form) { return; }
    var cy = null;
    // The graph's text alternative: every infection link as two case links, readable and operable by keyboard.
    function caseLink(id) {
      var a = document.createElement("a");
      a.href = "/cases/" + id.slice(1) + "/";
      a.textContent = "#" + id.slice(1);
      return a;
    }
    function listLinks(g) {
      var list = document.getElementById("chain-links");
      if (!list) { return; }
      list.replaceChildren();
      g.edges.forEach(function (e) {
        if (e.data.kind !== "link") { return; }
        var li = document.createElement("li");
        li.append(caseLink(e.data.source), " → ", caseLink(e.data.target));
        list.appendChild(li);
      });
      document.getElementById("chain-text").hidden = !list.children.length;
    }
    function fmt(t, d) { return t.replace(/\{(\w+)\}/g, function (_, k) { return d[k]; }); }
    function draw() {
      var params = new URLSearchParams(new FormData(form));
      fetch(form.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (g) {
          status.textContent = fmt(g.truncated ? status.dataset.truncated : status.dataset.full, g);
          if (cy) { cy.destroy(); }
          cy = cytoscape({
            container: box, elements: { nodes: g.nodes, edges: g.edges },
            hideEdgesOnViewport: true, textureOnViewport: true, pixelRatio: 1, motionBlur: false,
            style: [
              { selector: "node", style: { width: 10, height: 10, "background-color": "#9aa5b1", label: "" } },
              { selector: "node[kind = 'case']", style: { width: 16, height: 16, "background-color": "#c5221f", label: "data(label)", "font-size": 8 } },
              { selector: "node[status = 'asymptomatic']", style: { "background-color": "#f29900" } },
              { selector: "node[origin = 'imported']", style: { "border-width": 3, "border-color": "#1f5fa8" } },
              { selector: "edge", style: { width: 1, "line-color": "#c8ced6", "curve-style": "haystack" } },
              { selector: "edge[kind = 'link']", style: { width: 2, "line-color": "#c5221f", "target-arrow-color": "#c5221f", "target-arrow-shape": "triangle", "curve-style": "straight" } }
            ],
            layout: { name: g.nodes.length > 1500 ? "grid" : "breadthfirst", directed: true, spacingFactor: 0.9, animate: false, avoidOverlap: g.nodes.length <= 1500 }
          });
          cy.on("tap", "node[kind = 'case']", function (e) { window.location.href = "/cases/" + e.target.id().slice(1) + "/"; });
          box.dataset.nodes = String(g.nodes.length);
          listLinks(g);
        });
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); draw(); history.replaceState(null, "", "?" + new URLSearchParams(new FormData(form)).toString()); });
    draw();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
