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
    code = "invalid_transition"
    status = 409


class NotFound(DomainError):
    code = "not_found"
    status = 404


class ServiceClosed(DomainError):
    code = "service_closed"
    status = 409


class DailyLimitReached(DomainError):
    code = "daily_limit_reached"
    status = 409


class DeskBusy(DomainError):
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
    code = "no_current_ticket"
    status = 409


class NotServedHere(DomainError):
    code = "not_served_here"
    status = 409


class NotOffered(DomainError):
    """The kiosk does not offer this service (its ``services`` list leaves it out)."""

    code = "not_offered"
    status = 409


class InvalidRequest(DomainError):
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
