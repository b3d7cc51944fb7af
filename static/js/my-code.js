/* The citizen's health code: a fresh QR every few minutes, fetched in place of a page reload (a page that reloads
   itself takes a screen reader back to the top), announced in a live region, and paused with a button. */
(function () {
  "use strict";
  function init() {
    var card = document.getElementById("my-code");
    var button = document.getElementById("qr-pause");
    var status = document.getElementById("qr-status");
    if (!card || !button || !status) { return; }
    var seconds = parseInt(card.dataset.refreshSeconds, 10) || 600;
    var timer = null;

    function swap(fresh) {
      var next = fresh.getElementById("my-code");
      if (!next) { return false; }
      ["qr", "qr-expiry"].forEach(function (id) {
        var a = document.getElementById(id), b = fresh.getElementById(id);
        if (a && b) { a.replaceChildren.apply(a, Array.from(b.childNodes)); }
      });
      var text = document.getElementById("qr-text"), nextText = fresh.getElementById("qr-text");
      if (text && nextText) { text.value = nextText.value; }
      var colour = card.querySelector(".code-colour"), nextColour = next.querySelector(".code-colour");
      if (colour && nextColour) { colour.textContent = nextColour.textContent; }
      card.className = next.className;
      card.dataset.colour = next.dataset.colour;
      return true;
    }
    function refresh() {
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          if (swap(new DOMParser().parseFromString(html, "text/html"))) { status.textContent = status.dataset.refreshed; }
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ });
    }
    function start() { timer = window.setInterval(refresh, seconds * 1000); }
    function stop() { window.clearInterval(timer); timer = null; }

    button.addEventListener("click", function () {
      var pausing = timer !== null;
      if (pausing) { stop(); } else { refresh(); start(); }
      button.setAttribute("aria-pressed", pausing ? "true" : "false");
      button.textContent = pausing ? button.dataset.resume : button.dataset.pause;
      status.textContent = pausing ? status.dataset.paused : status.dataset.resumed;
    });
    button.parentElement.hidden = false;
    start();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
