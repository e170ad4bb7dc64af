"""The outbox: every writing transaction records what it changed, numbered, before it commits.

A use case writes through :func:`writing`.  Inside, :func:`queue_server.services.events.transition` and the
desk helpers note each ticket, event and desk they touch; just before the commit the transaction bumps the
``changes`` sequence (an upsert, like the ticket numbers: the row stays locked until commit, so sequence order
is commit order and committed changes have no gaps) and stores the *change record*:

    {"seq": 17, "day": "2026-11-27", "at": <us>,
     "tickets": [{"id", "number", "status", "service", "pending", "priority", "language", "issued_at",
                  "queued_at", "desk", "called_at", "token_hash", "day"}, ...],   # the new state of each
     "events":  [{"ticket", "number", "type", "from", "service", "desk", "at", "queued_at", "priority",
                  "day"}, ...],                                      # the day is the ticket's business day
     "desks":   [{"key", "status", "streak"}, ...],
     "appointments": [{"id", "service", "start", "status", "day"}, ...],   # booked, checked in, no-show...
     "config":  7,                      # only when the centre's configuration changed: its new version
     "revoked": [{"kind": "user"|"token", "id"}, ...]}   # only when a user was disabled or a token revoked

Times are integer microseconds since the epoch.  After the commit the record goes to the live model of this
process (and through the change feed to every other process), which applies it without reading the day again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.queue_model import LiveTicket
from ..domain.states import FINAL
from ..models import ChangeRow, as_utc
from . import push
from .context import Context
from .counters import bump_sequence
from .rows import DeskRow, TicketRow, insert_event, insert_ticket, update_desk, update_ticket

SEQUENCE = "changes"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_NOTES = "vuoro.outbox"
_FINAL = frozenset(s.value for s in FINAL)
_INSERT_CHANGE = sa.insert(ChangeRow.__table__)  # type: ignore[arg-type]


def us(value: datetime) -> int:
    """A datetime (naive: UTC) as exact integer microseconds since the epoch."""
    return (as_utc(value) - _EPOCH) // _MICRO


def from_us(value: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime (the inverse of :func:`us`)."""
    return _EPOCH + value * _MICRO


class _Notes:
    """What one transaction touched, in order; kept on the session until it seals."""

    def __init__(self) -> None:
        self.tickets: dict[int, TicketRow] = {}
        self.events: list[tuple[TicketRow, dict[str, Any]]] = []
        self.desks: dict[str, DeskRow] = {}
        self.config: int | None = None
        self.revoked: list[dict[str, Any]] = []
        self.appointments: dict[int, dict[str, Any]] = {}


def _notes(session: orm.Session) -> _Notes:
    notes = session.info.get(_NOTES)
    if notes is None:
        notes = session.info[_NOTES] = _Notes()
    return notes


def note_event(session: orm.Session, ticket: TicketRow, event: dict[str, Any]) -> None:
    """A state change of ``ticket`` (its ``ticket_events`` row's values, less the ticket id)."""
    notes = _notes(session)
    notes.tickets[id(ticket)] = ticket
    notes.events.append((ticket, event))


def note_desk(session: orm.Session, desk: DeskRow) -> None:
    """A desk's new state (status, priority streak) in this transaction: written and recorded at the seal."""
    _notes(session).desks[desk.desk_key] = desk


def note_revoked(session: orm.Session, kind: str, principal_id: int) -> None:
    """A user was disabled or a device token revoked (``kind`` ``user`` or ``token``): every process closes
    the sockets it holds for them."""
    _notes(session).revoked.append({"kind": kind, "id": principal_id})


def note_appointment(
    session: orm.Session, appointment_id: int, service: str, start: datetime, status: str, day: date
) -> None:
    """An appointment was booked or changed status: the live model knows who is expected when (estimates)."""
    _notes(session).appointments[appointment_id] = {
        "id": appointment_id,
        "service": service,
        "start": us(start),
        "status": status,
        "day": day.isoformat(),
    }


def note_config(session: orm.Session, version: int) -> None:
    """The transaction stored version ``version`` of the centre's configuration: every process reloads it."""
    _notes(session).config = version


def ticket_record(t: TicketRow) -> dict[str, Any]:
    """A ticket's new state as the change record carries it, times in microseconds."""
    return {
        "id": t.id,
        "number": t.number,
        "status": t.status,
        "service": t.service_key,
        "pending": list(t.pending_services or ()),
        "priority": bool(t.priority),
        "language": t.language,
        "issued_at": us(t.issued_at),
        "queued_at": us(t.queued_at),
        "desk": t.desk_key,
        "called_at": us(t.called_at) if t.called_at else None,
        "token_hash": t.token_hash,
        "day": t.business_day.isoformat(),
        "due": us(t.due_at) if t.due_at else None,
        "arrived": bool(t.arrived),
    }


def live_ticket(t: TicketRow) -> LiveTicket:
    """A ticket row as the live model holds it, through its change-record form, as the model reads it from the feed."""
    return LiveTicket.from_record(ticket_record(t))


def event_record(e: dict[str, Any], ticket: TicketRow) -> dict[str, Any]:
    """A noted state change of ``ticket`` as the change record carries it; the day is the ticket's business day."""
    return {
        "ticket": ticket.id,
        "number": ticket.number,
        "type": e["type"],
        "from": e["from_status"],
        "service": e["service_key"],
        "desk": e["desk_key"],
        "at": us(e["at"]),
        "queued_at": us(ticket.queued_at),
        "priority": bool(e["priority"]),
        "day": e["business_day"].isoformat(),
    }


def _write(session: orm.Session, notes: _Notes) -> None:
    """The transaction's rows, in Core: new tickets first (their events need the ids), then the rest."""
    for ticket in notes.tickets.values():
        if ticket.id is None:
            insert_ticket(session, ticket)
        else:
            update_ticket(session, ticket)
    for ticket, event in notes.events:
        insert_event(session, {**event, "ticket_id": ticket.id})
    for desk in notes.desks.values():
        update_desk(session, desk)
    # a ticket that ended has nothing more to be told: its browser's push subscription goes in the same commit
    push.ended(session, [t.id for t in notes.tickets.values() if t.id is not None and t.status in _FINAL])


def seal(session: orm.Session, day: date, now: datetime) -> dict[str, Any] | None:
    """Write, number and store what this transaction changed; None when it changed no ticket or desk.

    The sequence is bumped last, after every other row lock the transaction takes, so writers never wait on
    each other in two orders (no deadlock) and hold the sequence row only for the last few statements.
    """
    notes = session.info.pop(_NOTES, None)
    if notes is None or not (notes.tickets or notes.desks or notes.config or notes.revoked or notes.appointments):
        return None
    _write(session, notes)
    seq = bump_sequence(session, SEQUENCE)
    record = {
        "seq": seq,
        "day": day.isoformat(),
        "at": us(now),
        "tickets": [ticket_record(t) for t in notes.tickets.values()],
        "events": [event_record(e, t) for t, e in notes.events],
        "desks": [{"key": d.desk_key, "status": d.status, "streak": d.priority_streak} for d in notes.desks.values()],
    }
    if notes.config is not None:
        record["config"] = notes.config
    if notes.revoked:
        record["revoked"] = notes.revoked
    if notes.appointments:
        record["appointments"] = list(notes.appointments.values())
    session.connection().execute(_INSERT_CHANGE, {"seq": seq, "business_day": day, "at": now, "body": record})
    return record


@contextmanager
def writing(ctx: Context) -> Iterator[orm.Session]:
    """A use case's transaction: commit, then hand the change record to the live model (never before)."""
    now = ctx.now()
    with ctx.db.writer() as session:
        yield session
        record = seal(session, ctx.today(now), now)
    if record is not None and ctx.live is not None:
        ctx.live.committed(record)


def read_since(session: orm.Session, after: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Committed change records after ``after`` (up to ``upto``), in sequence order."""
    stmt = sa.select(ChangeRow.body).where(ChangeRow.seq > after).order_by(ChangeRow.seq)
    if upto is not None:
        stmt = stmt.where(ChangeRow.seq <= upto)
    return [dict(body) for body in session.scalars(stmt)]


def purge_before(session: orm.Session, day: date) -> int:
    """Retention: change records of days before ``day`` (their tickets are settled and counted elsewhere)."""
    result = session.execute(sa.delete(ChangeRow).where(ChangeRow.business_day < day))
    return int(getattr(result, "rowcount", 0) or 0)
