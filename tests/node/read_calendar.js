// Reads iCalendar files with the two JavaScript libraries web calendars use, ical.js and
// node-ical, and prints what each understood as JSON (one object per file), for
// tests/test_opendata_clients.py. Usage: node read_calendar.js FILE...
"use strict";
const fs = require("fs");
const ICAL = require("ical.js");
const nodeIcal = require("node-ical");

function withIcalJs(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  // a client registers the file's own VTIMEZONE and converts times with it
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      location: event.location,
      description: event.description,
      status: component.getFirstPropertyValue("status"),
      allDay: event.startDate.isDate,
      start: event.startDate.isDate ? event.startDate.toString() : event.startDate.toJSDate().toISOString(),
      end: event.endDate.isDate ? event.endDate.toString() : event.endDate.toJSDate().toISOString(),
    };
  });
  return {
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    rfc7986Name: calendar.getFirstPropertyValue("name"),
    events,
  };
}

function withNodeIcal(text) {
  const parsed = nodeIcal.sync.parseICS(text);
  const events = [];
  let name = null;
  for (const value of Object.values(parsed)) {
    if (value.type === "VCALENDAR") {
      name = value["WR-CALNAME"] || null;
    }
    if (value.type === "VEVENT") {
      const allDay = value.datetype === "date";
      events.push({
        uid: value.uid,
        summary: typeof value.summary === "string" ? value.summary : (value.summary && value.summary.val),
        location: value.location || null,
        status: value.status || null,
        allDay,
        start: allDay ? null : value.start.toISOString(),
      });
    }
  }
  return { name, events };
}

const out = {};
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, "utf8");
  out[file] = { icaljs: withIcalJs(text), nodeical: withNodeIcal(text) };
}
process.stdout.write(JSON.stringify(out));
