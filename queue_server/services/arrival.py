"""'I am here': a remote ticket's visitor has come, so the desks may call it from the place it kept.

A service with ``remote_confirm`` lets a visitor take a number on their phone from the QR poster before they
set out; the ticket keeps its place in the queue, but call-next passes over it (domain/queue_model.py, the SQL
in services/desks.py) until the visitor taps "I am here" on the phone page.  Saying so twice is harmless.
"""

from __future__ import annotations

from ..domain.errors import DomainError
from ..domain.states import Action, TicketStatus
from .context import Context
from .events import transition
from .outbox import live_ticket, writing
from .ticket_view import TicketView
from .tickets import by_token, live_view


class NotWaiting(DomainError):
    """Saying "I am here" for a ticket that no longer waits (called, done, cancelled): 409 ``not_waiting``."""

    code = "not_waiting"
    status = 409


def arrive(ctx: Context, token: str) -> TicketView:
    """Mark the ticket behind ``token`` as here (one event, ``arrived``); a ticket already here is left as it is."""
    now = ctx.now()
    with writing(ctx) as session:
        ticket = by_token(session, token, lock=True)
        if ticket.status != TicketStatus.WAITING.value:
            raise NotWaiting("only a waiting ticket can say it is here")
        if not ticket.arrived:
            transition(session, ticket, Action.ARRIVE, at=now, actor="visitor")
            ticket.arrived = True
        here = live_ticket(ticket)
    return live_view(ctx, here, token)
