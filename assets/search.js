// The search page (/search/), on Pagefind's JavaScript API. The only script on the site.
//
// The page's form holds the whole state of a search: the words (q), the filters
// (committee, year, kind) and the order (sort). That state lives in the address
// (?q=&committee=&year=&kind=&sort=), so a search can be shared, and Back after
// opening a result shows the same results again.
//
// Everything that comes from the index (titles, excerpts, committee names) is put
// into the page as text, never as HTML: the only element made from an excerpt is
// the <mark> around a matched word. No inline script or style: the site's
// Content-Security-Policy allows neither.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || typeof window.URLSearchParams !== "function" || typeof Promise !== "function") {
    return;
  }
  var box = document.getElementById("search-q");
  var panel = document.getElementById("search-filters");
  var chosen = document.getElementById("search-filters-chosen");
  var sortSelect = document.getElementById("search-sort");
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreWrap = document.getElementById("search-more-wrap");
  var moreButton = document.getElementById("search-more");
  var FILTERS = ["committee", "year", "kind"];
  var SORTS = ["newest", "oldest"];
  var PAGE = 5;  // as Pagefind's own UI: each result shown loads its page's text (a fragment)
  var ITEMS_PER_RESULT = 3;

  document.documentElement.className += " js-search";
  var wide = window.matchMedia("(min-width: 48em)");
  panel.open = wide.matches;  // beside the results on a wide screen; behind its button on a phone

  // Older minutes are in the archive's index (site_gen/search.py), merged into the main one
  // when the first search runs. Pagefind runs here, not in its web worker: the worker is one
  // more script to fetch (12 kB), and a search of this archive takes milliseconds.
  var bundles = (form.getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  var engine = null;

  function pagefind() {
    if (!engine) {
      engine = import("/pagefind/pagefind.js").then(function (pf) {
        return pf.options({ excerptLength: 24, noWorker: true }).then(function () {
          return Promise.all(bundles.map(function (path) { return pf.mergeIndex(path); }));
        }).then(function () { return pf; });
      });
    }
    return engine;
  }

  // -- the state: read from the address or the form, written to the address and the form --

  function clean(state) {
    state.q = (state.q || "").replace(/\s+/g, " ").trim();
    if (SORTS.indexOf(state.sort) < 0) {
      state.sort = "";
    }
    return state;
  }

  function fromParams(params) {
    var state = { q: params.get("q"), sort: params.get("sort") };
    FILTERS.forEach(function (name) {
      state[name] = params.getAll(name).filter(function (value) { return value !== ""; });
    });
    return clean(state);
  }

  function fromAddress() {
    return fromParams(new URLSearchParams(window.location.search));
  }

  function fromForm() {
    return fromParams(new URLSearchParams(new FormData(form)));
  }

  function address(state) {
    var params = new URLSearchParams();
    if (state.q) {
      params.append("q", state.q);
    }
    FILTERS.forEach(function (name) {
      state[name].forEach(function (value) { params.append(name, value); });
    });
    if (state.sort) {
      params.append("sort", state.sort);
    }
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function show(state) {
    box.value = state.q;
    sortSelect.value = state.sort;
    var count = 0;
    var boxes = form.querySelectorAll(".search-filters__box");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = state[boxes[i].name].indexOf(boxes[i].value) >= 0;
      count += boxes[i].checked ? 1 : 0;
    }
    chosen.textContent = count ? " (" + count + " chosen)" : "";
  }

  function wanted(state) {
    return state.q !== "" || FILTERS.some(function (name) { return state[name].length > 0; });
  }

  // -- searching --

  function filtersOf(state, extra) {
    var filters = {};
    FILTERS.forEach(function (name) {
      if (state[name].length) {
        filters[name] = { any: state[name].slice() };
      }
    });
    Object.keys(extra || {}).forEach(function (name) { filters[name] = extra[name]; });
    return filters;
  }

  function ids(search) {
    var set = {};
    search.results.forEach(function (result) { set[result.id] = true; });
    return set;
  }

  // The words of a query, as Pagefind reads them; a word of punctuation alone is no word.
  function wordsOf(query) {
    return query.split(" ").filter(function (word) { return /[\p{L}\p{N}]/u.test(word); });
  }

  // The pages that match, most relevant first. Pagefind finds a word by its stem and every
  // longer word beginning with it; when no word of an index begins with it, it falls back to
  // the longest word the stem begins with ("Ofsted" finds "of", "safegaurding" finds "safe").
  // Each index shard falls back on its own, so such pages would appear beside real ones. So a
  // page is kept only when each word of the query is on it (Pagefind's exact search, which
  // never falls back), and pages with the words as a phrase come first.
  function relevant(pf, state) {
    var filters = filtersOf(state);
    if (!state.q) {
      return pf.search(null, { filters: filters }).then(function (search) { return search.results; });
    }
    if (/^".+"$/.test(state.q)) {  // a phrase in quotes: Pagefind's exact search already
      return pf.search(state.q, { filters: filters }).then(function (search) { return search.results; });
    }
    var words = wordsOf(state.q);
    if (!words.length) {
      return Promise.resolve([]);
    }
    var searches = [pf.search(state.q, { filters: filters })];
    words.forEach(function (word) { searches.push(pf.search('"' + word + '"', { filters: filters })); });
    if (words.length > 1) {
      searches.push(pf.search('"' + words.join(" ") + '"', { filters: filters }));
    }
    return Promise.all(searches).then(function (found) {
      var each = found.slice(1, 1 + words.length).map(ids);
      var phrase = words.length > 1 ? ids(found[found.length - 1]) : {};
      var results = found[0].results.filter(function (result) {
        return each.every(function (set) { return set[result.id]; });
      });
      return results.filter(function (r) { return phrase[r.id]; })
        .concat(results.filter(function (r) { return !phrase[r.id]; }));
    });
  }

  // The same pages by date. Pagefind sorts within each index shard but merges shards by score,
  // so the date order is asked year by year (a year's meetings are all in one shard); pages
  // without a date (indicators, committees, issues) follow, most relevant first.
  function byDate(pf, state, pages) {
    var keep = {};
    pages.forEach(function (page) { keep[page.id] = true; });
    var years = state.year.length ? state.year.slice() : allYears();
    years.sort();
    if (state.sort === "newest") {
      years.reverse();
    }
    var direction = state.sort === "newest" ? "desc" : "asc";
    var term = state.q ? state.q : null;
    return Promise.all(years.map(function (year) {
      return pf.search(term, { filters: filtersOf(state, { year: { any: [year] } }), sort: { date: direction } });
    })).then(function (found) {
      var dated = [];
      var seen = {};
      found.forEach(function (search) {
        search.results.forEach(function (result) {
          if (keep[result.id] && !seen[result.id]) {
            seen[result.id] = true;
            dated.push(result);
          }
        });
      });
      return dated.concat(pages.filter(function (page) { return !seen[page.id]; }));
    });
  }

  function allYears() {
    var boxes = form.querySelectorAll('.search-filters__box[name="year"]');
    return Array.prototype.map.call(boxes, function (input) { return input.value; });
  }

  // -- showing the results --

  var generation = 0;
  var current = { state: null, results: [], shown: 0 };

  function run(state) {
    var mine = ++generation;
    if (!wanted(state)) {
      list.hidden = true;
      moreWrap.hidden = true;
      list.textContent = "";
      statusLine.textContent = "";
      return Promise.resolve();
    }
    list.setAttribute("aria-busy", "true");
    return pagefind().then(function (pf) {
      return relevant(pf, state).then(function (pages) {
        return state.sort ? byDate(pf, state, pages) : pages;
      });
    }).then(function (results) {
      if (mine !== generation) {
        return null;
      }
      current = { state: state, results: results, shown: 0 };
      list.textContent = "";
      return showMore(false).then(function () {
        if (mine === generation) {
          announce(state, results.length);
        }
      });
    }).catch(function () {
      if (mine === generation) {
        list.removeAttribute("aria-busy");
        statusLine.textContent = "Search could not be loaded. Please try again, or browse the meetings by year.";
      }
    });
  }

  function announce(state, count) {
    var filtered = FILTERS.some(function (name) { return state[name].length > 0; });
    var what = state.q ? " for \u2018" + state.q + "\u2019" : "";
    var text;
    if (count === 0) {
      text = "No results" + what + (filtered ? " with these filters" : "")
        + ". Check the spelling, or try other or fewer words.";
    } else {
      text = count + (count === 1 ? " result" : " results") + what + (filtered ? " with these filters" : "")
        + (state.sort ? (state.sort === "newest" ? ", newest first" : ", oldest first") : "") + ".";
    }
    statusLine.textContent = text;
  }

  function showMore(moveFocus) {
    var mine = generation;
    var batch = current.results.slice(current.shown, current.shown + PAGE);
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== generation) {
        return;
      }
      var first = null;
      pages.forEach(function (page) {
        var item = resultItem(page);
        list.appendChild(item);
        first = first || item.querySelector("a");
      });
      current.shown += batch.length;
      list.hidden = current.results.length === 0;
      list.removeAttribute("aria-busy");
      moreWrap.hidden = current.shown >= current.results.length;
      if (moveFocus && first) {
        first.focus();
      }
    });
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // Pagefind's excerpt is the page's text with "<" and ">" escaped and each match in <mark>:
  // it is rebuilt here as text nodes and <mark> elements.
  function appendExcerpt(parent, excerpt) {
    var marked = false;
    (excerpt || "").split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>" || part === "</mark>") {
        marked = part === "<mark>";
        return;
      }
      if (!part) {
        return;
      }
      var text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      if (marked) {
        var mark = element("mark");
        mark.appendChild(text);
        parent.appendChild(mark);
      } else {
        parent.appendChild(text);
      }
    });
  }

  function first(values) {
    return values && values.length ? values[0] : "";
  }

  function longDate(iso) {
    var date = new Date(iso + "T12:00:00Z");
    if (isNaN(date.getTime())) {
      return iso;
    }
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function resultItem(page) {
    var meta = page.meta || {};
    var filters = page.filters || {};
    var kind = first(filters.kind);
    var item = element("li", "search-result");
    var heading = element("h2", "search-result__title");
    var link = element("a", null, meta.title || page.url);
    link.href = page.url;
    heading.appendChild(link);
    item.appendChild(heading);

    var about = element("p", "search-result__meta");
    var parts = [];
    if (kind) {
      parts.push(document.createTextNode(kind));
    }
    if (kind !== "Meeting" && first(filters.committee)) {
      parts.push(document.createTextNode(first(filters.committee)));
    }
    if (meta.date) {
      var time = element("time", null, longDate(meta.date));
      time.setAttribute("datetime", meta.date);
      parts.push(time);
    }
    if (meta.status) {
      parts.push(element("strong", "search-result__status", meta.status));
    }
    parts.forEach(function (part, index) {
      if (index) {
        about.appendChild(document.createTextNode(" \u00b7 "));
      }
      about.appendChild(part);
    });
    if (parts.length) {
      item.appendChild(about);
    }

    var agendaItems = (page.sub_results || []).filter(function (sub) {
      return sub.anchor && /^item-/.test(sub.anchor.id || "") && sub.locations && sub.locations.length;
    });
    if (!agendaItems.length || kind !== "Meeting") {
      var excerpt = element("p", "search-result__excerpt");
      appendExcerpt(excerpt, page.excerpt);
      item.appendChild(excerpt);
    }
    if (agendaItems.length) {
      // the items with the most matches, in the order of the agenda
      var best = agendaItems.slice().sort(function (a, b) { return b.locations.length - a.locations.length; })
        .slice(0, ITEMS_PER_RESULT);
      var items = element("ul", "search-result__items");
      items.setAttribute("aria-label", "Matching agenda items");
      agendaItems.filter(function (sub) { return best.indexOf(sub) >= 0; }).forEach(function (sub) {
        var entry = element("li", "search-result__item");
        var number = sub.anchor.id.replace(/^item-/, "");
        var title = (sub.title || "").replace(new RegExp("^" + number.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[.:)]?\\s*"), "");
        var itemLink = element("a", "search-result__item-link", "Item " + number + ": " + title);
        itemLink.href = sub.url;
        entry.appendChild(itemLink);
        var itemExcerpt = element("p", "search-result__excerpt");
        appendExcerpt(itemExcerpt, sub.excerpt);
        entry.appendChild(itemExcerpt);
        items.appendChild(entry);
      });
      item.appendChild(items);
    }
    return item;
  }

  // -- events --

  function go(state, push) {
    var target = address(state);
    if (target !== window.location.pathname + window.location.search) {
      window.history[push ? "pushState" : "replaceState"](null, "", target);
    }
    show(state);
    return run(state);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var state = fromForm();
    if (!wide.matches && event.submitter && event.submitter.classList.contains("search-filters__apply")) {
      panel.open = false;  // on a phone the results are under the panel
    }
    go(state, true);
  });

  form.addEventListener("change", function (event) {
    if (event.target === box) {
      return;  // the words are searched when the form is sent
    }
    go(fromForm(), false);
  });

  moreButton.addEventListener("click", function () {
    showMore(true);
  });

  window.addEventListener("popstate", function () {
    var state = fromAddress();
    show(state);
    run(state);
  });

  var initial = fromAddress();
  show(initial);
  run(initial);
})();
