"""A service's appointments on the services page (/admin/services?edit=<key>, the ``appointments:`` block): what
an admin saves reaches the live configuration at once, so the slots and new bookings follow it while the
appointments already booked are kept; bad input shows the page again with 400 and the field named.

The shared clock stands at Friday 2026-11-27 10:00 in Helsinki; Monday 2026-11-30 is the day booked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.queue_server.admin.test_manage_services import live, log_in, page, post
from tests.queue_server.api.test_appointments import with_appointments

MONDAY = "2026-11-30"
#: the form as an admin sends it: 30-minute slots for one visitor, Monday mornings only
FORM = {
    "form": "appointments",
    "appointments": "1",
    "slot_minutes": "30",
    "per_slot": "1",
    "appointment_prefix": "b",
    "checkin_early_min": "20",
    "grace_min": "5",
    "appt_mon": "08:00-12:00",
}


@pytest.fixture
def booking_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    """Kela takes appointments: two visitors per 15-minute slot, 08:00-12:00 on Mondays and Fridays."""
    return make_app(with_appointments(config_data))


@pytest.fixture
def admin(booking_app: Flask) -> FlaskClient:
    return log_in(booking_app, booking_app.extensions["vuoro"], "admin")


def slots(app: Flask, day: str = MONDAY, service: str = "kela") -> Any:
    resp = app.test_client().get(f"/api/services/{service}/slots?day={day}")
    return resp.get_json()["slots"] if resp.status_code == 200 else resp.status_code


def book(app: Flask, start: str, status: int = 201) -> dict[str, Any]:
    resp = app.test_client().post("/api/bookings", json={"service": "kela", "start": start})
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()  # type: ignore[no-any-return]


def appointments(app: Flask) -> Any:
    return live(app, app.extensions["vuoro"])["services"]["kela"].get("appointments")


def test_the_editor_shows_the_appointments_of_a_service_and_the_defaults_of_one_without(admin: FlaskClient) -> None:
    html = page(admin, "&edit=kela")
    form = re.search(r'<form id="appointments".*?</form>', html, re.S)
    assert form, "no appointments form"
    assert 'name="appointments" type="checkbox" value="1" checked' in form.group(0)
    assert 'name="per_slot" type="number" min="1" max="100" step="1" inputmode="numeric" value="2"' in form.group(0)
    assert 'name="appt_fri"' in form.group(0) and 'value="08:00-12:00"' in form.group(0)
    assert 'name="appt_same_hours" type="checkbox" value="1">' in form.group(0)  # hours of its own: unticked
    library = re.search(r'<form id="appointments".*?</form>', page(admin, "&edit=library"), re.S)
    assert library and 'name="appointments" type="checkbox" value="1">' in library.group(0)  # walk-ins only
    assert (
        'name="slot_minutes" type="number" min="5" max="240" step="1" inputmode="numeric" value="15"'
        in library.group(0)
        and 'name="appt_same_hours" type="checkbox" value="1" checked' in library.group(0)
    )
    assert "Save the appointments" in html and "Same as the service&#39;s opening hours" in html


def test_the_slots_follow_an_edit_at_once_and_bookings_already_made_are_kept(
    booking_app: Flask, admin: FlaskClient
) -> None:
    kept = book(booking_app, f"{MONDAY}T08:15:00+02:00")["appointment"]
    assert len(slots(booking_app)) == 16 and slots(booking_app)[0]["capacity"] == 2

    location = post(admin, "/services/kela/appointments", FORM)
    assert "edit=kela" in location and location.endswith("#appointments")
    assert appointments(booking_app) == {
        "slot_minutes": 30,
        "prefix": "B",
        "checkin_early_min": 20,
        "grace_min": 5,
        "hours": {"mon": "08:00-12:00"},
    }  # one per slot: the default
    monday = slots(booking_app)
    assert [s["start"] for s in monday[:2]] == ["2026-11-30T06:00:00+00:00", "2026-11-30T06:30:00+00:00"]
    assert len(monday) == 8 and {(s["capacity"], s["free"]) for s in monday} == {(1, 1)}
    assert slots(booking_app, "2026-12-04") == []  # Fridays: no appointments any more
    book(booking_app, f"{MONDAY}T08:15:00+02:00", status=400)  # off the 30-minute grid now
    book(booking_app, f"{MONDAY}T08:30:00+02:00")
    book(booking_app, f"{MONDAY}T08:30:00+02:00", status=409)  # one visitor per slot
    assert (
        booking_app.test_client().get(f"/api/appointments/{kept['code']}").get_json()["appointment"]["status"]
        == "booked"
    )

    # "same as the service's opening hours": Kela is always open, so slots around the clock
    post(admin, "/services/kela/appointments", {**FORM, "appt_mon": "", "appt_same_hours": "1"})
    assert "hours" not in appointments(booking_app) and len(slots(booking_app, "2026-11-29")) == 48

    # unticked: walk-ins only; the appointment booked is still there, and the form offers the block again
    post(admin, "/services/kela/appointments", {**FORM, "appointments": ""})
    assert appointments(booking_app) is None and slots(booking_app) == 409
    assert booking_app.test_client().get(f"/api/appointments/{kept['code']}").status_code == 200
    assert 'name="appointments" type="checkbox" value="1">' in page(admin, "&edit=kela")


def test_a_service_starts_taking_appointments_and_the_booking_page_offers_it(
    booking_app: Flask, admin: FlaskClient
) -> None:
    assert slots(booking_app, service="library") == 409
    post(
        admin,
        "/services/library/appointments",
        {
            "form": "appointments",
            "appointments": "1",
            "slot_minutes": "15",
            "per_slot": "1",
            "appointment_prefix": "A",
            "checkin_early_min": "30",
            "grace_min": "10",
            "appt_same_hours": "1",
        },
    )
    assert live(booking_app, booking_app.extensions["vuoro"])["services"]["library"]["appointments"] == {}
    listed = booking_app.test_client().get("/api/services").get_json()["services"]
    assert {s["key"]: s["appointments"] for s in listed}["library"] is True
    assert len(slots(booking_app, service="library")) == 96


def test_an_unchanged_form_writes_no_new_version(booking_app: Flask, admin: FlaskClient) -> None:
    same = {
        "form": "appointments",
        "appointments": "1",
        "slot_minutes": "15",
        "per_slot": "2",
        "appointment_prefix": "A",
        "checkin_early_min": "30",
        "grace_min": "10",
        "appt_mon": "08:00-12:00",
        "appt_fri": " 08:00-12:00 ",
    }
    version = live(booking_app, booking_app.extensions["vuoro"])["version"]
    post(admin, "/services/kela/appointments", same)
    assert live(booking_app, booking_app.extensions["vuoro"])["version"] == version


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({**FORM, "slot_minutes": "half an hour"}, "appointments.slot_minutes"),
        ({**FORM, "slot_minutes": "3"}, "appointments.slot_minutes"),
        ({**FORM, "per_slot": "0"}, "appointments.per_slot"),
        ({**FORM, "per_slot": "1.5"}, "appointments.per_slot"),
        ({**FORM, "grace_min": "-1"}, "appointments.grace_min"),
        ({**FORM, "checkin_early_min": "nan"}, "appointments.checkin_early_min"),
        ({**FORM, "appointment_prefix": "A1"}, "appointments.prefix"),
        ({**FORM, "appt_mon": "25:00-26:00"}, "appointments.hours.mon"),
        ({**FORM, "appt_tue": "12:00-08:00"}, "appointments.hours.tue"),
        ({**FORM, "appt_same_hours": "1"}, "appointments.hours"),
    ],
)
def test_bad_input_shows_the_page_again_with_400_the_field_named_and_what_was_typed(
    booking_app: Flask, admin: FlaskClient, data: dict[str, str], named: str
) -> None:
    before = live(booking_app, booking_app.extensions["vuoro"])["config"]
    html = post(admin, "/services/kela/appointments", data, status=400)
    error = re.search(r'<p class="notice notice-error" role="alert" id="manage-error">(.*?)</p>', html, re.S)
    assert error and named in error.group(1), html[:2000]
    assert 'id="services"' in html and 'id="appointments"' in html  # the whole page, not an error page
    form = re.search(r'<form id="appointments".*?</form>', html, re.S)
    typed = {name: value for name, value in data.items() if name not in ("form", "appointments", "appt_same_hours")}
    assert form and all(
        f'name="{name}"' in form.group(0) and f'value="{value}"' in form.group(0) for name, value in typed.items()
    )
    assert live(booking_app, booking_app.extensions["vuoro"])["config"] == before
    assert len(slots(booking_app)) == 16


def test_only_an_admin_changes_appointments(booking_app: Flask, admin: FlaskClient) -> None:
    supervisor = log_in(booking_app, booking_app.extensions["vuoro"], "supervisor")
    assert supervisor.post("/admin/services/kela/appointments", data=FORM).status_code == 403
    assert 'id="appointments"' not in page(supervisor, "&edit=kela")
    assert booking_app.test_client().post("/admin/services/kela/appointments", data=FORM).status_code == 302
    assert "no such service" in post(admin, "/services/passport/appointments", FORM, status=404)
    assert appointments(booking_app)["per_slot"] == 2
