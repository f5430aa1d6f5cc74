/* The archive's own part of the editing screen (Decap CMS runs it after decap-cms.js).
 *
 * - Two file formats that keep the content contract: `council-meeting` reads a meeting
 *   file into the form (each `## N. Title` section of the minutes becomes that item's
 *   `minutes` field) and writes it back (one section per item, headed from the item's
 *   number and title); `council-yaml` for the other files. Both drop empty fields and the
 *   screen's helper values, so a saved file never gains a key the archive does not know,
 *   and write YAML that Python's YAML reader reads back to the same values (dates plain,
 *   times and anything ambiguous in quotes).
 * - The year folder of a new meeting, from its date (Decap's own {{year}} reads the date
 *   in the browser's time zone as UTC, which names a British summer meeting by the day before).
 * - Preview templates built from the site's own CSS classes.
 */
(function () {
  "use strict";
  var CMS = window.CMS;
  var h = window.h;

  // -- reading ------------------------------------------------------------------------------

  var HEADING = /^##[ \t]+(\d+)(?:[.:)]?[ \t]+.*|\.?[ \t]*)$/;
  var FENCE = /^[ \t]{0,3}(```|~~~)/;

  function splitFrontMatter(text) {
    text = String(text || "").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
    var match = /^---[ \t]*\n([\s\S]*?)\n?---[ \t]*(?:\n|$)([\s\S]*)$/.exec(text);
    if (!match) return { yaml: "", body: text };
    return { yaml: match[1], body: match[2] };
  }

  function loadYaml(text) {
    // The core schema keeps 2020-12-09 and 18:00 as the text they are: the form's date and
    // time fields hold text too.
    var data = window.jsyaml.load(text, { schema: window.jsyaml.CORE_SCHEMA });
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  }

  /* The body's sections: text before the first item heading, then [number, text] pairs. */
  function sections(body) {
    var lines = body.split("\n");
    var preamble = [];
    var found = [];
    var current = null;
    var fenced = null;
    lines.forEach(function (line) {
      var fence = FENCE.exec(line);
      if (fence) fenced = fenced === null ? fence[1] : (fenced === fence[1] ? null : fenced);
      var heading = fenced === null && !fence ? HEADING.exec(line) : null;
      if (heading) {
        current = { number: parseInt(heading[1], 10), heading: line, lines: [] };
        found.push(current);
      } else if (current) {
        current.lines.push(line);
      } else {
        preamble.push(line);
      }
    });
    return { preamble: preamble.join("\n").trim(), found: found };
  }

  function meetingFromFile(text) {
    var parts = splitFrontMatter(text);
    var data = loadYaml(parts.yaml);
    var split = sections(parts.body);
    var items = Array.isArray(data.items) ? data.items : [];
    var byNumber = {};
    items.forEach(function (item) {
      if (item && typeof item === "object") byNumber[item.number] = item;
    });
    var leftOver = [];
    split.found.forEach(function (section) {
      var text = section.lines.join("\n").trim();
      var item = byNumber[section.number];
      if (item && item.minutes === undefined) {
        item.minutes = text;
      } else {
        // a heading for no item (check reports it): kept, word for word, before the items
        leftOver.push(section.heading + (text ? "\n\n" + text : ""));
      }
    });
    data.body = [split.preamble].concat(leftOver).filter(Boolean).join("\n\n");
    return data;
  }

  // -- writing ------------------------------------------------------------------------------

  // Values the screen keeps for itself, never written into a file.
  var HELPERS = { year_folder: true };
  var DATE_KEYS = { date: true, approved_on: true };
  // YAML 1.1 (Python's reader) reads these words as true/false/nothing.
  var RESERVED = /^(y|yes|n|no|true|false|on|off|null|~)$/i;
  var PLAIN = /^[A-Za-z][A-Za-z0-9 .,’‘'()&\/%–—_+-]*$/;

  function isEmpty(value) {
    if (value === null || value === undefined) return true;
    if (typeof value === "string") return value.trim() === "";
    if (Array.isArray(value)) return value.every(isEmpty);
    if (typeof value === "object") return Object.keys(value).every(function (k) { return isEmpty(value[k]); });
    return false;
  }

  /* Empty fields left by the form are dropped, as are the screen's helper values. */
  function prune(value) {
    if (Array.isArray(value)) {
      return value.filter(function (v) { return !isEmpty(v); }).map(prune);
    }
    if (value && typeof value === "object") {
      var result = {};
      Object.keys(value).forEach(function (key) {
        if (!HELPERS[key] && !isEmpty(value[key])) result[key] = prune(value[key]);
      });
      return result;
    }
    return typeof value === "string" ? value.replace(/\s+$/, "") : value;
  }

  function scalar(value, key) {
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    var text = String(value);
    if (DATE_KEYS[key] && /^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
    if (PLAIN.test(text) && !RESERVED.test(text) && text.indexOf(" #") < 0) return text;
    return JSON.stringify(text);  // a JSON string is a valid YAML double-quoted scalar
  }

  function block(text, indent) {
    // Markdown over several lines, written as a literal block so the file reads like the text
    var chomp = /\n$/.test(text) ? (/\n\n$/.test(text) ? null : "|") : "|-";
    if (chomp === null || /^[ \t]/.test(text) || /[^\S\n]\n|[^\S\n]$/.test(text)) return null;
    var pad = new Array(indent + 1).join(" ");
    var lines = text.replace(/\n$/, "").split("\n").map(function (line) {
      return line ? pad + line : "";
    });
    return chomp + "\n" + lines.join("\n");
  }

  function emit(value, indent, key) {
    var pad = new Array(indent + 1).join(" ");
    if (Array.isArray(value)) {
      return value.map(function (entry) {
        if (entry && typeof entry === "object" && !Array.isArray(entry)) {
          var inner = emitMapping(entry, indent + 2);
          return pad + "- " + inner.slice(indent + 2);
        }
        return pad + "- " + inline(entry, indent + 2, key);
      }).join("\n");
    }
    return emitMapping(value, indent);
  }

  function inline(value, indent, key) {
    if (typeof value === "string" && value.indexOf("\n") >= 0) {
      var literal = block(value, indent);
      if (literal) return literal;
    }
    return scalar(value, key);
  }

  function emitMapping(map, indent) {
    var pad = new Array(indent + 1).join(" ");
    return Object.keys(map).map(function (key) {
      var value = map[key];
      if (value && typeof value === "object") {
        return pad + key + ":\n" + emit(value, Array.isArray(value) ? indent + 2 : indent + 2, key);
      }
      return pad + key + ": " + inline(value, indent + 2, key);
    }).join("\n");
  }

  // The order the clerks' guide shows; keys the screen does not know (an importer's
  // `source:`) keep their place after these.
  var ORDER = {
    meeting: ["committee", "date", "time", "venue", "status", "note", "approved_on", "source", "attendees", "items"],
    attendees: ["chair", "members", "apologies", "in_attendance"],
    item: ["number", "title", "issue", "report_of", "summary", "recommendations", "contacts", "documents",
           "portfolio", "decision", "source"],
    contact: ["name", "role", "email", "phone"],
    document: ["title", "file", "url", "size"],
  };

  function ordered(map, order) {
    var result = {};
    order.forEach(function (key) { if (key in map) result[key] = map[key]; });
    Object.keys(map).forEach(function (key) { if (!(key in result)) result[key] = map[key]; });
    return result;
  }

  function yamlText(data) {
    var text = emitMapping(data, 0);
    return text ? text + "\n" : "";
  }

  function meetingToFile(data) {
    var raw = JSON.parse(JSON.stringify(data || {}));
    var body = typeof raw.body === "string" ? raw.body.trim() : "";
    delete raw.body;
    var items = Array.isArray(raw.items) ? raw.items : [];
    var parts = body ? [body] : [];
    items.forEach(function (item) {
      if (!item || typeof item !== "object") return;
      var minutes = typeof item.minutes === "string" ? item.minutes.trim() : "";
      delete item.minutes;
      if (minutes) parts.push("## " + item.number + ". " + String(item.title || "").trim() + "\n\n" + minutes);
    });
    var meeting = prune(raw);
    if (meeting.attendees) meeting.attendees = ordered(meeting.attendees, ORDER.attendees);
    if (meeting.items) {
      meeting.items = meeting.items.map(function (item) {
        item = ordered(item, ORDER.item);
        if (item.contacts) item.contacts = item.contacts.map(function (c) { return ordered(c, ORDER.contact); });
        if (item.documents) item.documents = item.documents.map(function (d) { return ordered(d, ORDER.document); });
        return item;
      });
    }
    meeting = ordered(meeting, ORDER.meeting);
    var text = "---\n" + yamlText(meeting) + "---\n";
    if (parts.length) text += "\n" + parts.join("\n\n") + "\n";
    return text;
  }

  function yamlFromFile(text) {
    return loadYaml(String(text || "").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
  }

  function yamlToFile(data) {
    return yamlText(prune(JSON.parse(JSON.stringify(data || {}))));
  }

  // for tests/browser/test_admin.py, which checks the round trip on the sample archive
  window.councilFormats = { meetingFromFile: meetingFromFile, meetingToFile: meetingToFile,
                            yamlFromFile: yamlFromFile, yamlToFile: yamlToFile };

  if (!CMS) return;  // the formats alone (a test page)

  CMS.registerCustomFormat("council-meeting", "md", { fromFile: meetingFromFile, toFile: meetingToFile });
  CMS.registerCustomFormat("council-yaml", "yml", { fromFile: yamlFromFile, toFile: yamlToFile });

  // -- a new indicator's file is named by its code ------------------------------------------
  //
  // Decap names a new entry's file from its slug, and it always lower-cases a slug and turns
  // its dots into hyphens: CFSE.29 would be saved as cfse-29.yml, which the archive refuses
  // (an indicator's file name is its code). Every backend the screen uses (GitHub, GitLab,
  // and decap-server on this computer) is wrapped so that a NEW indicator is written to
  // content/indicators/<code>.yml instead, and refused if that file exists already. The
  // entry keeps Decap's slug until it is published (its branch is named by it); once
  // published, the list shows it under its code.
  var INDICATORS = "content/indicators/";

  function indicatorCode(raw) {
    var code = yamlFromFile(raw).code;
    return typeof code === "string" && /^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$/.test(code) ? code : null;
  }

  function named(message, slug, code) {
    return typeof message === "string" && slug ? message.split(slug).join(code) : message;
  }

  // Where each collection's files are. Decap can save a form into the file of the entry opened
  // just before it (when a new entry is started while the last one is still being reloaded
  // after publishing): such a save is refused rather than written over another file.
  var FOLDERS = {
    meetings: "content/meetings/", committees: "content/committees/", issues: "content/issues/",
    portfolios: "content/portfolios/", indicators: INDICATORS, settings: "content/site.yml",
  };

  function namedByCode(implementation) {
    var persist = implementation.persistEntry.bind(implementation);
    implementation.persistEntry = function (entry, options) {
      var files = (entry && entry.dataFiles) || [];
      var folder = options && FOLDERS[options.collectionName];
      var astray = files.filter(function (f) { return folder && String(f.path).indexOf(folder) !== 0; });
      if (astray.length) {
        return Promise.reject(new Error("This form was about to be saved into " + astray[0].path + ", which is not " +
                                        "one of its collection's files. Nothing was saved: reload the page and " +
                                        "start again."));
      }
      var file = files.length === 1 ? files[0] : null;
      if (!options || !file || options.collectionName !== "indicators") return persist(entry, options);
      if (!options.newEntry) {  // a change: its commit is named by the code, not by Decap's slug
        var stem = file.path.slice(INDICATORS.length).replace(/\.yml$/, "");
        return persist(entry, Object.assign({}, options, { commitMessage: named(options.commitMessage, file.slug, stem) }));
      }
      var code = indicatorCode(file.raw);
      if (!code) return persist(entry, options);
      var path = INDICATORS + code + ".yml";
      return implementation.getEntry(path).then(function (found) {
        return !!(found && found.data);
      }, function () {
        return false;  // no such file: the code is new
      }).then(function (exists) {
        if (exists) {
          throw new Error("An indicator with the code " + code + " exists already: open it from the list of " +
                          "indicators and add the values there.");
        }
        file.path = path;
        return persist(entry, Object.assign({}, options, { commitMessage: named(options.commitMessage, file.slug, code) }));
      });
    };
    // Straight after publishing, Decap opens the entry by its own slug (cfse-29): that is the
    // indicator whose code reads so in Decap's lower-case spelling (CFSE.29).
    var getEntry = implementation.getEntry.bind(implementation);
    implementation.getEntry = function (path) {
      var match = new RegExp("^" + INDICATORS + "([a-z0-9-]+)\\.yml$").exec(path);
      if (!match || !implementation.entriesByFolder) return getEntry(path);
      function byCode(loaded) {
        if (loaded && typeof loaded.data === "string") return loaded;  // a file of that name (decap-server
        // answers a missing file with no data, GitHub with an error)
        return implementation.entriesByFolder(INDICATORS.replace(/\/$/, ""), "yml", 1).then(function (entries) {
          var found = entries.filter(function (e) {
            var stem = e.file.path.slice(INDICATORS.length).replace(/\.yml$/, "");
            return stem.toLowerCase().replace(/\./g, "-") === match[1];
          });
          if (found.length === 1) return found[0];
          if (loaded) return loaded;
          throw new Error("No indicator file for " + path);
        });
      }
      return getEntry(path).then(byCode, function () { return byCode(null); });
    };
    return implementation;
  }

  ["github", "gitlab", "proxy"].forEach(function (name) {
    // Decap refuses to register a backend name twice, so its own registration is wrapped
    // (getBackend gives the registry's record of it)
    var registered = CMS.getBackend && CMS.getBackend(name);
    if (!registered || registered.namedByCode) return;
    var init = registered.init;
    registered.init = function () { return namedByCode(init.apply(registered, arguments)); };
    registered.namedByCode = true;
  });

  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var entry = event.entry;
      if (entry.get("collection") !== "meetings") return entry.get("data");
      var date = String(entry.getIn(["data", "date"]) || "");
      return entry.get("data").set("year_folder", date.slice(0, 4));
    },
  });

  // -- previews -------------------------------------------------------------------------------

  CMS.registerPreviewStyle("/assets/site.css");
  CMS.registerPreviewStyle("/admin/preview.css");

  var STATUS_WORDS = {
    agenda: "Agenda", draft: "Draft", unconfirmed: "Unconfirmed", approved: "Approved",
    cancelled: "Cancelled", postponed: "Postponed",
  };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function longDate(text, weekday) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text || ""));
    if (!m) return String(text || "");
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return (weekday ? DAYS[day.getUTCDay()] + " " : "") + (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }

  // as the site words it: "a report of the Director of X", "a report of Councillor Y"
  function reportOf(who) {
    return /^(the |councillor|cllr|mr |mrs |ms |dr )/i.test(who) ? who : "the " + who;
  }

  function get(map, path) {
    var value = map && map.getIn ? map.getIn(path) : undefined;
    return value && value.toJS ? value.toJS() : value;
  }

  function relationName(props, field, collection, slug) {
    var name = get(props.fieldsMetaData, [field, collection, slug, "name"]);
    return name || slug;
  }

  function summaryList(rows) {
    return h("dl", { className: "summary-list" }, rows.filter(function (r) { return r[1]; }).map(function (row) {
      return h("div", { className: "summary-list__row", key: row[0] },
        h("dt", { className: "summary-list__key" }, row[0]),
        h("dd", { className: "summary-list__value" }, row[1]));
    }));
  }

  /* The preview frame is a document of its own: it gets the site's language and a title. */
  function frame(props, title) {
    var doc = props.document;
    if (doc && doc.documentElement) {
      doc.documentElement.lang = "en-GB";
      doc.title = "Preview: " + (title || "untitled");
    }
    var element = props.window && props.window.frameElement;  // Decap's frame has no name of its own
    if (element && !element.title) element.title = "Preview of the published page";
  }

  function page(children) {
    return h("div", { className: "preview-page" },
      h("p", { className: "preview-page__banner", role: "note" }, "Preview: how the page will look once published."),
      h("main", { className: "main", id: "main-content" }, children));
  }

  function itemPreview(props, item, widgets, index) {
    var anchor = "item-" + item.number;
    var children = [
      h("h2", { className: "item__title", id: anchor, key: "t" },
        h("span", { className: "item__number" }, (item.number == null ? "?" : item.number) + "."), " ", item.title || ""),
    ];
    if (item.report_of) children.push(h("p", { className: "item__report-of", key: "r" }, "To consider a report of " + reportOf(item.report_of) + "."));
    if (item.summary) children.push(h("div", { className: "item__summary", key: "s" }, widgets && widgets.getIn(["widgets", "summary"])));
    var recs = (item.recommendations || []).filter(Boolean);
    if (recs.length) {
      children.push(h("h3", { key: "rh" }, "Recommendations"));
      children.push(h("ol", { className: "recommendations", key: "rl" }, recs.map(function (r, i) { return h("li", { key: i }, r); })));
    }
    var contacts = (item.contacts || []).filter(function (c) { return c && c.name; });
    if (contacts.length) {
      children.push(h("h3", { key: "ch" }, "Officer contacts"));
      children.push(h("ul", { className: "contacts", key: "cl" }, contacts.map(function (c, i) {
        return h("li", { className: "contacts__contact", key: i },
          h("span", { className: "contacts__name" }, c.name), c.role ? ", " + c.role : "",
          c.email ? h("span", null, h("br"), c.email) : null, c.phone ? h("span", null, h("br"), c.phone) : null);
      })));
    }
    var documents = (item.documents || []).filter(function (d) { return d && d.title; });
    if (documents.length) {
      children.push(h("h3", { key: "dh" }, "Documents"));
      children.push(h("ul", { className: "documents", key: "dl" }, documents.map(function (d, i) {
        var kind = d.file && d.file.indexOf(".") >= 0 ? d.file.split(".").pop().toUpperCase() : "";
        var meta = [kind, d.size].filter(Boolean).join(", ");
        return h("li", { key: i }, d.title, meta ? h("span", { className: "documents__meta" }, " (" + meta + ")") : null,
          !d.file && !d.url ? h("span", { className: "documents__meta" }, " – not available online") : null);
      })));
    }
    if (item.minutes) {
      children.push(h("h3", { key: "mh" }, "Minutes"));
      children.push(h("div", { className: "item__minutes", key: "m" }, widgets && widgets.getIn(["widgets", "minutes"])));
    } else if (!item.decision) {
      children.push(h("p", { className: "muted", key: "none" }, "No minutes have been recorded for this item yet."));
    }
    if (item.decision) {
      children.push(h("div", { className: "decision", key: "d" },
        h("h3", { className: "decision__heading" }, "Decision"),
        h("p", null, h("strong", null, "RESOLVED"), " – " + item.decision)));
    }
    return h("section", { className: "item", "aria-labelledby": anchor, key: "item-" + index }, children);
  }

  var MeetingPreview = window.createClass({
    render: function () {
      var props = this.props;
      var data = get(props.entry, ["data"]) || {};
      frame(props, [relationName(props, "committee", "committees", data.committee), longDate(data.date)].filter(Boolean).join(", "));
      var status = data.status || "unconfirmed";
      var committee = relationName(props, "committee", "committees", data.committee);
      var items = Array.isArray(data.items) ? data.items : [];
      var widgets = props.widgetsFor("items");
      var attendees = data.attendees || {};
      var children = [
        h("span", { className: "caption", key: "c" }, committee || "Committee not chosen yet"),
        h("h1", { key: "h" }, longDate(data.date, true) || "Date not chosen yet"),
        h("div", { className: "status", key: "s" }, h("strong", { className: "tag tag--" + status }, STATUS_WORDS[status] || status)),
      ];
      if (status === "unconfirmed") {
        children.push(h("div", { className: "notice", role: "note", key: "n" }, h("p", null,
          h("strong", null, "These minutes await approval."),
          " They have not yet been confirmed as a correct record by the committee and may be corrected when they are.")));
      } else if (status === "draft") {
        children.push(h("div", { className: "notice notice--" + status, role: "note", key: "n" }, h("p", null,
          h("strong", null, "Draft."), " This is a draft preview; it is not published.")));
      }
      children.push(h("div", { key: "sl" }, summaryList([
        ["Committee", committee], ["Date", longDate(data.date, true)], ["Time", data.time], ["Venue", data.venue],
        ["Approved on", status === "approved" && data.approved_on ? longDate(data.approved_on) : ""],
      ])));
      var list = function (v) { return Array.isArray(v) ? v.filter(Boolean) : []; };
      if (attendees.chair || list(attendees.members).length || list(attendees.apologies).length || list(attendees.in_attendance).length) {
        children.push(h("section", { className: "attendance", "aria-labelledby": "attendance", key: "a" },
          h("h2", { id: "attendance" }, "Attendance"),
          summaryList([["Chair", attendees.chair], ["Members present", list(attendees.members).join(", ")],
                       ["Apologies", list(attendees.apologies).join(", ")],
                       ["Also in attendance", list(attendees.in_attendance).join("; ")]])));
      }
      if (data.body) children.push(h("section", { className: "preamble", "aria-label": "Before the agenda items", key: "p" }, props.widgetFor("body")));
      items.forEach(function (item, index) {
        children.push(itemPreview(props, item || {}, widgets && widgets.get ? widgets.get(index) : null, index));
      });
      return page(children);
    },
  });

  var CommitteePreview = window.createClass({
    render: function () {
      var data = get(this.props.entry, ["data"]) || {};
      frame(this.props, data.name);
      return page([h("span", { className: "caption", key: "c" }, "Committee"), h("h1", { key: "h" }, data.name || "Name not given yet"),
                   data.description ? h("p", { className: "lead", key: "d" }, data.description) : null]);
    },
  });

  var IssuePreview = window.createClass({
    render: function () {
      var data = get(this.props.entry, ["data"]) || {};
      frame(this.props, data.name);
      return page([h("span", { className: "caption", key: "c" }, "Issue"), h("h1", { key: "h" }, data.name || "Name not given yet"),
                   data.description ? h("p", { className: "lead", key: "d" }, data.description) : null,
                   h("p", { key: "i" }, "Every agenda item about this issue, at any meeting, is listed on its page.")]);
    },
  });

  var PortfolioPreview = window.createClass({
    render: function () {
      var data = get(this.props.entry, ["data"]) || {};
      frame(this.props, data.name);
      var priorities = (data.priorities || []).filter(function (p) { return p && p.title; });
      return page([
        h("span", { className: "caption", key: "c" }, "Portfolio"), h("h1", { key: "h" }, data.name || "Name not given yet"),
        data.description ? h("p", { className: "lead", key: "d" }, data.description) : null,
        priorities.length ? h("h2", { key: "ph" }, "Priorities") : null,
        priorities.length ? h("ol", { key: "pl" }, priorities.map(function (p, i) {
          return h("li", { key: i }, "Priority " + p.number + ": " + p.title);
        })) : null,
      ]);
    },
  });

  var IndicatorPreview = window.createClass({
    render: function () {
      var data = get(this.props.entry, ["data"]) || {};
      frame(this.props, [data.code, data.title].filter(Boolean).join(": "));
      var values = (data.values || []).filter(function (v) { return v && v.period; });
      var unit = data.unit || "";
      var shown = function (n) { return n === undefined || n === null || n === "" ? "–" : n + unit; };
      return page([
        h("span", { className: "caption", key: "c" }, "Indicator " + (data.code || "")), h("h1", { key: "h" }, data.title || data.code || ""),
        data.description ? h("div", { key: "d" }, this.props.widgetFor("description")) : null,
        values.length ? h("h2", { key: "vh" }, "Values") : null,
        values.length ? h("table", { className: "table", key: "vt" },
          h("caption", { className: "table__caption" }, "Values of " + (data.code || "the indicator")),
          h("thead", null, h("tr", null, ["Period", "Actual", "Target", "Rating", "Note"].map(function (c) {
            return h("th", { scope: "col", key: c }, c);
          }))),
          h("tbody", null, values.map(function (v, i) {
            return h("tr", { key: i }, h("th", { scope: "row" }, v.period), h("td", null, shown(v.actual)),
              h("td", null, shown(v.target)), h("td", null, v.rag ? h("strong", { className: "tag tag--" + v.rag }, v.rag) : "No rating"),
              h("td", null, v.note || ""));
          }))) : null,
      ]);
    },
  });

  var SitePreview = window.createClass({
    render: function () {
      var data = get(this.props.entry, ["data"]) || {};
      frame(this.props, data.title);
      return page([h("span", { className: "caption", key: "c" }, data.organisation || ""), h("h1", { key: "h" }, data.title || ""),
                   data.description ? h("p", { className: "lead", key: "d" }, data.description) : null,
                   summaryList([["Web address", data.base_url], ["Language", data.language], ["Licence", data.licence || "Open Government Licence v3.0"]])]);
    },
  });

  CMS.registerPreviewTemplate("meetings", MeetingPreview);
  CMS.registerPreviewTemplate("committees", CommitteePreview);
  CMS.registerPreviewTemplate("issues", IssuePreview);
  CMS.registerPreviewTemplate("portfolios", PortfolioPreview);
  CMS.registerPreviewTemplate("indicators", IndicatorPreview);
  CMS.registerPreviewTemplate("site", SitePreview);
})();
