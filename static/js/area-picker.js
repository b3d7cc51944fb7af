/* Area pickers: an <input data-area-picker="/api/areas/search"> keeps the area code the form sends, and offers
   the areas whose name contains what is typed (only those in the user's jurisdiction, from the server) in a
   <datalist>; picking one puts its code in the field and shows its name beside it. */
(function () {
  "use strict";
  var counter = 0;

  function attach(input) {
    if (input.dataset.pickerReady) { return; }
    input.dataset.pickerReady = "1";
    input.removeAttribute("inputmode");
    var list = document.createElement("datalist");
    list.id = "area-picker-" + (++counter);
    input.after(list);
    input.setAttribute("list", list.id);
    var shown = input.parentElement.querySelector(".area-picker-name");
    var known = {};
    var timer = null;
    var asked = "";

    function showName() {
      if (shown) { shown.textContent = known[input.value] || ""; }
    }

    function search() {
      var q = input.value.trim();
      if (!q || q === asked || known[q]) { showName(); return; }
      asked = q;
      fetch(input.dataset.areaPicker + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (areas) {
          if (q !== input.value.trim()) { return; }
          list.replaceChildren.apply(list, areas.map(function (a) {
            known[a.code] = a.path ? a.path + " › " + a.name : a.name;
            var option = document.createElement("option");
            option.value = a.code;
            option.label = known[a.code];
            option.textContent = known[a.code];
            return option;
          }));
          showName();
        })
        .catch(function () { /* offline: the field still takes a code */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("change", showName);
    if (input.value) { search(); }
  }

  function start() { document.querySelectorAll("input[data-area-picker]").forEach(attach); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  document.addEventListener("htmx:afterSettle", start);
})();
