"""Appointments meet walk-ins, with a controlled clock: check-in opens 30 minutes before and closes 10 minutes
after the booked time; a checked-in appointment is called at its time, first, and not before while walk-ins
wait; one never checked in becomes a no-show when its check-in closes.

Kela takes appointments 08:00-12:00 on Fridays, one per 15-minute slot; desk d1 serves Kela only.  The clock
starts on Friday 2026-11-27 at 07:00 in Helsinki, before anything is booked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from queue_server.domain.statistics import APPOINTMENT, WALK_IN
from queue_server.models import DailyStats
from queue_server.services import appointments
from queue_server.services.context import Context
from queue_server.services.report_pdf import render_report
from queue_server.services.retention import purge
from queue_server.services.statistics import build_report
from tests.conftest import FakeClock
from tests.queue_server.api.test_appointments import with_appointments
from tests.queue_server.api.test_stats import pdf_text
from tests.queue_server.helpers import bearer

AT_10 = "2026-11-27T10:00:00+02:00"


@pytest.fixture
def booking_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock) -> Flask:
    clock.set_local("2026-11-27T07:00:00")
    return make_app(with_appointments(config_data, per_slot=1))


@pytest.fixture
def ctx(booking_app: Flask) -> Context:
    return booking_app.extensions["vuoro"]  # type: ignore[no-any-return]


@pytest.fixture
def client(booking_app: Flask) -> FlaskClient:
    return booking_app.test_client()


def book(client: FlaskClient, start: str = AT_10) -> str:
    resp = client.post("/api/bookings", json={"service": "kela", "start": start})
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["appointment"]["code"])


def take(client: FlaskClient, ctx: Context, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
    resp = client.post("/api/tickets", json={"kiosk": "k2", **body}, headers=bearer(ctx, "kiosk", "k2"))
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()  # type: ignore[no-any-return]


def call_next(client: FlaskClient, ctx: Context, desk: str = "d1") -> str | None:
    headers = bearer(ctx, "desk", desk)
    current = client.get(f"/api/desks/{desk}", headers=headers).get_json()["ticket"]
    if current is not None:
        assert client.post(f"/api/desks/{desk}/finish", headers=headers).status_code == 200
    resp = client.post(f"/api/desks/{desk}/next", headers=headers)
    if resp.status_code == 204:  # nobody to call
        return None
    assert resp.status_code == 200, resp.get_json()
    ticket = resp.get_json()["ticket"]
    return None if ticket is None else str(ticket["number"])


def status_of(client: FlaskClient, code: str) -> str:
    return str(client.get(f"/api/appointments/{code}").get_json()["appointment"]["status"])


def test_an_appointment_checked_in_early_is_not_called_before_its_time_and_is_called_first_at_it(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    code = book(client)
    clock.set_local("2026-11-27T09:50:00")
    ticket = take(client, ctx, {"appointment": code})["ticket"]
    assert ticket["number"] == "A001" and ticket["appointment_at"] == "2026-11-27T08:00:00+00:00"
    assert ticket["status"] == "waiting" and ticket["estimated_wait_s"] >= 600  # called at 10:00, not sooner
    assert status_of(client, code) == "checked_in"
    walk_ins = [take(client, ctx, {"services": ["kela"]})["ticket"]["number"] for _ in range(3)]
    assert walk_ins == ["K001", "K002", "K003"]

    assert call_next(client, ctx) == "K001"  # 09:50: walk-ins wait, the appointment's time has not come
    clock.set_local("2026-11-27T09:59:59")
    assert call_next(client, ctx) == "K002"
    clock.set_local("2026-11-27T10:00:00")
    assert call_next(client, ctx) == "A001"  # its time: ahead of K003, who waits longer
    assert status_of(client, code) == "called"
    assert call_next(client, ctx) == "K003"
    assert call_next(client, ctx) is None
    assert status_of(client, code) == "done"


def test_an_early_appointment_is_called_when_no_walk_in_waits(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    code = book(client)
    clock.set_local("2026-11-27T09:40:00")
    take(client, ctx, {"appointment": code})
    assert call_next(client, ctx) == "A001"  # nobody else waits: the desk does not sit idle beside the visitor


def test_a_due_appointment_goes_ahead_of_priority_and_leaves_the_walk_ins_priority_ratio_alone(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    first, second = book(client), book(client, "2026-11-27T10:15:00+02:00")
    clock.set_local("2026-11-27T09:55:00")
    assert take(client, ctx, {"appointment": second})["ticket"]["number"] == "A001"
    assert take(client, ctx, {"appointment": first})["ticket"]["number"] == "A002"
    numbers = [
        take(client, ctx, {"services": ["kela"], "priority": p})["ticket"]["number"] for p in (True, True, True, False)
    ]
    assert numbers == ["K001", "K002", "K003", "K004"]
    clock.set_local("2026-11-27T10:20:00")
    # both appointments are due, the earlier booked first; then priority twice (ratio 2), a normal, priority
    called = [call_next(client, ctx) for _ in range(6)]
    assert called == ["A002", "A001", "K001", "K002", "K004", "K003"]


def test_a_check_in_too_early_says_when_to_come_back(client: FlaskClient, ctx: Context, clock: FakeClock) -> None:
    code = book(client)
    clock.set_local("2026-11-27T09:29:00")
    error = take(client, ctx, {"appointment": code}, 409)["error"]
    assert error["code"] == "too_early" and "09:30" in error["message"]
    assert error["come_back_at"] == "2026-11-27T09:30:00+02:00"
    clock.set_local("2026-11-27T09:30:00")
    assert take(client, ctx, {"appointment": code})["ticket"]["number"] == "A001"
    assert take(client, ctx, {"appointment": code}, 409)["error"]["code"] == "not_checkable"  # one ticket a code


def test_a_check_in_after_the_grace_is_refused_with_the_walk_in_offer(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    code, on_time = book(client), book(client, "2026-11-27T10:15:00+02:00")
    clock.set_local("2026-11-27T10:15:00")
    error = take(client, ctx, {"appointment": code}, 409)["error"]
    assert error["code"] == "too_late" and error["walk_in"] is True
    assert "walk-in ticket" in error["message"] and "10:00" in error["message"]
    assert take(client, ctx, {"appointment": on_time})["ticket"]["number"] == "A001"
    assert take(client, ctx, {"services": ["kela"]})["ticket"]["number"] == "K001"  # the offer holds


def test_an_appointment_never_checked_in_becomes_a_no_show_when_its_check_in_closes(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    code = book(client)
    clock.set_local("2026-11-27T10:10:00")
    assert appointments.mark_no_shows(ctx) == 0  # 10:10 itself is still within the grace
    assert status_of(client, code) == "booked"
    clock.set_local("2026-11-27T10:10:01")
    assert appointments.mark_no_shows(ctx) == 1
    assert appointments.mark_no_shows(ctx) == 0  # once
    assert status_of(client, code) == "no_show"
    assert ctx.live is not None and ctx.live.state()["bookings"]  # the model heard of it
    error = take(client, ctx, {"appointment": code}, 409)["error"]
    assert error["code"] == "too_late" and error["walk_in"] is True


def test_cancelled_and_unknown_codes_give_no_ticket_and_a_bad_body_is_refused(
    client: FlaskClient, ctx: Context
) -> None:
    code = book(client)
    assert client.delete(f"/api/appointments/{code}").status_code == 200
    assert take(client, ctx, {"appointment": code}, 409)["error"]["code"] == "not_checkable"
    assert take(client, ctx, {"appointment": "ZZZZZZ"}, 404)["error"]["code"] == "unknown_appointment"
    assert take(client, ctx, {"appointment": code, "services": ["kela"]}, 400)["error"]["code"] == "invalid_request"
    assert take(client, ctx, {"appointment": code, "priority": True}, 400)["error"]["code"] == "invalid_request"
    assert take(client, ctx, {}, 400)["error"]["code"] == "invalid_request"


def test_the_live_model_after_check_ins_and_calls_is_the_one_rebuilt_from_the_database(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    codes = [book(client), book(client, "2026-11-27T10:15:00+02:00"), book(client, "2026-11-27T10:30:00+02:00")]
    clock.set_local("2026-11-27T09:50:00")
    take(client, ctx, {"appointment": codes[0]})
    take(client, ctx, {"appointment": codes[1]})
    take(client, ctx, {"services": ["kela"]})
    clock.set_local("2026-11-27T10:00:00")
    call_next(client, ctx)
    assert ctx.live is not None
    kept = ctx.live.state()
    assert len(kept["bookings"]) == 3 and kept["appointment_queues"]
    ctx.live.rebuild("test")
    assert ctx.live.state() == kept


def test_a_walk_in_s_estimate_counts_the_appointments_due_before_it(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    headers = bearer(ctx, "desk", "d1")
    client.post("/api/desks/d1/status", json={"status": "open"}, headers=headers)
    clock.set_local("2026-11-27T09:45:00")
    take(client, ctx, {"services": ["kela"]})
    take(client, ctx, {"services": ["kela"]})
    without = take(client, ctx, {"services": ["kela"]})["ticket"]
    assert client.delete(f"/api/tickets/{without['token']}").status_code == 200
    for start in ("10:00", "10:15", "10:30"):
        book(client, f"2026-11-27T{start}:00+02:00")
    with_them = take(client, ctx, {"services": ["kela"]})["ticket"]
    assert with_them["estimated_wait_s"] is not None and without["estimated_wait_s"] is not None
    # one desk, ten-minute visits, two walk-ins ahead: the 10:00 appointment is called before the third's turn
    assert with_them["position"] == without["position"] == 3
    assert with_them["estimated_wait_s"] >= without["estimated_wait_s"] + 300


def test_statistics_count_the_appointment_apart_with_its_punctuality_and_keep_it_after_the_purge(
    client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    code = book(client)
    clock.set_local("2026-11-27T09:50:00")
    take(client, ctx, {"appointment": code})
    take(client, ctx, {"services": ["kela"]})
    assert call_next(client, ctx) == "K001"
    clock.set_local("2026-11-27T10:03:00")
    assert call_next(client, ctx) == "A001"  # three minutes after its booked time
    clock.set_local("2026-11-27T10:10:00")
    call_next(client, ctx)
    live = build_report(ctx)
    assert set(live.by_kind) == {APPOINTMENT, WALK_IN}
    appointment = live.by_kind[APPOINTMENT]
    assert (appointment.errands, appointment.served, appointment.appointments) == (1, 1, 1)
    assert appointment.wait.median_s == 780.0 and appointment.punctuality.median_s == 180.0
    assert live.by_kind[WALK_IN].punctuality.n == 0 and live.summary.appointments == 1
    assert live.by_service_kind[("kela", APPOINTMENT)] == appointment
    text = pdf_text(render_report(ctx, live, "en"))
    assert "Walk-ins and appointments" in text and "\nAppointments\n1\n1\n0\n13.0\n3.0\n3.0" in text

    clock.set_local("2027-03-01T12:00:00")  # past the retention period: the tickets go, the figures stay
    assert purge(ctx).tickets == 2
    with ctx.db.reader() as session:
        rows = session.execute(sa.select(DailyStats.kind, DailyStats.punctuality_s)).all()
    assert sorted(map(tuple, rows)) == [(APPOINTMENT, [180]), (WALK_IN, [])]
    kept = build_report(ctx, date(2026, 11, 27), date(2026, 11, 27))
    assert kept.by_kind == live.by_kind
