"""One appointment as an iCalendar file (RFC 5545) for the visitor's own calendar, made with icalendar.

The file says what the booking page says and nothing more: the service's public name (a sensitive service's
reads like its partner's, as on its tickets: a calendar is seen on lock screens and shared with others), the
centre, the time, the code and how to check in.  Its UID is an HMAC of the code under the server's secret: the
same code gives the same UID, so a second download updates the entry rather than adding one, and a UID, which
calendars pass on more widely than a description, gives the code to nobody.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..config import VuoroConfig
from ..domain.appointments import AppointmentStatus
from ..i18n.catalogue import text
from .appointments import find
from .context import Context

PRODID = "-//Vuoro//Appointments//EN"


def calendar_file(ctx: Context, code: str, language: str) -> bytes:
    """The ``.ics`` of the appointment with ``code``, its texts in ``language``; NotFound for an unknown code."""
    appointment = find(ctx, code)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(ctx.config, appointment, language, ctx.now()))
    return bytes(calendar.to_ical())


def event_uid(config: VuoroConfig, code: str) -> str:
    """The calendar entry's UID: stable for a code, and no way back to it without the server's secret."""
    digest = hmac.new(config.secret_key.encode(), f"appointment:{code}".encode(), hashlib.sha256).hexdigest()
    host = urlsplit(config.public_url).hostname or "vuoro"
    return f"{digest[:32]}@{host}"


def _event(config: VuoroConfig, appointment: dict[str, Any], language: str, now: datetime) -> Event:
    start = datetime.fromisoformat(appointment["start"])
    cancelled = appointment["status"] == AppointmentStatus.CANCELLED
    event = Event()
    event.add("uid", event_uid(config, appointment["code"]))
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=appointment["duration_min"]))
    # a cancelled booking keeps its UID: a calendar that imports the file again marks its entry cancelled
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    for name, value in _texts(config, appointment, language).items():
        event.add(name, value)
    return event


def _texts(config: VuoroConfig, appointment: dict[str, Any], language: str) -> dict[str, str]:
    """SUMMARY, DESCRIPTION and LOCATION in ``language``: public names and places only, the code, the page."""
    service = config.service_map.get(appointment["service"])
    centre = config.text(config.centre.name, language)
    name = config.text(service.ticket_name, language) if service else centre
    place = config.text(service.ticket_location, language) if service else ""
    fallback = config.centre.language
    return {
        "summary": text("book.ics_summary", language, fallback, service=name, centre=centre),
        "description": text(
            "book.ics_description",
            language,
            fallback,
            code=appointment["code"],
            url=f"{config.public_url.rstrip('/')}/book",
        ),
        "location": f"{place}, {centre}" if place else centre,
    }
