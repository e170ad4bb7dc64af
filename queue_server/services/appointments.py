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
from ..domain.appointments import CANCELLABLE, CODE_LENGTH, STATUS_OF_TICKET, AppointmentStatus, is_slot, slot_starts
from ..domain.codes import new_code, normalise_code
from ..domain.errors import InvalidRequest, InvalidTransition, NoAppointments, NotASlot, NotFound, SlotFull, SlotPast
from ..models import Appointment, AppointmentSlot, Ticket
from .context import Context
from .counters import dialect_insert
from .outbox import note_appointment, writing

SLOTS = AppointmentSlot.__table__
#: how far ahead a visitor may book on the public page (a booking system's own bookings are not bounded)
BOOKING_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Slot:
    """One slot of a service's day as the booking page lists it: its start, places, and places still free
    (none once it has started)."""

    start: datetime
    capacity: int
    free: int


def publicly_bookable(service: ServiceConfig) -> bool:
    """Whether the public booking page offers ``service``: it takes appointments and is not sensitive.

    A sensitive service's slots filling up could be watched as its queue could (docs/security.md), so its
    free places are not public: its appointments come from its own staff or booking system."""
    return service.appointments is not None and not service.sensitive


def last_public_day(ctx: Context) -> date:
    """The last day the public page offers: every slot of it is within :data:`BOOKING_HORIZON_DAYS`."""
    return (ctx.now() + timedelta(days=BOOKING_HORIZON_DAYS)).astimezone(ctx.config.centre.tz).date() - timedelta(
        days=1
    )


def _service(ctx: Context, key: str, *, public: bool = False) -> tuple[ServiceConfig, AppointmentsConfig]:
    service = ctx.config.service_map.get(key)
    if service is None:
        raise NotFound(f"unknown service {key!r}", code="unknown_service")
    if service.appointments is None:
        raise NoAppointments(f"{key} takes no appointments")
    if public and not publicly_bookable(service):
        raise NoAppointments(f"{key} is booked through the centre only (a sensitive service's slots are not public)")
    return service, service.appointments


def out(a: Appointment, ticket_status: str | None = None) -> dict[str, Any]:
    """An appointment as the API gives it: its code, service, time and status; nothing else is stored.

    Once checked in, its status follows its ticket's (``ticket_status``): called, done, no-show.
    """
    status = STATUS_OF_TICKET.get(ticket_status or "", a.status) if a.ticket_id is not None else a.status
    return {
        "code": a.code,
        "service": a.service_key,
        "start": a.start.astimezone(UTC).isoformat(),
        "duration_min": a.duration_min,
        "status": status,
        "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
    }


def _day_of(ctx: Context, start: datetime) -> date:
    return start.astimezone(ctx.config.centre.tz).date()


def _note(ctx: Context, session: orm.Session, a: Appointment) -> None:
    note_appointment(session, a.id, a.service_key, a.start, a.status, _day_of(ctx, a.start))


def free_slots(ctx: Context, service_key: str, day: date) -> list[Slot]:
    """Every slot of ``day`` (the centre's local date) with its capacity and free places; past slots have none.

    Public: a sensitive service's slots are refused (:func:`publicly_bookable`)."""
    _, appt = _service(ctx, service_key, public=True)
    starts = list(slot_starts(ctx.config.appointment_hours[service_key], day, appt.slot_minutes, ctx.config.centre.tz))
    if not starts:
        return []
    with ctx.db.reader() as session:
        rows = session.execute(
            sa.select(SLOTS.c.start, SLOTS.c.booked).where(
                SLOTS.c.service_key == service_key, SLOTS.c.start >= starts[0], SLOTS.c.start <= starts[-1]
            )
        ).all()
    booked = dict(rows)  # the UTC column type gives the starts back aware, as slot_starts makes them
    now = ctx.now()
    return [Slot(s, appt.per_slot, 0 if s <= now else max(0, appt.per_slot - booked.get(s, 0))) for s in starts]


def book(
    ctx: Context,
    service_key: str,
    start: datetime,
    *,
    source: str,
    duration_min: int | None = None,
    source_uid: str | None = None,
) -> dict[str, Any]:
    """Book ``start`` (aware) at ``service_key``; :class:`SlotFull` when its places are taken.  A public booking
    (``source="public"``) is bounded by the horizon and refused for a sensitive service."""
    service, appt = _service(ctx, service_key, public=source == "public")
    if start.tzinfo is None:
        raise InvalidRequest("start: give a time with its offset (2026-12-04T10:00:00+02:00)")
    if duration_min is not None and not 1 <= duration_min <= 480:
        raise InvalidRequest("duration_min: 1 to 480")
    start = start.astimezone(UTC)
    if not is_slot(ctx.config.appointment_hours[service_key], start, appt.slot_minutes, ctx.config.centre.tz):
        raise NotASlot(
            f"{start.isoformat()} is not one of {service_key}'s slots "
            f"(every {appt.slot_minutes} min within its appointment hours)"
        )
    now = ctx.now()
    if start <= now:
        raise SlotPast("that time has passed")
    if start > now + timedelta(days=BOOKING_HORIZON_DAYS) and source == "public":
        raise InvalidRequest(f"book at most {BOOKING_HORIZON_DAYS} days ahead")
    duration = duration_min or max(1, round(service.service_time_s / 60))
    with writing(ctx) as session:
        _take_place(session, service_key, start, appt.per_slot)
        appointment = Appointment(
            code=_unused_code(session),
            service_key=service_key,
            start=start,
            duration_min=duration,
            status=AppointmentStatus.BOOKED,
            source=source,
            source_uid=source_uid,
            created_at=now,
            updated_at=now,
        )
        session.add(appointment)
        session.flush()
        _note(ctx, session, appointment)
        return out(appointment)


def _take_place(session: orm.Session, service_key: str, start: datetime, capacity: int) -> None:
    insert = dialect_insert(session)
    stmt = (
        insert(SLOTS)
        .values(service_key=service_key, start=start, booked=1)
        .on_conflict_do_update(
            index_elements=[SLOTS.c.service_key, SLOTS.c.start],
            set_={"booked": SLOTS.c.booked + 1},
            where=SLOTS.c.booked < capacity,
        )
        .returning(SLOTS.c.booked)
    )
    if session.connection().execute(stmt).scalar_one_or_none() is None:
        raise SlotFull(f"every place at {start.isoformat()} is taken")


def _give_place(session: orm.Session, service_key: str, start: datetime) -> None:
    slot = AppointmentSlot
    session.execute(
        sa.update(slot)
        .where(slot.service_key == service_key, slot.start == start, slot.booked > 0)
        .values(booked=slot.booked - 1)
    )


def _unused_code(session: orm.Session) -> str:
    """A fresh code (the unique index is the last word; a clash among 25^6 codes is one in hundreds of millions)."""
    for _ in range(10):
        code = new_code(CODE_LENGTH)
        if session.scalar(sa.select(Appointment.id).where(Appointment.code == code)) is None:
            return code
    raise RuntimeError("no free appointment code in ten tries")  # pragma: no cover - the space is 2.4e8


_WITH_TICKET = sa.select(Appointment, Ticket.status).outerjoin(Ticket, Ticket.id == Appointment.ticket_id)


def find(ctx: Context, code: str) -> dict[str, Any]:
    """The appointment with ``code`` (typed in any case, with spaces or dashes), as the API gives it."""
    with ctx.db.reader() as session:
        found = session.execute(_WITH_TICKET.where(Appointment.code == normalise_code(code)[:16])).first()
        if found is None:
            raise NotFound("no appointment with that code", code="unknown_appointment")
        return out(found[0], found[1])


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
            raise InvalidTransition(
                f"the appointment is {appointment.status}: it can no longer be cancelled", code="not_cancellable"
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.updated_at = ctx.now()
        _give_place(session, appointment.service_key, appointment.start)
        _note(ctx, session, appointment)
        return out(appointment)


def list_day(ctx: Context, day: date, service_key: str | None = None) -> list[dict[str, Any]]:
    """The appointments starting on ``day`` (local), in start order, of one service or all."""
    tz = ctx.config.centre.tz
    first = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)
    stmt = _WITH_TICKET.where(Appointment.start >= first, Appointment.start < last)
    if service_key is not None:
        if service_key not in ctx.config.service_map:
            raise NotFound(f"unknown service {service_key!r}", code="unknown_service")
        stmt = stmt.where(Appointment.service_key == service_key)
    with ctx.db.reader() as session:
        return [
            out(a, ticket_status)
            for a, ticket_status in session.execute(stmt.order_by(Appointment.start, Appointment.id))
        ]


def mark_no_shows(ctx: Context) -> int:
    """Appointments never checked in become no-shows when their check-in closes (``grace_min`` after the start).

    One UPDATE decides per appointment (``WHERE status = 'booked'``), so two processes sweeping at once mark
    each appointment once; the live model hears of each through the change record.  Its place in the slot stays
    taken: the time has passed.  Returns how many were marked.
    """
    now = ctx.now()
    marked = 0
    with writing(ctx) as session:
        for service in ctx.config.services:
            if service.appointments is None:
                continue
            cutoff = now - timedelta(minutes=service.appointments.grace_min)
            rows = session.execute(
                sa.update(Appointment)
                .where(
                    Appointment.service_key == service.key,
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.start < cutoff,
                )
                .values(status=AppointmentStatus.NO_SHOW, updated_at=now)
                .returning(Appointment.id, Appointment.start)
            ).all()
            for appointment_id, start in rows:
                note_appointment(
                    session, appointment_id, service.key, start, AppointmentStatus.NO_SHOW, _day_of(ctx, start)
                )
            marked += len(rows)
    return marked


def uid_hash(uid: str) -> str:
    """What is kept of a calendar entry's UID: its hash (a UID may hold an address or a name)."""
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """What a calendar import did (the CLI prints it): entries booked, entries imported before (same
    UID), and one line per entry refused with the reason."""

    created: int
    already: int
    refused: list[str]


def import_entries(ctx: Context, service_key: str, entries: Iterable[tuple[str, datetime, int | None]]) -> ImportResult:
    """Book each ``(uid, start, duration_min)``; one imported before (same UID) is counted, not booked again."""
    _service(ctx, service_key)
    created = already = 0
    refused: list[str] = []
    for uid, start, duration in entries:
        digest = uid_hash(uid)
        with ctx.db.reader() as session:
            seen = session.scalar(
                sa.select(Appointment.id).where(
                    Appointment.service_key == service_key, Appointment.source_uid == digest
                )
            )
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
