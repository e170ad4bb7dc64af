"""Domain errors: each carries a stable machine-readable ``code`` that the HTTP edge maps to a 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """Root of every rule violation the queue engine can report."""

    code = "domain_error"
    status = 409

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidTransition(DomainError):
    """The ticket, appointment or device is not in a state that allows the action (domain/states.py
    ``apply``, or a service's own check): the HTTP edge answers 409 ``invalid_transition`` or the finer ``code``."""

    code = "invalid_transition"
    status = 409


class NotFound(DomainError):
    """No such service, desk, kiosk, ticket, appointment, device or user: 404 ``not_found``, or the finer
    ``code`` the raiser gives (``unknown_service``, ``unknown_ticket``, ...)."""

    code = "not_found"
    status = 404


class ServiceClosed(DomainError):
    """A ticket was asked for outside the service's opening hours: 409 ``service_closed``, with ``opens_at``
    and ``service`` so the kiosk can say when to come back."""

    code = "service_closed"
    status = 409


class DailyLimitReached(DomainError):
    """The service has given its ``daily_limit`` of tickets today: 409 ``daily_limit_reached``, with
    ``opens_at`` (its first opening after today) and ``service``."""

    code = "daily_limit_reached"
    status = 409


class DeskBusy(DomainError):
    """The desk still holds a ticket, so it may not call another or close (nor may its clerk open a desk while
    another of theirs holds one, ``busy_elsewhere``): 409 ``desk_busy``; finish, transfer or no-show it first."""

    code = "desk_busy"
    status = 409


class AlreadyCalled(InvalidTransition):
    """Another desk called the ticket first (two clerks picked it from the waiting list at once)."""

    code = "already_called"
    status = 409


class UndoExpired(DomainError):
    """A no-show can be undone only for a while after it was marked (services/no_show_undo.py)."""

    code = "undo_expired"
    status = 409


class NoCurrentTicket(DomainError):
    """A recall, start, finish, no-show, transfer or return to the queue at a desk with no called ticket: 409
    ``no_current_ticket`` (services/desks.py)."""

    code = "no_current_ticket"
    status = 409


class NotServedHere(DomainError):
    """The desk was asked to call (or undo the no-show of) a ticket of a service it does not serve: 409
    ``not_served_here``."""

    code = "not_served_here"
    status = 409


class NotOffered(DomainError):
    """The kiosk does not offer this service (its ``services`` list leaves it out)."""

    code = "not_offered"
    status = 409


class InvalidRequest(DomainError):
    """A value the schemas let through breaks a rule of the queue (a language the centre lacks, a range
    too long, a password too short): 400 ``invalid_request``, the same code as a body that fails validation."""

    code = "invalid_request"
    status = 400


class NoAppointments(DomainError):
    """The service takes walk-ins only (no ``appointments:`` in its configuration)."""

    code = "no_appointments"
    status = 409


class NotASlot(DomainError):
    """The start is not one of the service's slots (off the grid, or outside its appointment hours)."""

    code = "not_a_slot"
    status = 400


class SlotPast(DomainError):
    """A booking for a slot that has already started: 409 ``slot_past`` (the visitor picks a later one)."""

    code = "slot_past"
    status = 409


class SlotFull(DomainError):
    """Every place of the slot is booked: the database refused one more (services/appointments.py)."""

    code = "slot_full"
    status = 409


class TooEarly(DomainError):
    """Check-in opens ``checkin_early_min`` before the appointment: ``come_back_at`` says when."""

    code = "too_early"
    status = 409


class TooLate(DomainError):
    """Check-in closed ``grace_min`` after the appointment; ``walk_in`` says whether a walk-in ticket is offered."""

    code = "too_late"
    status = 409


class NotCheckable(DomainError):
    """The appointment is cancelled, missed or already checked in: its code gives no (second) ticket."""

    code = "not_checkable"
    status = 409
