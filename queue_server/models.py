"""Storage: SQLAlchemy 2 typed models.  All instants are UTC; local time exists only at the edges.

No table holds a name, an identity number or anything else personal: a ticket is a number, a state and the
services it is for.  The visitor's token is stored only as a hash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.types import TypeDecorator


def as_utc(value: datetime) -> datetime:
    """A datetime in UTC; a naive one *is* UTC (SQLite forgets the zone, and so do query strings without one).

    The one place that says so: the column type below, the change log's microseconds and the API's filters."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """The value written: converted to UTC; a naive datetime is refused, since its zone cannot be known."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """The value read: aware, in UTC, whatever the database gave back."""
        return None if value is None else as_utc(value)


def utcnow() -> datetime:
    """The current instant, aware and in UTC (the only kind the columns take); the services' default clock."""
    return datetime.now(UTC)


class Base(so.DeclarativeBase):
    """The models' base: constraints named by one convention (Alembic's migrations name them alike on SQLite and
    PostgreSQL), and UTC datetimes and JSON lists and mappings as the column types."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON(), list[str]: sa.JSON()}


class Counter(Base):
    """One row per (scope, business day): ``prefix:K`` numbers tickets, ``service:kela`` enforces limits."""

    __tablename__ = "counters"
    scope: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)


class Ticket(Base):
    """One visitor's ticket of a business day: its number, state, service and errands still to come, the desk that
    called it; nothing that names the visitor, and its token only as a hash."""

    __tablename__ = "tickets"
    __table_args__ = (
        sa.UniqueConstraint("business_day", "prefix", "seq", name="uq_tickets_day_prefix_seq"),
        sa.Index("ix_tickets_queue", "business_day", "status", "service_key", "priority", "queued_at", "id"),
        sa.Index("ix_tickets_desk", "desk_key", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    business_day: so.Mapped[date] = so.mapped_column(sa.Date)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(3))
    seq: so.Mapped[int]
    number: so.Mapped[str] = so.mapped_column(sa.String(12))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    pending_services: so.Mapped[list[str]] = so.mapped_column(default=list)
    priority: so.Mapped[bool] = so.mapped_column(default=False)
    language: so.Mapped[str] = so.mapped_column(sa.String(2))
    kiosk_key: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    issued_at: so.Mapped[datetime]
    #: the arrival time that orders the queue; errands and transfers keep it so the visitor keeps their place
    queued_at: so.Mapped[datetime]
    desk_key: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    called_at: so.Mapped[datetime | None]
    updated_at: so.Mapped[datetime]
    #: the estimate shown at issue, kept to measure the estimator against the real wait
    estimated_wait_s: so.Mapped[int | None]
    #: an appointment's booked time (checked in at the kiosk): called at that time, ahead of walk-ins
    due_at: so.Mapped[datetime | None]
    #: false: a ticket taken on the phone from the QR poster for a service with ``remote_confirm``: it keeps its
    #: place but is not called until the visitor taps "I am here" (services/arrival.py)
    arrived: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())


class TicketEvent(Base):
    """Append-only log of every state change; statistics are computed from it."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.Index("ix_ticket_events_day", "business_day", "service_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    business_day: so.Mapped[date] = so.mapped_column(sa.Date)
    at: so.Mapped[datetime]
    type: so.Mapped[str] = so.mapped_column(sa.String(16))
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(16))
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    to_service_key: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    desk_key: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    #: who acted: ``user:3``, ``token:7``, ``visitor`` or ``system`` -- an account id, never a person's name
    actor: so.Mapped[str] = so.mapped_column(sa.String(40))
    priority: so.Mapped[bool] = so.mapped_column(default=False)

    ticket: so.Mapped[Ticket] = so.relationship(lazy="raise")


class DeskState(Base):
    """A desk's live state: open/paused/closed and the priority streak the call-next policy needs."""

    __tablename__ = "desk_state"
    desk_key: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    priority_streak: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[datetime]
    #: who holds the desk: the actor (``user:3``, ``token:7``) that last opened it or called a ticket to it;
    #: None once closed.  Logging out closes the desks an account holds (services/desk_state.py).
    opened_by: so.Mapped[str | None] = so.mapped_column(sa.String(40))


class User(Base):
    """A clerk or admin account; the username is an account handle, not a person's name."""

    __tablename__ = "users"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: set for a password someone else chose (the first start's one-time one): the next log-in must change it
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: the desks this account may open (so only mental-health staff open mental-health rooms); None: any desk
    desks: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime]
    #: an account of the city's OpenID provider: SHA-256 of its issuer and stable subject (``sub``), nothing
    #: else of the token but the name below and the role; such an account has no password (services/sso.py)
    subject: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    #: what the staff screens show beside "Log out" for a provider's account (the token's name claim)
    display_name: so.Mapped[str | None] = so.mapped_column(sa.String(128))


class ApiToken(Base):
    """A device or script credential; only the SHA-256 of the random token is stored."""

    __tablename__ = "api_tokens"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime]
    revoked_at: so.Mapped[datetime | None]
    #: when the device last used its token (to the minute: written at most once a minute per token)
    last_seen_at: so.Mapped[datetime | None]


class Feedback(Base):
    """One optional answer after a finished visit: a 1-5 rating and an optional category, nothing else.

    ``ticket_id`` only enforces "once per ticket" while the ticket exists; retention deletes the ticket and the
    link goes with it (``SET NULL``), leaving day, service, rating and category.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.Index("ix_feedback_day", "business_day", "service_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"), unique=True)
    business_day: so.Mapped[date] = so.mapped_column(sa.Date)
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    rating: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    category: so.Mapped[str | None] = so.mapped_column(sa.String(16))


class DailyStats(Base):
    """What statistics keep of a day once retention deleted its tickets and events: one row per day x service x
    desk (``desk_key`` is ``""`` for errands no desk called).  Durations are whole seconds, sorted, without any
    identifier, so that medians and percentiles over any range stay exact (see docs/statistics.md)."""

    __tablename__ = "daily_stats"
    __table_args__ = (
        sa.UniqueConstraint("business_day", "service_key", "desk_key", "kind", name="uq_daily_stats_cell"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    business_day: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    desk_key: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    #: ``walk_in`` or ``appointment`` (domain.statistics.KINDS)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="walk_in", server_default="walk_in")
    errands: so.Mapped[int] = so.mapped_column(default=0)
    visits: so.Mapped[int] = so.mapped_column(default=0)
    served: so.Mapped[int] = so.mapped_column(default=0)
    no_shows: so.Mapped[int] = so.mapped_column(default=0)
    cancelled: so.Mapped[int] = so.mapped_column(default=0)
    expired: so.Mapped[int] = so.mapped_column(default=0)
    transferred: so.Mapped[int] = so.mapped_column(default=0)
    #: waits of served errands, and of errands called but not served (no-show, cancelled at the desk, ...)
    served_waits_s: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    other_waits_s: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    service_times_s: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    #: errands that joined the queue in each local hour 0..23
    arrivals_by_hour: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    #: appointments: first call minus booked time, signed seconds, sorted
    punctuality_s: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)


class SequenceCounter(Base):
    """A counter that never restarts (unlike ``counters``, which are per day and purged): ``changes`` numbers
    every committed change, bumped by an upsert inside the writing transaction, so its order is commit order."""

    __tablename__ = "sequences"
    name: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class ChangeRow(Base):
    """The outbox: one row per committed change, numbered by ``sequences.changes``, gap-free.

    ``body`` is the change record (services/outbox.py): the new state of each ticket and desk it touched and
    the events it logged -- numbers and states only, never a token (only its hash) or anything personal.  Every
    process's live model applies these in ``seq`` order; one that missed any reads them here.
    """

    __tablename__ = "change_log"
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    business_day: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    at: so.Mapped[datetime]
    body: so.Mapped[dict[str, Any]]


class CentreDocument(Base):
    """The live configuration of the centre (services, hours, desks, zones, kiosks, printers): one row, the
    document in ``config.yaml``'s shape, numbered by ``version``.  ``config.yaml`` seeds it on an empty database;
    from then on it is changed here (admin pages, API, ``vuoro config import``), and every process reloads it
    when a change record says a newer version committed.  Machine settings stay in the file and environment.
    """

    __tablename__ = "centre_config"
    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    version: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    body: so.Mapped[dict[str, Any]]
    updated_at: so.Mapped[datetime]


class AuditEntry(Base):
    """Who changed what, when, with the values before and after; never a password or a token."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at", "at"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime]
    actor: so.Mapped[str] = so.mapped_column(sa.String(80))
    action: so.Mapped[str] = so.mapped_column(sa.String(32))
    target: so.Mapped[str] = so.mapped_column(sa.String(128))
    before: so.Mapped[Any | None] = so.mapped_column(sa.JSON)
    after: so.Mapped[Any | None] = so.mapped_column(sa.JSON)


class DevicePairing(Base):
    """A device asking to be enrolled: the short code its screen shows, the hash of the token it was given (valid
    only once an admin approves the code), and until when it may wait.  Nothing but hashes and the code."""

    __tablename__ = "device_pairings"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime]
    expires_at: so.Mapped[datetime]
    device_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))


class Appointment(Base):
    """A booked time: a service, a start, a length, a status and the code the visitor holds; nothing else.

    No name, no phone number, no identity number.  An appointment imported from a calendar keeps only a hash
    of the calendar entry's UID (to import the same file again without doubles), never its summary.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        sa.Index("ix_appointments_day", "service_key", "start"),
        sa.UniqueConstraint("service_key", "source_uid", name="uq_appointments_service_uid"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    start: so.Mapped[datetime]
    duration_min: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: api, public (the booking page) or ics (an imported calendar)
    source: so.Mapped[str] = so.mapped_column(sa.String(8))
    source_uid: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime]
    updated_at: so.Mapped[datetime]
    checked_in_at: so.Mapped[datetime | None]
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"))


class AppointmentSlot(Base):
    """How many appointments a (service, start) slot holds: bumped by a conditional upsert, so the database
    refuses the booking that would overfill it, also with concurrent bookings on PostgreSQL."""

    __tablename__ = "appointment_slots"
    service_key: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    start: so.Mapped[datetime] = so.mapped_column(primary_key=True)
    booked: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)


class PushKey(Base):
    """The server's VAPID key pair (RFC 8292), made on first use and shared by every process: one row.  The
    public half is what browsers subscribe with (``GET /api/push/key``); the private half signs each post."""

    __tablename__ = "push_keys"
    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    private_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    public_key: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime]


class PushSubscription(Base):
    """A visitor's browser asked to be told when its ticket's turn is near: where to post (the push service's
    endpoint) and the keys to encrypt for.  Nothing names the visitor; the row goes when the ticket ends (the
    seal of that change, services/outbox.py), when the push service says it is gone, or with the ticket.

    ``almost_sent_at`` and ``called_seq`` make each notification once, whichever process sends it: a process
    claims one by an update that only one can win (services/push.py)."""

    __tablename__ = "push_subscriptions"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    endpoint: so.Mapped[str] = so.mapped_column(sa.String(1000))
    p256dh: so.Mapped[str] = so.mapped_column(sa.String(200))
    auth: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime]
    almost_sent_at: so.Mapped[datetime | None]
    #: the change (its sequence number) whose call was last notified
    called_seq: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)


class LoginState(Base):
    """A sign-in at the OpenID provider under way: its ``state`` (hashed) and what the callback needs (PKCE
    verifier, nonce, redirect URI).  Taken by the first callback that presents it, so a replayed state finds
    nothing, in any process; an abandoned one is swept after an hour (services/login_states.py)."""

    __tablename__ = "login_states"
    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)
    expires_at: so.Mapped[datetime] = so.mapped_column(index=True)
