"""The live picture of one business day: who waits where, in call order, and what each desk is doing.

Pure data, no Flask and no SQLAlchemy.  The database is the truth; this is a cache of what it committed, kept
current by applying each committed change record (see ``services/outbox.py`` for the record's shape) in change
sequence order, and rebuilt from the database when in doubt.  Every read is O(1) or O(log n) per ticket:

- a service's waiting tickets sit in a sorted list keyed by the call order ``(not priority, queued_at, id)``,
  so a ticket's position is a rank lookup, never a COUNT over the queue;
- checked-in appointments wait in a list of their own, keyed by ``(due, id)``: they are called at their time,
  ahead of the walk-ins (domain/policy.py), so they never mix into the walk-ins' arrival order;
- desks keep their status, priority streak and current ticket;
- the statistics the estimator learns from (``ServiceStats``) are updated by the same records.

Times are integer microseconds since the epoch: exact, so a model built change by change and one rebuilt from
the database agree to the last digit.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sortedcontainers import SortedList

from .queue_records import Booking, LiveDesk, RecentCall
from .queue_stats import ServiceStats, StatsBook
from .states import AT_DESK, TicketStatus

WAITING = TicketStatus.WAITING.value
#: an appointment not checked in yet (domain/appointments.py's AppointmentStatus.BOOKED)
BOOKED = "booked"
ACTIVE_VALUES = frozenset({s.value for s in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)})
AT_DESK_VALUES = frozenset(s.value for s in AT_DESK)
#: calls a board shows when it (re)connects
RECENT_CALLS = 10


@dataclass(frozen=True)
class DeskSpec:
    """A desk as the model sees it: the services it calls from and the zone whose boards show its calls."""

    key: str
    services: tuple[str, ...]
    zone: str


@dataclass(frozen=True)
class Topology:
    """What the model needs of the configuration: services, desks and their zones."""

    services: tuple[str, ...]
    desks: tuple[DeskSpec, ...]

    @cached_property
    def desk_map(self) -> dict[str, DeskSpec]:
        """Desks by key, built once: the model looks a call's desk up here to find its zone."""
        return {d.key: d for d in self.desks}


@dataclass(frozen=True)
class LiveTicket:
    """A ticket as the last committed change left it; no token, nothing personal."""

    id: int
    number: str
    status: str
    service: str
    pending: tuple[str, ...]
    priority: bool
    language: str
    issued_at: int
    queued_at: int
    desk: str | None
    called_at: int | None
    token_hash: str
    #: an appointment's booked time (us), None for a walk-in
    due: int | None = None
    #: false: it keeps its place but is not called until the visitor says they are here (``remote_confirm``)
    arrived: bool = True

    @property
    def order_key(self) -> tuple[bool, int, int]:
        """Call order within a service: priority first, then arrival, then id (as the SQL in call-next)."""
        return (not self.priority, self.queued_at, self.id)

    @property
    def due_key(self) -> tuple[int, int]:
        """Call order among appointments: the booked time, then id."""
        assert self.due is not None
        return (self.due, self.id)

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> LiveTicket:
        """The ticket as a change record carries it (services/outbox.py ``ticket_record``); a record without
        ``due`` or ``arrived`` is a walk-in that is here."""
        return cls(
            id=int(data["id"]),
            number=data["number"],
            status=data["status"],
            service=data["service"],
            pending=tuple(data.get("pending") or ()),
            priority=bool(data["priority"]),
            language=data["language"],
            issued_at=int(data["issued_at"]),
            queued_at=int(data["queued_at"]),
            desk=data.get("desk"),
            called_at=data.get("called_at"),
            token_hash=data["token_hash"],
            due=int(data["due"]) if data.get("due") is not None else None,
            arrived=bool(data.get("arrived", True)),
        )


@dataclass
class QueueModel:
    """One business day's queues, desks and statistics; ``seq`` is the last change applied."""

    topology: Topology
    day: str
    seq: int = 0
    tickets: dict[int, LiveTicket] = field(default_factory=dict)
    by_token: dict[str, int] = field(default_factory=dict)
    queues: dict[str, SortedList] = field(default_factory=dict)
    #: service -> its checked-in appointments waiting, keyed ``(due, id)``
    appointment_queues: dict[str, SortedList] = field(default_factory=dict)
    #: today's appointments by id, and per service those still expected to check in, keyed ``(start, id)``
    bookings: dict[int, Booking] = field(default_factory=dict)
    expected: dict[str, SortedList] = field(default_factory=dict)
    #: service -> how many of today's appointments stand in each status, so the dashboard reads, never counts
    booking_counts: dict[str, Counter[str]] = field(default_factory=dict)
    desks: dict[str, LiveDesk] = field(default_factory=dict)
    stats: StatsBook = field(default_factory=StatsBook)
    calls: dict[str, deque[RecentCall]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.topology.services:
            self.queues.setdefault(key, SortedList())
            self.appointment_queues.setdefault(key, SortedList())
        for desk in self.topology.desks:
            self.desks.setdefault(desk.key, LiveDesk())
            self.calls.setdefault(desk.zone, deque(maxlen=RECENT_CALLS))

    # -- writing ---------------------------------------------------------------------------------------------
    def put(self, ticket: LiveTicket) -> None:
        """Store ``ticket``'s new state: it leaves its old queue and desk and takes its new place, if active."""
        old = self.tickets.pop(ticket.id, None)
        if old is not None:
            self._unplace(old)
        if ticket.status not in ACTIVE_VALUES:
            return
        self.tickets[ticket.id] = ticket
        self.by_token[ticket.token_hash] = ticket.id
        if ticket.status == WAITING and ticket.due is not None:
            self.appointment_queues.setdefault(ticket.service, SortedList()).add(ticket.due_key)
        elif ticket.status == WAITING:
            self.queues.setdefault(ticket.service, SortedList()).add(ticket.order_key)
        elif ticket.desk is not None and ticket.desk in self.desks:
            self.desks[ticket.desk].ticket_id = ticket.id

    def _unplace(self, ticket: LiveTicket) -> None:
        self.by_token.pop(ticket.token_hash, None)
        if ticket.status == WAITING:
            queues = self.queues if ticket.due is None else self.appointment_queues
            queue = queues.get(ticket.service)
            if queue is not None:
                queue.discard(ticket.order_key if ticket.due is None else ticket.due_key)
        elif ticket.desk is not None:
            desk = self.desks.get(ticket.desk)
            if desk is not None and desk.ticket_id == ticket.id:
                desk.ticket_id = None

    def put_booking(self, booking: Booking) -> None:
        """Store an appointment's new state; one still ``booked`` is expected at the kiosk at its time."""
        old = self.bookings.pop(booking.id, None)
        if old is not None:
            self.expected.get(old.service, SortedList()).discard((old.start, old.id))
            self.booking_counts[old.service][old.status] -= 1
        self.bookings[booking.id] = booking
        self.booking_counts.setdefault(booking.service, Counter())[booking.status] += 1
        if booking.status == BOOKED:
            self.expected.setdefault(booking.service, SortedList()).add((booking.start, booking.id))

    def set_desk(self, key: str, status: str, streak: int) -> None:
        """Store a desk row's status and priority streak; its current ticket is set by ``put``, not here."""
        desk = self.desks.setdefault(key, LiveDesk())
        desk.status, desk.streak = status, streak

    def apply(self, record: Mapping[str, Any]) -> None:
        """Apply one committed change record (``services/outbox.py``).

        Each ticket and event carries its own business day: only today's count (an earlier day's ticket expired
        or cancelled now leaves nothing behind), whatever the day of the clock that sealed the record -- one
        sealed a moment before midnight may hold a ticket of the new day.  Desk rows have no day: always applied.
        """
        seq = int(record["seq"])
        if seq <= self.seq:
            return
        for event in record.get("events", ()):
            if event.get("day", record.get("day")) == self.day:
                self._learn(event)
        for data in record.get("tickets", ()):
            if data.get("day") == self.day:
                self.put(LiveTicket.from_record(data))
            else:
                self.drop(int(data["id"]))
        for desk in record.get("desks", ()):
            self.set_desk(desk["key"], desk["status"], int(desk["streak"]))
        for data in record.get("appointments", ()):
            if data.get("day") == self.day:
                self.put_booking(Booking.from_record(data))
        self.seq = seq

    def drop(self, ticket_id: int) -> None:
        """Forget a ticket (another day's, or gone): it leaves its queue or desk; unknown ids are ignored."""
        old = self.tickets.pop(ticket_id, None)
        if old is not None:
            self._unplace(old)

    def _learn(self, event: Mapping[str, Any]) -> None:
        """Statistics and the zone's recent calls from one event (the same code for a rebuild, see build())."""
        self.stats.learn(event)
        if event["type"] in ("called", "recalled") and event.get("desk"):
            self.note_call(
                RecentCall(
                    event["number"], event["desk"], int(event["at"]), event["type"] == "recalled", int(event["ticket"])
                )
            )

    def note_call(self, call: RecentCall) -> None:
        """Add a call to its desk's zone's recent calls (a desk not in the topology is ignored), kept in
        time order though commits may land out of it."""
        spec = self.topology.desk_map.get(call.desk)
        if spec is None:
            return
        calls = self.calls.setdefault(spec.zone, deque(maxlen=RECENT_CALLS))
        calls.append(call)
        if len(calls) > 1 and (calls[-2].at, calls[-2].ticket_id) > (call.at, call.ticket_id):
            ordered = sorted(calls, key=lambda c: (c.at, c.ticket_id))  # commits can land out of time order
            calls.clear()
            calls.extend(ordered)

    # -- reading ---------------------------------------------------------------------------------------------
    def position(self, ticket: LiveTicket, now: int | None = None) -> int | None:
        """1 for the next ticket its service will call, 2 for the one after; None unless it waits.

        A walk-in counts the appointments already due (``now``, us) ahead of it; an appointment counts the
        appointments booked before it.
        """
        if ticket.status != WAITING:
            return None
        if ticket.due is not None:
            return int(self.appointment_queues[ticket.service].bisect_left(ticket.due_key)) + 1
        return self.walk_in_rank(ticket) + (self.due_count(ticket.service, now) if now is not None else 0)

    def walk_in_rank(self, ticket: LiveTicket) -> int:
        """A waiting walk-in's place among the walk-ins (1 first): the estimator's position."""
        return int(self.queues[ticket.service].bisect_left(ticket.order_key)) + 1

    def due_count(self, service: str, now: int) -> int:
        """How many checked-in appointments of ``service`` are due at ``now`` (us) or before."""
        return int(self.appointment_queues.get(service, SortedList()).bisect_left((now + 1,)))

    def expected_between(self, service: str, first: int, before: int) -> int:
        """How many of ``service``'s appointments not checked in yet start in ``[first, before)`` (us)."""
        queue = self.expected.get(service)
        if not queue:
            return 0
        return int(queue.bisect_left((before,))) - int(queue.bisect_left((first,)))

    def waiting_count(self, service: str) -> int:
        """Everybody waiting for ``service``: walk-ins and checked-in appointments."""
        return len(self.queues.get(service, ())) + len(self.appointment_queues.get(service, ()))

    def walk_ins_waiting(self, service: str) -> int:
        """How many walk-ins wait for ``service``, appointments left out: O(1)."""
        return len(self.queues.get(service, ()))

    def appointments_in(self, service: str) -> Iterator[LiveTicket]:
        """The service's checked-in appointments waiting, by booked time."""
        for _, ticket_id in self.appointment_queues.get(service, ()):
            yield self.tickets[ticket_id]

    def waiting_in(self, service: str, limit: int | None = None) -> Iterator[LiveTicket]:
        """The service's waiting walk-ins in call order (the first ``limit`` of them)."""
        queue = self.queues.get(service)
        if not queue:
            return
        keys = queue if limit is None else queue.islice(0, limit)
        for _, _, ticket_id in keys:
            yield self.tickets[ticket_id]

    def head(self, services: Iterable[str], priority: bool | None) -> LiveTicket | None:
        """The ticket call-next would take among ``services``: the longest-waiting of the class ``priority``
        (None: both classes together), as ``policy.choose`` and the SQL fallback in services/desks.py decide."""
        best: tuple[int, int] | None = None
        for service in services:
            queue = self.queues.get(service)
            if not queue:
                continue
            for cls in (True, False) if priority is None else (priority,):
                first = self._first_arrived(queue, int(queue.bisect_left((not cls,))), not cls)
                if first is not None and (best is None or first < best):
                    best = first
        return self.tickets[best[1]] if best is not None else None

    def _first_arrived(self, queue: SortedList, i: int, normal: bool) -> tuple[int, int] | None:
        """(queued_at, id) of the first ticket of the class from ``i`` on that may be called: past the remote
        tickets still waiting for their visitor to arrive (they keep their place, and are passed over)."""
        while i < len(queue) and queue[i][0] == normal:
            _, queued_at, ticket_id = queue[i]
            if self.tickets[ticket_id].arrived:
                return queued_at, ticket_id
            i += 1
        return None

    def first_appointment(self, services: Iterable[str], due_by: int | None = None) -> LiveTicket | None:
        """The checked-in appointment booked earliest among ``services`` (only one due by ``due_by``, us)."""
        best: tuple[int, int] | None = None
        for service in services:
            queue = self.appointment_queues.get(service)
            if queue and (best is None or queue[0] < best):
                best = queue[0]
        if best is None or (due_by is not None and best[0] > due_by):
            return None
        return self.tickets[best[1]]

    def at_desk(self, desk_key: str) -> LiveTicket | None:
        """The ticket called or served at ``desk_key``, None when it has none: two dict lookups, O(1)."""
        desk = self.desks.get(desk_key)
        if desk is None or desk.ticket_id is None:
            return None
        return self.tickets.get(desk.ticket_id)

    def by_token_hash(self, token_hash: str) -> LiveTicket | None:
        """The active ticket whose token hashes to ``token_hash`` (a visitor's phone page), else None: O(1)."""
        ticket_id = self.by_token.get(token_hash)
        return self.tickets.get(ticket_id) if ticket_id is not None else None

    def recent_calls(self, zone: str) -> list[RecentCall]:
        """The zone's newest calls first."""
        return list(reversed(self.calls.get(zone, ())))

    def service_stats(self, service: str) -> ServiceStats:
        """What the estimator has learnt of ``service`` today (created empty on first use): O(1)."""
        return self.stats.of(service)

    def state(self) -> dict[str, Any]:
        """Everything the model holds, as plain data: two models are equal when their states are."""
        return {
            "day": self.day,
            "tickets": {tid: t for tid, t in sorted(self.tickets.items())},
            "queues": {k: list(q) for k, q in sorted(self.queues.items()) if q},
            "appointment_queues": {k: list(q) for k, q in sorted(self.appointment_queues.items()) if q},
            "desks": {k: (d.status, d.streak, d.ticket_id) for k, d in sorted(self.desks.items())},
            "stats": self.stats.state(),
            "calls": {z: list(c) for z, c in sorted(self.calls.items()) if c},
            "bookings": dict(sorted(self.bookings.items())),
        }


def build(
    topology: Topology,
    day: str,
    seq: int,
    tickets: Iterable[LiveTicket],
    desks: Mapping[str, tuple[str, int]],
    events: Iterable[Mapping[str, Any]],
    bookings: Iterable[Booking] = (),
) -> QueueModel:
    """A model from what the database holds: today's active tickets, desk rows and today's events in order.

    The events rebuild the statistics and recent calls; the ticket and desk rows (not the events) give the state
    of every ticket and desk, so a model built this way checks one kept current change by change.
    """
    model = QueueModel(topology, day, seq=seq)
    for event in events:
        model._learn(event)
    for ticket in tickets:
        model.put(ticket)
    for key, (status, streak) in desks.items():
        model.set_desk(key, status, streak)
    for booking in bookings:
        model.put_booking(booking)
    return model
