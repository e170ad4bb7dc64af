"""Checking in for an appointment at the kiosk: the code gives a ticket of the appointment prefix, due at its time.

Check-in opens ``checkin_early_min`` before the booked time and closes ``grace_min`` after it
(domain/appointments.py).  Too early, the visitor is told when to come back; too late, that the appointment is
gone and a walk-in ticket is theirs to take instead (``walk_in``: whether the service gives one now).  A code
gives one ticket: a second check-in, a cancelled or a missed appointment is refused.

The ticket is an ordinary ticket of the appointment's service with ``due_at`` set: the desks call it at that
time, ahead of the walk-ins (domain/policy.py), and it is printed and followed on the phone like any other.  It
is written inside the check-in's transaction, so the appointment points at it before anyone can see either.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from ..config import AppointmentsConfig
from ..domain.appointments import AppointmentStatus, Window, checkin_window
from ..domain.codes import normalise_code
from ..domain.errors import InvalidRequest, NotCheckable, NotFound, TooEarly, TooLate
from ..models import Appointment
from .context import Context
from .outbox import note_appointment, writing
from .rows import insert_ticket
from .tickets import IssuedTicket, NewTicket, check_kiosk, hand_out, new_ticket


def check_in(ctx: Context, code: str, *, language: str, kiosk: str | None, actor: str = "system") -> IssuedTicket:
    """The ticket for the appointment with ``code``, if its check-in window is open now."""
    if language not in ctx.config.centre.languages:
        raise InvalidRequest(f"language must be one of {', '.join(ctx.config.centre.languages)}")
    if kiosk is not None:
        check_kiosk(ctx, kiosk, [])
    now = ctx.now()
    with writing(ctx) as session:
        appointment = _locked(session, code)
        appt = _config(ctx, appointment.service_key)
        _check_window(ctx, appointment, appt, now)
        new = NewTicket(
            [appointment.service_key],
            appt.prefix,
            language,
            kiosk,
            estimate=_until(appointment, now),
            due_at=appointment.start,
        )
        ticket = new_ticket(session, ctx, new, now, actor)
        appointment.ticket_id = insert_ticket(session, ticket)  # the seal then updates it like any ticket
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.checked_in_at = appointment.updated_at = now
        note_appointment(
            session, appointment.id, appointment.service_key, appointment.start, appointment.status, ticket.business_day
        )
    return hand_out(ctx, ticket, new, None)


def _locked(session: orm.Session, code: str) -> Appointment:
    found = session.scalar(
        sa.select(Appointment).where(Appointment.code == normalise_code(code)[:16]).with_for_update()
    )
    if found is None:
        raise NotFound("no appointment with that code", code="unknown_appointment")
    return found


def _config(ctx: Context, service_key: str) -> AppointmentsConfig:
    service = ctx.config.service_map.get(service_key)
    if service is None or service.appointments is None:  # the service was removed or stopped taking them
        raise NotCheckable(
            "this appointment's service takes no appointments now: ask at the information desk", status="gone"
        )
    return service.appointments


def _check_window(ctx: Context, appointment: Appointment, appt: AppointmentsConfig, now: datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        if appointment.status == AppointmentStatus.NO_SHOW:
            raise _too_late(ctx, appointment, appt)
        raise NotCheckable(
            f"this appointment is {appointment.status.replace('_', ' ')}: its code gives no ticket",
            status=appointment.status,
        )
    window = checkin_window(appointment.start, now, appt.checkin_early_min, appt.grace_min)
    if window is Window.EARLY:
        back = appointment.start.timestamp() - appt.checkin_early_min * 60
        come_back = datetime.fromtimestamp(back, ctx.config.centre.tz)
        raise TooEarly(
            f"check-in for this appointment opens at {come_back:%H:%M} ({appt.checkin_early_min} minutes before it)",
            come_back_at=come_back.isoformat(),
            start=_local(ctx, appointment),
        )
    if window is Window.LATE:
        raise _too_late(ctx, appointment, appt)


def _too_late(ctx: Context, appointment: Appointment, appt: AppointmentsConfig) -> TooLate:
    """The refusal of a late check-in, with the walk-in offer when the service gives tickets now."""
    local = appointment.start.astimezone(ctx.config.centre.tz)
    walk_in = ctx.config.hours_map[appointment.service_key].is_open(ctx.now().astimezone(ctx.config.centre.tz))
    offer = "; you can take a walk-in ticket for the same service instead" if walk_in else ""
    return TooLate(
        f"the {local:%H:%M} appointment's check-in closed {appt.grace_min} minutes after it{offer}",
        start=local.isoformat(),
        walk_in=walk_in,
        service=appointment.service_key,
    )


def _local(ctx: Context, appointment: Appointment) -> str:
    return appointment.start.astimezone(ctx.config.centre.tz).isoformat()


def _until(appointment: Appointment, now: datetime) -> int:
    return max(0, int((appointment.start - now).total_seconds()))
