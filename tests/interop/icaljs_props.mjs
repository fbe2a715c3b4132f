// Prints what Mozilla's ical.js reads from every VEVENT of an .ics file: the names of its
// properties in order, the text of SUMMARY and DESCRIPTION, ORGANIZER and ATTENDEEs with
// their parameters, and its alarms; plus the calendar's own properties. The tests use it to
// prove that text a user typed never adds or changes a property.
// Usage: node icaljs_props.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));

function address(prop) {
  const params = {};
  for (const name of ["cn", "role", "partstat", "rsvp", "cutype"]) {
    const value = prop.getParameter(name);
    if (value !== undefined) params[name.toUpperCase()] = value;
  }
  return { value: prop.getFirstValue(), params };
}

const events = root.getAllSubcomponents("vevent").map((vevent) => ({
  calendar: root.getAllProperties().map((p) => p.name.toUpperCase()),
  method: root.getFirstPropertyValue("method"),
  properties: vevent.getAllProperties().map((p) => p.name.toUpperCase()),
  summary: vevent.getFirstPropertyValue("summary"),
  description: vevent.getFirstPropertyValue("description"),
  organizer: vevent.hasProperty("organizer") ? address(vevent.getFirstProperty("organizer")) : null,
  attendees: vevent.getAllProperties("attendee").map(address),
  alarms: vevent.getAllSubcomponents("valarm").map((a) => ({
    action: a.getFirstPropertyValue("action"),
    trigger: a.getFirstPropertyValue("trigger").toString(),
  })),
  xwrcalname: root.getFirstPropertyValue("x-wr-calname"),
}));
process.stdout.write(JSON.stringify(events));
