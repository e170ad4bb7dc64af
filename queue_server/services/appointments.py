"""Booking and cancelling appointments, and a service's free slots.

The database decides a slot's capacity, as it decides ticket numbers: a booking bumps the slot's row with an
upsert that only adds one while the count is below ``per_slot`` (``INSERT .. ON CONFLICT DO UPDATE .. WHERE
booked < :capacity RETURNING booked``); no row back means full, and the booking's transaction ends there.
Concurrent bookings on PostgreSQL queue on the slot's row, so twenty at once for two places give exactly two.
Cancelling gives the place back in the same transaction as the status change.

An appointment holds a code and nothing personal (models.Appointment).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.exc import IntegrityError

from ..config import AppointmentsConfig, ServiceConfig
from ..domain.appointments import CANCELLABLE, CODE_LENGTH, AppointmentStatus, is_slot, slot_starts
from ..domain.codes import new_code, normalise_code
from ..domain.errors import InvalidRequest, InvalidTransition, NoAppointments, NotASlot, NotFound, SlotFull, SlotPast
from ..models import Appointment, AppointmentSlot
from .context import Context
from .counters import dialect_insert
from .outbox import writing

SLOTS = AppointmentSlot.__table__
#: how far ahead a visitor may book on the public page (a booking system's own bookings are not bounded)
BOOKING_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Slot:
    start: datetime
    capacity: int
    free: int


def _service(ctx: Context, key: str) -> tuple[ServiceConfig, AppointmentsConfig]:
    service = ctx.config.service_map.get(key)
    if service is None:
        raise NotFound(f"unknown service {key!r}", code="unknown_service")
    if service.appointments is None:
        raise NoAppointments(f"{key} takes no appointments")
    return service, service.appointments


def out(a: Appointment) -> dict[str, Any]:
    """An appointment as the API gives it: its code, service, time and status; nothing else is stored."""
    return {"code": a.code, "service": a.service_key, "start": a.start.astimezone(UTC).isoformat(),
            "duration_min": a.duration_min, "status": a.status,
            "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None}


def free_slots(ctx: Context, service_key: str, day: date) -> list[Slot]:
    """Every slot of ``day`` (the centre's local date) with its capacity and free places; past slots have none."""
    _, appt = _service(ctx, service_key)
    starts = list(slot_starts(ctx.config.appointment_hours[service_key], day, appt.slot_minutes,
                              ctx.config.centre.tz))
    if not starts:
        return []
    with ctx.db.reader() as session:
        rows = session.execute(sa.select(SLOTS.c.start, SLOTS.c.booked).where(
            SLOTS.c.service_key == service_key, SLOTS.c.start >= starts[0], SLOTS.c.start <= starts[-1])).all()
    booked = dict(rows)  # the UTC column type gives the starts back aware, as slot_starts makes them
    now = ctx.now()
    return [Slot(s, appt.per_slot, 0 if s <= now else max(0, appt.per_slot - booked.get(s, 0))) for s in starts]


def book(ctx: Context, service_key: str, start: datetime, *, source: str, duration_min: int | None = None,
         source_uid: str | None = None) -> dict[str, Any]:
    """Book ``start`` (aware) at ``service_key``; :class:`SlotFull` when its places are taken."""
    service, appt = _service(ctx, service_key)
    if start.tzinfo is None:
        raise InvalidRequest("start: give a time with its offset (2026-12-04T10:00:00+02:00)")
    if duration_min is not None and not 1 <= duration_min <= 480:
        raise InvalidRequest("duration_min: 1 to 480")
    start = start.astimezone(UTC)
    if not is_slot(ctx.config.appointment_hours[service_key], start, appt.slot_minutes, ctx.config.centre.tz):
        raise NotASlot(f"{start.isoformat()} is not one of {service_key}'s slots "
                       f"(every {appt.slot_minutes} min within its appointment hours)")
    now = ctx.now()
    if start <= now:
        raise SlotPast("that time has passed")
    if start > now + timedelta(days=BOOKING_HORIZON_DAYS) and source == "public":
        raise InvalidRequest(f"book at most {BOOKING_HORIZON_DAYS} days ahead")
    duration = duration_min or max(1, round(service.service_time_s / 60))
    with writing(ctx) as session:
        _take_place(session, service_key, start, appt.per_slot)
        appointment = Appointment(code=_unused_code(session), service_key=service_key, start=start,
                                  duration_min=duration, status=AppointmentStatus.BOOKED, source=source,
                                  source_uid=source_uid, created_at=now, updated_at=now)
        session.add(appointment)
        session.flush()
        return out(appointment)


def _take_place(session: orm.Session, service_key: str, start: datetime, capacity: int) -> None:
    insert = dialect_insert(session)
    stmt = (insert(SLOTS).values(service_key=service_key, start=start, booked=1)
            .on_conflict_do_update(index_elements=[SLOTS.c.service_key, SLOTS.c.start],
                                   set_={"booked": SLOTS.c.booked + 1}, where=SLOTS.c.booked < capacity)
            .returning(SLOTS.c.booked))
    if session.connection().execute(stmt).scalar_one_or_none() is None:
        raise SlotFull(f"every place at {start.isoformat()} is taken")


def _give_place(session: orm.Session, service_key: str, start: datetime) -> None:
    slot = AppointmentSlot
    session.execute(sa.update(slot).where(slot.service_key == service_key, slot.start == start, slot.booked > 0)
                    .values(booked=slot.booked - 1))


def _unused_code(session: orm.Session) -> str:
    """A fresh code (the unique index is the last word; a clash among 25^6 codes is one in hundreds of millions)."""
    for _ in range(10):
        code = new_code(CODE_LENGTH)
        if session.scalar(sa.select(Appointment.id).where(Appointment.code == code)) is None:
            return code
    raise RuntimeError("no free appointment code in ten tries")  # pragma: no cover - the space is 2.4e8


def find(ctx: Context, code: str) -> dict[str, Any]:
    with ctx.db.reader() as session:
        return out(_by_code(session, code))


def _by_code(session: orm.Session, code: str, *, lock: bool = False) -> Appointment:
    stmt = sa.select(Appointment).where(Appointment.code == normalise_code(code)[:16])
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound("no appointment with that code", code="unknown_appointment")
    return found


def cancel(ctx: Context, code: str) -> dict[str, Any]:
    """Cancel a booked appointment by its code; its place in the slot is free again at once."""
    with writing(ctx) as session:
        appointment = _by_code(session, code, lock=True)
        if appointment.status not in CANCELLABLE:
            raise InvalidTransition(f"the appointment is {appointment.status}: it can no longer be cancelled",
                                    code="not_cancellable")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.updated_at = ctx.now()
        _give_place(session, appointment.service_key, appointment.start)
        return out(appointment)


def list_day(ctx: Context, day: date, service_key: str | None = None) -> list[dict[str, Any]]:
    """The appointments starting on ``day`` (local), in start order, of one service or all."""
    tz = ctx.config.centre.tz
    first = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)
    stmt = sa.select(Appointment).where(Appointment.start >= first, Appointment.start < last)
    if service_key is not None:
        if service_key not in ctx.config.service_map:
            raise NotFound(f"unknown service {service_key!r}", code="unknown_service")
        stmt = stmt.where(Appointment.service_key == service_key)
    with ctx.db.reader() as session:
        return [out(a) for a in session.scalars(stmt.order_by(Appointment.start, Appointment.id))]


def uid_hash(uid: str) -> str:
    """What is kept of a calendar entry's UID: its hash (a UID may hold an address or a name)."""
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    created: int
    already: int
    refused: list[str]


def import_entries(ctx: Context, service_key: str, entries: Iterable[tuple[str, datetime, int | None]]
                   ) -> ImportResult:
    """Book each ``(uid, start, duration_min)``; one imported before (same UID) is counted, not booked again."""
    _service(ctx, service_key)
    created = already = 0
    refused: list[str] = []
    for uid, start, duration in entries:
        digest = uid_hash(uid)
        with ctx.db.reader() as session:
            seen = session.scalar(sa.select(Appointment.id).where(Appointment.service_key == service_key,
                                                                  Appointment.source_uid == digest))
        if seen is not None:
            already += 1
            continue
        try:
            book(ctx, service_key, start, source="ics", duration_min=duration, source_uid=digest)
            created += 1
        except IntegrityError:  # the same file imported at the same moment elsewhere
            already += 1
        except (SlotFull, SlotPast, NotASlot, InvalidRequest) as exc:
            refused.append(f"{start.isoformat()}: {exc.message}")
    return ImportResult(created, already, refused)
