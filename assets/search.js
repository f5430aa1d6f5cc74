// The only script on the site: starts Pagefind's search UI on /search/ and
// runs the query from the header search box (?q=...). No inline script, so
// the site works under a strict Content-Security-Policy.
(function () {
  "use strict";
  var container = document.getElementById("search");
  if (!container || typeof window.PagefindUI !== "function") {
    return;
  }
  document.documentElement.className += " js-search";
  // older minutes are in further index shards (see site_gen/search.py), merged at query time
  var merged = (container.getAttribute("data-merge-index") || "").split(" ").filter(Boolean);
  var ui = new window.PagefindUI({
    element: "#search",
    mergeIndex: merged.map(function (path) { return { bundlePath: path }; }),
    showSubResults: true,
    showImages: false,
    excerptLength: 30,
    resetStyles: false,
    // open beside the results on a wide screen; on a phone they would push the results off it
    openFilters: window.matchMedia("(min-width: 48em)").matches ? ["kind", "committee", "year"] : [],
    sort: null,
    translations: { placeholder: "Search the minutes" }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
  // Pagefind's UI lists the filters its first results carry: a filter whose index
  // had not loaded by then (a slow connection) would be missing until the search
  // changed. So load every filter index now (the module is the one the UI uses: a
  // page has one instance of it), then run the search again, filters unchanged.
  import("/pagefind/pagefind.js").then(function (pagefind) {
    return pagefind.filters();
  }).then(function () {
    var input = container.querySelector(".pagefind-ui__search-input");
    if (input && input.value) {
      ui.triggerFilters(selectedFilters());
    }
  }).catch(function () {
    // the search still works; only a filter may be missing
  });

  function selectedFilters() {
    var selected = {};
    var boxes = container.querySelectorAll(".pagefind-ui__filter-checkbox:checked");
    for (var i = 0; i < boxes.length; i++) {
      selected[boxes[i].name] = (selected[boxes[i].name] || []).concat(boxes[i].value);
    }
    return selected;
  }
})();
