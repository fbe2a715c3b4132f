"""Prints every occurrence of every VEVENT as UTC instants using libical (Evolution/KDE's
library, through GObject introspection), and whether libical's iTIP restriction check passes.

Runs under the system Python (Debian's python3-gi and gir1.2-ical-3.0), not the project venv:
    /usr/bin/python3 libical_times.py FILE.ics [UNTIL_YEAR]
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def utc_text(moment: "ICalGLib.Time") -> str:
    if moment.is_date():
        return f"{moment.get_year():04d}-{moment.get_month():02d}-{moment.get_day():02d}"
    if not moment.is_utc() and moment.get_timezone() is None:
        raise SystemExit(f"floating or unresolved time {moment.as_ical_string()}")
    zone = moment.get_timezone() or ICalGLib.Timezone.get_utc_timezone()
    seconds = moment.as_timet_with_zone(zone)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> None:
    path = sys.argv[1]
    until_year = int(sys.argv[2]) if len(sys.argv) > 2 else 2045
    with open(path, encoding="utf-8") as handle:
        root = ICalGLib.Component.new_from_string(handle.read())
    if root is None:
        raise SystemExit("libical could not parse the file")
    method_prop = root.get_first_property(ICalGLib.PropertyKind.METHOD_PROPERTY)
    method = method_prop.get_value_as_string() if method_prop else ""
    restriction_ok = bool(ICalGLib.restriction_check(root))
    errors = []
    event = root.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    occurrences = []
    while event is not None:
        prop = event.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
        while prop is not None:
            errors.append(prop.get_xlicerror())
            prop = event.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
        uid = event.get_uid()
        if event.get_first_property(ICalGLib.PropertyKind.RRULE_PROPERTY) is None:
            start_text, end_text = utc_text(event.get_dtstart()), utc_text(event.get_dtend())
            occurrences.append({"uid": uid, "start": start_text, "end": end_text, "method": method})
        else:
            start = event.get_dtstart()
            end = ICalGLib.Time.new_from_string(f"{until_year}1231T000000Z")

            def collect(_comp, span, _data=None, uid=uid):
                begin = datetime.fromtimestamp(span.get_start(), UTC)
                finish = datetime.fromtimestamp(span.get_end(), UTC)
                occurrences.append(
                    {
                        "uid": uid,
                        "start": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "end": finish.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "method": method,
                    }
                )

            event.foreach_recurrence(start, end, collect)
        event = root.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    root_errors = []
    prop = root.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        root_errors.append(prop.get_xlicerror())
        prop = root.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    print(
        json.dumps(
            {
                "restriction_ok": restriction_ok,
                "errors": errors + root_errors,
                "occurrences": occurrences,
            }
        )
    )


if __name__ == "__main__":
    main()
