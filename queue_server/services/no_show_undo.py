"""Undoing a no-show marked by mistake: the ticket waits again, in its old place.

A clerk who pressed "no-show" for the wrong visitor (or one who was just late) takes it back: the ticket
returns to its queue with its original ``queued_at`` -- so its position is what it was -- and its phone sees it
waiting again.  Only for ``UNDO_WINDOW`` after the no-show: after that the visitor has been told they missed
their turn, may have left or taken a new number, and calling them again would skew the queue.  Only a desk
serving the ticket's service may undo it (any of them: the colleague at the next desk too), and the undo is
an event in the ticket's log (``no_show_undone``) like every other change; statistics then count the errand as
going on, not as a no-show (domain/statistics.py, domain/queue_stats.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from ..domain.errors import InvalidTransition, NotServedHere, UndoExpired
from ..domain.states import Action, TicketStatus
from .context import Context
from .desk_state import desk_config, requeue
from .desks import DeskResult, todays_ticket
from .events import transition
from .outbox import live_ticket, writing
from .rows import EVENTS, TicketRow
from .tickets import live_view

#: how long after a no-show it may be undone
UNDO_WINDOW = timedelta(minutes=10)

_MARKED = (
    sa.select(EVENTS.c.at)
    .where(EVENTS.c.ticket_id == sa.bindparam("ticket"), EVENTS.c.type == Action.NO_SHOW.value)
    .order_by(EVENTS.c.id.desc())
    .limit(1)
)


def _marked_at(session: orm.Session, ticket: TicketRow) -> datetime | None:
    """When the ticket's latest no-show was marked, from its event log."""
    return session.connection().execute(_MARKED, {"ticket": ticket.id}).scalar()


def undo_no_show(
    ctx: Context, desk_key: str, actor: str, *, number: str | None = None, ticket_id: int | None = None
) -> DeskResult:
    """Put today's no-show ticket ``number`` (or ``ticket_id``) back in its queue, in its old place.

    409 ``undo_expired`` more than ``UNDO_WINDOW`` after the no-show, ``invalid_transition`` for a ticket that is
    not a no-show (a second undo, one called meanwhile), ``not_served_here`` from a desk that does not serve its
    service.  The database decides: the ticket row stays locked from the check to the commit.
    """
    desk = desk_config(ctx, desk_key)
    now = ctx.now()
    with writing(ctx) as session:
        ticket = todays_ticket(session, ctx, number, ticket_id)
        if ticket.service_key not in desk.services:
            raise NotServedHere(f"{ticket.number} is for a service this desk does not serve")
        if ticket.status != TicketStatus.NO_SHOW.value:
            raise InvalidTransition(
                f"{ticket.number} is not a no-show (it is {ticket.status})",
                status=ticket.status,
                action=Action.UNDO_NO_SHOW.value,
            )
        marked = _marked_at(session, ticket)
        if marked is None or now - marked > UNDO_WINDOW:
            minutes = int(UNDO_WINDOW.total_seconds() // 60)
            raise UndoExpired(
                f"{ticket.number} was marked a no-show more than {minutes} minutes ago; "
                "it can no longer be undone (the visitor may take a new number)"
            )
        transition(session, ticket, Action.UNDO_NO_SHOW, at=now, actor=actor, desk_key=desk.key)
        requeue(ticket, ticket.service_key)
        waiting = live_ticket(ticket)
    assert ctx.live is not None
    return DeskResult(live_view(ctx, waiting), ctx.live.desk_status(desk.key))
