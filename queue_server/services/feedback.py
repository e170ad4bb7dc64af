"""Visitor feedback: after a finished visit, one optional 1-5 rating and an optional category; nothing else.

No free text and nothing personal: the stored row keeps the business day, the service, the rating and the
category.  The link to the ticket exists only to allow one answer per ticket and goes when retention deletes it.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.states import ACTIVE, TicketStatus
from ..domain.statistics import FEEDBACK_CATEGORIES
from ..models import Feedback, Ticket
from .context import Context
from .tokens import token_hash


class FeedbackNotAllowed(DomainError):
    """Feedback on a visit not finished (``not_done``) or already answered (``feedback_given``): 409, that code."""

    code = "feedback_not_allowed"
    status = 409


def give_feedback(ctx: Context, token: str, rating: int, category: str | None) -> None:
    """Store the answer for the ticket behind ``token``: only when its visit is done, once per ticket."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidRequest("rating must be a whole number from 1 to 5")
    if category is not None and category not in FEEDBACK_CATEGORIES:
        raise InvalidRequest(f"category must be one of {', '.join(FEEDBACK_CATEGORIES)} or null")
    with ctx.db.writer() as session:
        ticket = session.scalar(sa.select(Ticket).where(Ticket.token_hash == token_hash(token)).with_for_update())
        if ticket is None or (ticket.business_day < ctx.today() and ticket.status not in ACTIVE):
            raise NotFound("no such ticket", code="unknown_ticket")  # finished tickets of earlier days are gone
        if ticket.status != TicketStatus.DONE:
            raise FeedbackNotAllowed("feedback is asked after a finished visit", code="not_done")
        if session.scalar(sa.select(Feedback.id).where(Feedback.ticket_id == ticket.id)) is not None:
            raise FeedbackNotAllowed("this visit has feedback already", code="feedback_given")
        session.add(
            Feedback(
                ticket_id=ticket.id,
                business_day=ticket.business_day,
                service_key=ticket.service_key,
                rating=rating,
                category=category,
            )
        )
        try:
            session.flush()
        except sa.exc.IntegrityError:  # the same phone sent it twice at once
            raise FeedbackNotAllowed("this visit has feedback already", code="feedback_given") from None
