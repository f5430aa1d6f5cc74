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
  var ui = new window.PagefindUI({
    element: "#search",
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
})();
