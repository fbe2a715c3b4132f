// Prints every occurrence of every VEVENT of an .ics file as UTC instants, using Mozilla's
// ical.js (Thunderbird's parser). Times are converted with the file's own VTIMEZONE: the
// zones are registered from the file, so ical.js has no built-in zone to fall back on.
// Usage: node icaljs_times.mjs FILE.ics [UNTIL_YEAR]
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, untilYear = "2045"] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));

for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}

function utc(time) {
  if (time.isDate) return time.toString(); // all-day: a date, no instant
  if (time.zone === ICAL.Timezone.localTimezone && !time.timezone) {
    throw new Error(`floating time ${time}`);
  }
  const tzid = time.timezone;
  if (tzid && tzid !== "Z" && tzid !== "UTC" && !ICAL.TimezoneService.has(tzid)) {
    throw new Error(`zone ${tzid} not defined in the file`);
  }
  return time.convertToZone(ICAL.Timezone.utcTimezone).toString();
}

const out = [];
const limit = ICAL.Time.fromDateString(`${untilYear}-12-31`);
for (const vevent of root.getAllSubcomponents("vevent")) {
  if (vevent.hasProperty("recurrence-id")) continue; // handled through the master's iterator
  const event = new ICAL.Event(vevent, { strictExceptions: true });
  for (const other of root.getAllSubcomponents("vevent")) {
    if (other !== vevent && other.hasProperty("recurrence-id") &&
        other.getFirstPropertyValue("uid") === event.uid) {
      event.relateException(other);
    }
  }
  if (!event.isRecurring()) {
    out.push({ uid: event.uid, start: utc(event.startDate), end: utc(event.endDate),
               method: root.getFirstPropertyValue("method") });
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next && next.compare(limit) < 0; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    out.push({ uid: event.uid, start: utc(details.startDate), end: utc(details.endDate),
               method: root.getFirstPropertyValue("method") });
  }
}
process.stdout.write(JSON.stringify(out));
