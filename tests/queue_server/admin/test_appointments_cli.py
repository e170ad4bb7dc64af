"""``vuoro appointments import FILE.ics --service KEY``: a booking system's calendar export, booked once per UID,
and nothing of an event kept but its time (no summary, no attendee)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from queue_server.cli import main
from queue_server.db import Database
from queue_server.models import Appointment
from tests.queue_server.admin.test_cli import write_config

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Booking system//EN
BEGIN:VEVENT
UID:booking-1@city.example
DTSTART;TZID=Europe/Helsinki:20270301T100000
DTEND;TZID=Europe/Helsinki:20270301T103000
SUMMARY:Matti Meikäläinen, asumistuki
ATTENDEE;CN=Matti Meikäläinen:mailto:matti@example.org
END:VEVENT
BEGIN:VEVENT
UID:booking-2@city.example
DTSTART:20270301T081500Z
DURATION:PT15M
SUMMARY:Maija
END:VEVENT
BEGIN:VEVENT
UID:booking-3@city.example
DTSTART;VALUE=DATE:20270302
SUMMARY:all day
END:VEVENT
BEGIN:VEVENT
UID:booking-4@city.example
DTSTART;TZID=Europe/Helsinki:20270301T100700
SUMMARY:off the grid
END:VEVENT
END:VCALENDAR
"""


def test_a_calendar_is_imported_once_and_keeps_nothing_personal(config_data: dict[str, Any], tmp_path: Path) -> None:
    data = copy.deepcopy(config_data)
    data["services"][0]["appointments"] = {"slot_minutes": 15, "per_slot": 2}
    config = str(write_config(data, tmp_path))
    calendar = tmp_path / "export.ics"
    calendar.write_text(ICS.replace("\n", "\r\n"), encoding="utf-8")
    args = ["appointments", "import", str(calendar), "--service", "kela", "--config", config]

    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "2 booked, 0 imported before, 2 not booked" in first.output
    assert "all-day event" in first.output and "not one of kela's slots" in first.output
    again = CliRunner().invoke(main, args)
    assert "0 booked, 2 imported before, 2 not booked" in again.output, again.output

    db = Database(data["database_url"])
    with db.reader() as session:
        rows = session.execute(
            sa.select(Appointment.start, Appointment.duration_min, Appointment.source, Appointment.source_uid).order_by(
                Appointment.start
            )
        ).all()
    db.dispose()
    assert [(r.start.isoformat(), r.duration_min, r.source) for r in rows] == [
        ("2027-03-01T08:00:00+00:00", 30, "ics"),
        ("2027-03-01T08:15:00+00:00", 15, "ics"),
    ]
    stored = Path(data["database_url"].removeprefix("sqlite:///")).read_bytes()
    for personal in ("Meikäläinen".encode(), b"matti@example.org", b"booking-1@city.example", b"Maija"):
        assert personal not in stored


def test_an_unknown_service_or_a_file_that_is_no_calendar_is_refused(
    config_data: dict[str, Any], tmp_path: Path
) -> None:
    config = str(write_config(config_data, tmp_path))
    calendar = tmp_path / "export.ics"
    calendar.write_text(ICS, encoding="utf-8")
    walk_ins = CliRunner().invoke(
        main, ["appointments", "import", str(calendar), "--service", "kela", "--config", config]
    )
    assert walk_ins.exit_code == 1 and "takes no appointments" in walk_ins.output
    calendar.write_text("hello", encoding="utf-8")
    broken = CliRunner().invoke(
        main, ["appointments", "import", str(calendar), "--service", "kela", "--config", config]
    )
    assert broken.exit_code == 1 and "not an iCalendar file" in broken.output
