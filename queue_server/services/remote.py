"""Joining the queue from the QR poster: a visitor takes a ticket on their own phone, without a kiosk token.

The poster at the entrance (``/join/<kiosk>``) offers what its kiosk offers, but only the services that say
``remote: true``; each may cap the tickets taken this way per business day (``remote_daily_limit``), counted by
the database like the daily limit (a counter upsert in the ticket's own transaction, services/counters.py).
The ticket is an ordinary one otherwise -- same numbers, same queue, same phone page -- but it is never
printed, never a priority ticket, and its issue event names the actor ``remote``.  Where the first service says
``remote_confirm: true``, the ticket keeps its place but is passed over until the visitor taps "I am here" on
the phone page (services/arrival.py).  Nothing about the phone is
stored: no address, no cookie, no device.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import orm

from ..config import VuoroConfig
from ..domain.errors import DomainError, NotFound
from .context import Context
from .counters import bump_counter
from .tickets import IssuedTicket, issue_ticket

#: the actor of a remote ticket's events: how the event log (and statistics) tell it from a kiosk's
REMOTE_ACTOR = "remote"


class NotRemote(DomainError):
    """The poster's kiosk does not offer the service, or the service is not taken from a phone."""

    code = "not_remote"
    status = 409


class RemoteLimitReached(DomainError):
    """The service has given all its tickets from the poster for today (its kiosks still give them)."""

    code = "remote_limit_reached"
    status = 409


def remote_services(config: VuoroConfig, kiosk: str) -> list[str]:
    """The services the kiosk's poster offers, in the config's order: the kiosk's (empty: all) that are remote."""
    kcfg = config.kiosk_map.get(kiosk)
    if kcfg is None:
        raise NotFound(f"unknown kiosk {kiosk!r}", code="unknown_kiosk")
    return [s.key for s in config.services if s.remote and (kcfg.services is None or s.key in kcfg.services)]


def join_queue(ctx: Context, kiosk: str, *, services: list[str], language: str) -> IssuedTicket:
    """Issue a ticket from the kiosk's poster: the kiosk's rules (closed, daily limit, errands), plus its own."""
    offered = remote_services(ctx.config, kiosk)
    refused = [key for key in services if key in ctx.config.service_map and key not in offered]
    if refused:
        raise NotRemote(
            f"{', '.join(refused)} cannot be taken from a phone here; take a ticket at the kiosk", service=refused[0]
        )
    first = ctx.config.service_map.get(services[0]) if services else None
    return issue_ticket(
        ctx,
        services=services,
        language=language,
        actor=REMOTE_ACTOR,
        extra_limit=lambda session, local: _check_remote_limits(ctx, session, services, local),
        # remote_confirm: its place is kept, but it is called once the visitor says they are here
        arrived=not (first is not None and first.remote_confirm),
    )


def _check_remote_limits(ctx: Context, session: orm.Session, services: list[str], local: datetime) -> None:
    """Refuse the ticket when one of its services has given its remote tickets for the day.

    The counters are bumped in sorted order after the daily limits' (which are sorted too): every transaction
    takes the counter rows in one global order, so none waits for another's in a circle on PostgreSQL.
    """
    day = local.date()
    for key in sorted(services):
        limit = ctx.config.service_map[key].remote_daily_limit
        if limit is not None and bump_counter(session, f"remote:{key}", day) > limit:
            raise RemoteLimitReached(
                f"{key} has given all its tickets for phones today; take one at the kiosk", service=key
            )
