"""Appointments: a booking system makes and lists them; a visitor books a free slot on the public page, takes
it to a calendar (``.ics``) and cancels with the code; anybody may see a service's free slots (counts only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, jsonify, request

from ..domain.roles import BOOKING_ROLES
from ..services import appointments as service
from ..services.calendar_export import calendar_file
from ..web.auth import require
from ..web.context import ctx, parse_body, query_language
from ..web.errors import ApiError
from . import bp
from .appointment_schemas import (
    AppointmentEnvelope,
    AppointmentOut,
    AppointmentRequest,
    AppointmentsEnvelope,
    BookingRequest,
    SlotOut,
    SlotsEnvelope,
)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_request", f"start: {text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise ApiError(400, "invalid_request", "start: give the offset too (2026-12-04T10:00:00+02:00)")
    return value


#: how far from today a ``day`` may be (either way): a date near year 1 or 9999 cannot be turned into UTC
DAY_RANGE = timedelta(days=3660)


def _day(name: str) -> date:
    today = ctx().today(ctx().now())
    text = request.args.get(name)
    if not text:
        return today
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_request", f"{name}: {text!r} is not a date like 2026-12-04") from None
    if abs(value - today) > DAY_RANGE:
        raise ApiError(400, "invalid_request", f"{name}: at most ten years from today")
    return value


def _one(appointment: dict[str, object], status: int = 200) -> tuple[Response, int]:
    body = AppointmentEnvelope(appointment=AppointmentOut.model_validate(appointment))
    return jsonify(body.model_dump(mode="json")), status


@bp.post("/appointments")
@require(BOOKING_ROLES)
def create_appointment() -> tuple[Response, int]:
    """POST /api/appointments: a booking system books a slot of a service (a start on its grid); 409 ``slot_full``
    when it was taken."""
    req = parse_body(AppointmentRequest)
    return _one(service.book(ctx(), req.service, _instant(req.start), source="api", duration_min=req.duration_min), 201)


@bp.get("/appointments")
@require(BOOKING_ROLES)
def list_appointments() -> Response:
    """GET /api/appointments: a day's appointments (``?day=``, today by default), of ``?service=`` or all."""
    found = service.list_day(ctx(), _day("day"), request.args.get("service") or None)
    return jsonify(
        AppointmentsEnvelope(appointments=[AppointmentOut.model_validate(a) for a in found]).model_dump(mode="json")
    )


@bp.get("/appointments/<code>")
def show_appointment(code: str) -> tuple[Response, int]:
    """The code is the key (rate-limited per address): its service, time and status."""
    return _one(service.find(ctx(), code))


@bp.delete("/appointments/<code>")
def cancel_appointment(code: str) -> tuple[Response, int]:
    """DELETE /api/appointments/<code>: the visitor cancels with the code, its only key (rate-limited per
    address); the place is free again at once, and 409 ``not_cancellable`` once checked in."""
    return _one(service.cancel(ctx(), code))


@bp.get("/appointments/<code>/calendar.ics")
def appointment_calendar(code: str) -> Response:
    """The appointment for the visitor's calendar, its texts in ``?language=``; the code is the key
    (rate-limited per address in the same budget as every code lookup)."""
    body = calendar_file(ctx(), code, query_language())
    return Response(
        body, mimetype="text/calendar", headers={"Content-Disposition": 'attachment; filename="appointment.ics"'}
    )


@bp.post("/bookings")
def book_public() -> tuple[Response, int]:
    """The public booking page's booking (rate-limited per address); 409 ``slot_full`` when it was taken."""
    req = parse_body(BookingRequest)
    return _one(service.book(ctx(), req.service, _instant(req.start), source="public"), 201)


@bp.get("/services/<key>/slots")
def service_slots(key: str) -> Response:
    """GET /api/services/<key>/slots: the slots on ``?day=`` (today by default), each with its capacity and
    free places; public, as it is counts only."""
    slots = service.free_slots(ctx(), key, _day("day"))
    return jsonify(
        SlotsEnvelope(
            slots=[SlotOut(start=s.start.isoformat(), capacity=s.capacity, free=s.free) for s in slots]
        ).model_dump(mode="json")
    )
