// The preview server's live reload: never part of the published site.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="serve-build"]');
  var shown = meta ? meta.getAttribute("content") : null;
  function poll() {
    fetch("/__serve/state", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (shown === null) { shown = String(state.build); }
        if (String(state.build) !== shown) { window.location.reload(); return; }
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
