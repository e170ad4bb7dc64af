"""Ticket states and the transitions between them, as data.

A ticket lives for one visit: it waits, is called to a desk, is served, and then either ends or, when the
visitor chose several errands, waits again in the next service's queue. The table below is the whole state
machine; :func:`apply` is the only place a state changes.

One final state has a way back: a no-show marked by mistake may be undone (``no_show -> waiting``), and the
ticket takes its old place again.  The table allows it at any time; the service layer allows it only for a
while after the no-show (services/no_show_undo.py), because the visitor who was told "you missed your turn"
must not be called again an hour later.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from .errors import InvalidTransition

#: a desk's state: open (it calls, and counts for the estimates), paused (it keeps its ticket and counts for
#: none), closed
DeskStatus = Literal["open", "paused", "closed"]
DESK_STATUSES: tuple[str, ...] = get_args(DeskStatus)


class TicketStatus(StrEnum):
    """Where a ticket stands: waiting, called, serving, or ended (done, no-show, cancelled, expired);
    only :func:`apply` moves it from one to another."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Action(StrEnum):
    """What happens to a ticket; every action is also the type of the event row it leaves."""

    ISSUE = "issued"
    CALL = "called"
    RECALL = "recalled"
    START = "started"
    FINISH = "finished"  # the last errand is done
    NEXT_ERRAND = "next_errand"  # an errand is done and the ticket joins the next service's queue
    NO_SHOW = "no_show"
    TRANSFER = "transferred"
    RETURN = "returned"  # back to the same queue, keeping its place
    CANCEL = "cancelled"
    EXPIRE = "expired"
    UNDO_NO_SHOW = "no_show_undone"  # a no-show marked by mistake: back to its old place in the queue
    ARRIVE = "arrived"  # a remote ticket's visitor is here: it may be called now, from its place


S = TicketStatus
ACTIVE: frozenset[TicketStatus] = frozenset({S.WAITING, S.CALLED, S.SERVING})
FINAL: frozenset[TicketStatus] = frozenset({S.DONE, S.NO_SHOW, S.CANCELLED, S.EXPIRED})
AT_DESK: frozenset[TicketStatus] = frozenset({S.CALLED, S.SERVING})

#: (action, from-state) -> to-state.  Anything missing is not allowed.
TRANSITIONS: dict[tuple[Action, TicketStatus | None], TicketStatus] = {
    (Action.ISSUE, None): S.WAITING,
    (Action.CALL, S.WAITING): S.CALLED,
    (Action.RECALL, S.CALLED): S.CALLED,
    (Action.START, S.CALLED): S.SERVING,
    (Action.FINISH, S.CALLED): S.DONE,
    (Action.FINISH, S.SERVING): S.DONE,
    (Action.NEXT_ERRAND, S.CALLED): S.WAITING,
    (Action.NEXT_ERRAND, S.SERVING): S.WAITING,
    (Action.NO_SHOW, S.CALLED): S.NO_SHOW,
    (Action.TRANSFER, S.CALLED): S.WAITING,
    (Action.TRANSFER, S.SERVING): S.WAITING,
    (Action.TRANSFER, S.WAITING): S.WAITING,
    (Action.RETURN, S.CALLED): S.WAITING,
    (Action.RETURN, S.SERVING): S.WAITING,
    (Action.CANCEL, S.WAITING): S.CANCELLED,
    (Action.CANCEL, S.CALLED): S.CANCELLED,
    (Action.EXPIRE, S.WAITING): S.EXPIRED,
    (Action.EXPIRE, S.CALLED): S.EXPIRED,
    (Action.EXPIRE, S.SERVING): S.EXPIRED,
    (Action.UNDO_NO_SHOW, S.NO_SHOW): S.WAITING,
    (Action.ARRIVE, S.WAITING): S.WAITING,
}


def apply(status: TicketStatus | None, action: Action) -> TicketStatus:
    """Return the state after ``action``, or raise :class:`InvalidTransition` when the rules forbid it."""
    try:
        return TRANSITIONS[(action, status)]
    except KeyError:
        raise InvalidTransition(
            f"cannot {action.value.replace('_', ' ')} a ticket that is {status.value if status else 'new'}",
            status=status.value if status else None,
            action=action.value,
        ) from None


def finish_action(pending_services: list[str]) -> Action:
    """Finishing an errand ends the visit, or sends the ticket on to the next errand's queue."""
    return Action.NEXT_ERRAND if pending_services else Action.FINISH
