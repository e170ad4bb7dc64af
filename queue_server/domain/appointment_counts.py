"""Today's appointments of one service as the dashboard counts them: booked, checked in, late, no-show.

Read from the live model (domain/queue_model.py), which keeps each service's appointments counted by status
and the ones still expected in start order, so a count is a few lookups and two bisections, never a pass over
the day's bookings: the dashboard is built again after every change.

- ``booked``: every appointment of the day but the cancelled ones;
- ``checked_in``: those that gave a ticket, whatever the desk did with it afterwards (the ticket tells that);
- ``late``: not checked in, the booked time passed, check-in still open (``grace_min``): late now, still welcome;
- ``no_show``: never checked in and check-in closed -- marked by the sweep (services/appointments.py
  ``mark_no_shows``), or not yet marked but past the grace, which the kiosk already refuses.

The rest of ``booked`` is still to come.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .appointments import AppointmentStatus
from .queue_model import QueueModel

#: an appointment in one of these has its ticket (the model's bookings stay ``checked_in``; the others are
#: what the database says once the ticket moves on, counted the same)
CHECKED_IN = (AppointmentStatus.CHECKED_IN, AppointmentStatus.CALLED, AppointmentStatus.DONE)


@dataclass(frozen=True)
class AppointmentCounts:
    """One service's appointments today for the dashboard: booked (cancelled left out), checked in, late
    and no-show; what is booked but none of these is still to come."""

    booked: int
    checked_in: int
    late: int
    no_show: int


def appointment_counts(model: QueueModel, service: str, now: int, grace: int) -> AppointmentCounts:
    """``service``'s counts at ``now`` (us) with a check-in that closes ``grace`` (us) after the booked time.

    At ``start + grace`` itself check-in is still open (domain/appointments.py ``checkin_window``)."""
    by_status: Mapping[str, int] = model.booking_counts.get(service, {})
    closed = now - grace  # an appointment that started before this has missed its check-in
    return AppointmentCounts(
        booked=sum(by_status.values()) - by_status.get(AppointmentStatus.CANCELLED, 0),
        checked_in=sum(by_status.get(status, 0) for status in CHECKED_IN),
        late=model.expected_between(service, closed, now),
        no_show=by_status.get(AppointmentStatus.NO_SHOW, 0) + model.expected_between(service, 0, closed),
    )
