"""Prints what libical reads from every VEVENT of an .ics file (same shape as
icaljs_props.mjs): property names in order, SUMMARY and DESCRIPTION text, ORGANIZER and
ATTENDEEs with their parameters, alarms, and the calendar's own properties.

Runs under the system Python (Debian's python3-gi and gir1.2-ical-3.0), not the project venv:
    /usr/bin/python3 libical_props.py FILE.ics
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

ANY = ICalGLib.PropertyKind.ANY_PROPERTY
PARAMETERS = {
    "CN": (ICalGLib.ParameterKind.CN_PARAMETER, "get_cn"),
    "ROLE": (ICalGLib.ParameterKind.ROLE_PARAMETER, None),
    "PARTSTAT": (ICalGLib.ParameterKind.PARTSTAT_PARAMETER, None),
    "RSVP": (ICalGLib.ParameterKind.RSVP_PARAMETER, None),
    "CUTYPE": (ICalGLib.ParameterKind.CUTYPE_PARAMETER, None),
}


def names(component):
    found = []
    prop = component.get_first_property(ANY)
    while prop is not None:
        found.append(prop.get_property_name())
        prop = component.get_next_property(ANY)
    return found


def address(prop):
    params = {}
    for name, (kind, getter) in PARAMETERS.items():
        param = prop.get_first_parameter(kind)
        if param is None:
            continue
        if getter:
            params[name] = getattr(param, getter)()
        else:
            params[name] = param.as_ical_string().split("=", 1)[1]
    return {"value": prop.get_value_as_string(), "params": params}


def all_of(component, kind):
    found = []
    prop = component.get_first_property(kind)
    while prop is not None:
        found.append(prop)
        prop = component.get_next_property(kind)
    return found


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        root = ICalGLib.Component.new_from_string(handle.read())
    if root is None:
        raise SystemExit("libical could not parse the file")
    method = root.get_first_property(ICalGLib.PropertyKind.METHOD_PROPERTY)
    calname = [
        p
        for p in all_of(root, ICalGLib.PropertyKind.X_PROPERTY)
        if p.get_x_name() == "X-WR-CALNAME"
    ]
    events = []
    event = root.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        organizer = event.get_first_property(ICalGLib.PropertyKind.ORGANIZER_PROPERTY)
        alarms = []
        alarm = event.get_first_component(ICalGLib.ComponentKind.VALARM_COMPONENT)
        while alarm is not None:
            action = alarm.get_first_property(ICalGLib.PropertyKind.ACTION_PROPERTY)
            trigger = alarm.get_first_property(ICalGLib.PropertyKind.TRIGGER_PROPERTY)
            alarms.append(
                {
                    "action": action.get_value_as_string() if action else None,
                    "trigger": trigger.get_value_as_string() if trigger else None,
                }
            )
            alarm = event.get_next_component(ICalGLib.ComponentKind.VALARM_COMPONENT)
        events.append(
            {
                "calendar": names(root),
                "method": method.get_value_as_string() if method else None,
                "properties": names(event),
                "summary": event.get_summary(),
                "description": event.get_description(),
                "organizer": address(organizer) if organizer else None,
                "attendees": [
                    address(p) for p in all_of(event, ICalGLib.PropertyKind.ATTENDEE_PROPERTY)
                ],
                "alarms": alarms,
                "xwrcalname": calname[0].get_x() if calname else None,
            }
        )
        event = root.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    print(json.dumps(events))


if __name__ == "__main__":
    main()
