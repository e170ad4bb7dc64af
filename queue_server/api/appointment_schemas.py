"""Request and response shapes of appointments, bookings and a service's slots."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from .schemas import Key, _In

#: an ISO 8601 time with its offset ("2026-12-04T10:00:00+02:00" or "...Z"); parsed by the view
Instant = Annotated[str, Field(min_length=16, max_length=40, json_schema_extra={"format": "date-time"})]
Code = Annotated[str, Field(min_length=4, max_length=16)]


class AppointmentRequest(_In):
    """From a booking system (a ``booking`` token): a service, a start on its slot grid, optionally a length."""

    service: Key
    start: Instant
    duration_min: Annotated[int, Field(ge=1, le=480)] | None = None


class BookingRequest(_In):
    """From the public booking page: a service and a free slot's start."""

    service: Key
    start: Instant


class AppointmentOut(BaseModel):
    """One appointment: its code (the visitor's only key to it), service, booked time (UTC) and status.
    Once checked in, its status follows its ticket's; nothing personal is stored."""

    code: str
    service: str
    start: str
    duration_min: int
    status: Literal["booked", "checked_in", "called", "done", "no_show", "cancelled"]
    checked_in_at: str | None = None


class AppointmentEnvelope(BaseModel):
    """The answer about one appointment: booked, looked up or cancelled by its code."""

    appointment: AppointmentOut


class AppointmentsEnvelope(BaseModel):
    """The answer of GET /api/appointments: a day's appointments, of one service or all."""

    appointments: list[AppointmentOut]


class SlotOut(BaseModel):
    """One slot of a service's appointment grid: its start, the places it has and those still free (past: 0)."""

    start: str
    capacity: int
    free: int


class SlotsEnvelope(BaseModel):
    """The answer of GET /api/services/{key}/slots: the service's slots on the asked day."""

    slots: list[SlotOut]


def _query(name: str, description: str, schema: dict[str, str]) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_DAY = _query("day", "the centre's local date (default: today)", {"type": "string", "format": "date"})
#: the query parameters of the appointment operations, for the OpenAPI document
OPENAPI_EXTRA: dict[tuple[str, str], dict[str, object]] = {
    ("get", "/api/appointments"): {"parameters": [_DAY, _query("service", "one service's only", {"type": "string"})]},
    ("get", "/api/services/{key}/slots"): {"parameters": [_DAY]},
    ("get", "/api/appointments/{code}/calendar.ics"): {
        "parameters": [
            _query("language", "the texts' language, one of the centre's (default: its own)", {"type": "string"})
        ],
        "responses": {"200": {"content": {"text/calendar": {"schema": {"type": "string"}}}}},
    },
}
