// Behaviour every page shares, kept out of the templates so the Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  function apply(root) {
    // <select data-autosubmit>: submit its form on change (the language switcher; a button in <noscript> otherwise).
    root.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
    // Sizes computed by the server: data-width="40%" / data-indent="2em" (inline style attributes are refused).
    root.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width; });
    root.querySelectorAll("[data-indent]").forEach(function (el) { el.style.paddingLeft = el.dataset.indent; });
    // <a data-back>: go back in history (its href is the fallback without JavaScript).
    root.querySelectorAll("a[data-back]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
      });
    });
  }
  // A box that scrolls (a wide table on a phone) takes keyboard focus, so arrow keys scroll it too.
  function focusScrollers() {
    document.querySelectorAll(".table-wrap, main table, [data-scroll-box]").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) { el.tabIndex = 0; el.dataset.scrollFocus = "1"; }
      if (!scrolls && el.dataset.scrollFocus) { el.removeAttribute("tabindex"); delete el.dataset.scrollFocus; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { apply(document); focusScrollers(); });
  window.addEventListener("load", focusScrollers);
  window.addEventListener("resize", focusScrollers);
  document.addEventListener("htmx:afterSettle", focusScrollers);
  // Fragments swapped in by htmx get the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) { apply(event.target); });
})();
