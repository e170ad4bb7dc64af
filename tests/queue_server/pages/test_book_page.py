"""The public booking page ``/book``, its QR code of a booking code and the ``.ics`` calendar file, through
Flask's test client.

The shared clock stands at Friday 2026-11-27 10:00 in Helsinki; Kela takes appointments 08:00-12:00 on
Mondays and Fridays, two visitors per 15-minute slot (tests/queue_server/api/test_appointments.py).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from queue_server.i18n.catalogue import text
from tests.queue_server.api.test_appointments import AT_1015, KELA, with_appointments
from tests.queue_server.helpers import Api, OpenApi, assert_error, bearer

from .helpers import decode_svg_qr, inline_code, script_sources

LANGUAGES = ["fi", "sv", "en", "ru", "et", "ar"]
#: what a calendar entry of ours holds, and all it holds: no attendee, organizer, contact or comment
EVENT_FIELDS = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY", "DESCRIPTION", "LOCATION"}


@pytest.fixture
def booking_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    data = with_appointments(config_data)
    data["centre"]["languages"] = LANGUAGES
    return make_app(data)


@pytest.fixture
def client(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


def book(client: FlaskClient, start: str = AT_1015) -> dict[str, Any]:
    resp = client.post("/api/bookings", json={"service": "kela", "start": start})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["appointment"]  # type: ignore[no-any-return]


def calendar_event(client: FlaskClient, code: str, language: str) -> Any:
    resp = client.get(f"/api/appointments/{code}/calendar.ics?language={language}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/calendar" and resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    events = Calendar.from_ical(resp.get_data()).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def body_data(html: str, name: str) -> str:
    found = re.search(rf'<body[^>]* data-{name}="([^"]*)"', html)
    assert found, name
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


# -- the page ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_booking_page_opens_in_each_language(client: FlaskClient, lang: str) -> None:
    resp = client.get(f"/book?lang={lang}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    direction = ' dir="rtl"' if lang == "ar" else ""
    assert f'<html lang="{lang}"{direction}>' in html
    for key in ("book.title", "book.step_service", "book.step_day", "book.step_slot", "book.have_code"):
        assert text(key, lang) in html, key
    assert inline_code(html) == []
    assert script_sources(html)[-1] == "/assets/vuoro/book.js"
    strings = json.loads(body_data(html, "strings"))
    assert set(strings) == set(LANGUAGES)  # the switch changes every text in place
    assert strings["ar"]["book.slot_full"] == text("book.slot_full", "ar")
    assert body_data(html, "rtl") == "ar"


def test_the_page_offers_today_up_to_the_booking_horizon(client: FlaskClient) -> None:
    html = client.get("/book").get_data(as_text=True)
    # 2026-11-27 10:00 + 90 days is 2027-02-25 10:00: that day's later slots are beyond it, so the 24th is last
    assert (body_data(html, "today"), body_data(html, "last-day")) == ("2026-11-27", "2027-02-24")
    assert 'min="2026-11-27" max="2027-02-24" value="2026-11-27"' in html
    assert (
        client.post("/api/bookings", json={"service": "kela", "start": "2027-02-26T10:00:00+02:00"}).status_code == 400
    )  # past the horizon: refused by the API too


def test_a_sensitive_service_shows_only_its_public_name(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    data = with_appointments(config_data)
    data["services"][3]["appointments"] = copy.deepcopy(KELA)  # mental: booked by its own booking system
    app = make_app(data)
    client = app.test_client()
    html = client.get("/book").get_data(as_text=True)
    assert json.loads(body_data(html, "public-names"))["mental"]["fi"] == "Terveysasema"
    assert "Mielenterveys" not in html
    made = client.post(
        "/api/appointments",
        json={"service": "mental", "start": AT_1015},
        headers=bearer(app.extensions["vuoro"], "booking", "calendar"),
    )
    event = calendar_event(client, made.get_json()["appointment"]["code"], "fi")
    assert str(event["SUMMARY"]) == "Terveysasema – Testikeskus"
    assert "Mielenterveys" not in event.to_ical().decode()
    offered = {s["key"]: (s["appointments"], s["checkin"]) for s in client.get("/api/services").get_json()["services"]}
    assert offered["kela"] == (True, True) and offered["library"] == (False, False)
    assert offered["mental"] == (False, True)  # not booked on /book, but checked in at the kiosk


# -- the calendar file ---------------------------------------------------------------------------------------


def test_the_calendar_file_holds_the_booked_time_and_nothing_personal(client: FlaskClient) -> None:
    code = book(client)["code"]
    event = calendar_event(client, code.lower(), "sv")  # any case, as everywhere a code is typed
    assert set(event) == EVENT_FIELDS
    assert event.decoded("DTSTART") == datetime(2026, 11, 27, 8, 15, tzinfo=UTC)  # 10:15 in Helsinki
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=10)  # Kela's service time
    assert str(event["SUMMARY"]) == "FPA – Testcenter"
    assert str(event["LOCATION"]) == "2 våningen, Testcenter"
    description = str(event["DESCRIPTION"])
    assert f"Bokningskod: {code}" in description and "http://vuoro.test/book" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    assert code not in str(event["UID"]) and code.lower() not in str(event["UID"]).lower()
    assert str(event["UID"]).endswith("@vuoro.test")
    assert calendar_event(client, code, "ar")["SUMMARY"] == "Kela – Testikeskus"  # no Arabic names: Finnish


def test_a_cancelled_booking_s_file_cancels_the_same_calendar_entry(client: FlaskClient) -> None:
    code = book(client)["code"]
    booked = calendar_event(client, code, "fi")
    assert client.delete(f"/api/appointments/{code}").status_code == 200
    cancelled = calendar_event(client, code, "fi")
    assert cancelled["UID"] == booked["UID"]
    assert (str(cancelled["STATUS"]), cancelled["SEQUENCE"]) == ("CANCELLED", 1)
    assert calendar_event(client, book(client)["code"], "fi")["UID"] != booked["UID"]


def test_the_calendar_file_answers_as_documented(client: FlaskClient, openapi: OpenApi) -> None:
    api = Api(client, openapi)
    code = book(client)["code"]
    api.get(f"/api/appointments/{code}/calendar.ics?language=en", expect=200)
    assert_error(api.get("/api/appointments/AAAAAA/calendar.ics", expect=404), 404, "unknown_appointment")
    assert_error(api.get(f"/api/appointments/{code}/calendar.ics?language=de", expect=400), 400, "invalid_request")


# -- the QR code and the limits ------------------------------------------------------------------------------


def test_the_qr_code_holds_the_booking_code(client: FlaskClient) -> None:
    code = book(client)["code"]
    resp = client.get(f"/book/{code.lower()}/qr.svg")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert resp.headers["Cache-Control"] == "no-store"
    assert decode_svg_qr(resp.get_data()) == code
    missing = client.get("/book/AAAAAA/qr.svg")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_the_qr_code_and_the_calendar_file_share_the_code_lookups_budget(
    config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    """Guessing codes through the QR code or the calendar file is no way around the lookups' limit."""
    data = with_appointments(config_data)
    data["limits"] = {"enabled": True, "appointment_code_per_client": "3/hour"}
    client = make_app(data).test_client()
    code = book(client)["code"]
    tries = [
        client.get(f"/book/{code}/qr.svg"),
        client.get(f"/api/appointments/{code}/calendar.ics"),
        client.get("/api/appointments/CCCCCC"),
        client.get("/book/DDDDDD/qr.svg"),
        client.get(f"/api/appointments/{code}/calendar.ics"),
    ]
    assert [r.status_code for r in tries] == [200, 200, 404, 429, 429]
    assert_error(tries[4], 429, "rate_limited")
    assert client.get("/book").status_code == 200  # the page itself takes no code: never limited
