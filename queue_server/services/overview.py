"""The per-service summary that kiosks, boards and the API show: open or not, waiting, estimated wait.

These are public figures: a sensitive service's appear only merged with those of the services that share its
prefix and waiting area (:mod:`queue_server.domain.cover`), each member showing the group's total waiting and
one estimate for the group, rounded up to 5 minutes so that one ticket seldom moves it; a sensitive service
that has no such partner shows none (``None``).  Staff views (desks, dashboard) read per-service figures from
the live model directly.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ..db import DatabaseUnavailable
from ..domain.forecast import NO_DESK_OPEN, EstimateReason
from ..i18n.formats import format_wait
from ..models import Counter
from .context import Context
from .outbox import us

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceSummary:
    """One service as the kiosks, boards, phones and open API (or, unmerged, the staff views) see it:
    open or when it opens, who waits and the estimate, where to wait, whether it is full today."""

    key: str
    prefix: str
    names: dict[str, str]
    #: where to wait: the public location in the public summaries (a kiosk's ticket screen and the phone show it)
    locations: dict[str, str]
    open: bool
    opens_at: str | None
    #: an exception (or a closed date) closes it all of tomorrow: kiosks say so to today's visitors
    closed_tomorrow: bool
    waiting: int | None
    estimated_wait_s: int | None
    sensitive: bool
    #: the estimate as the screens show it, in each of the centre's languages (one formatter: i18n.formats)
    wait_texts: dict[str, str | None] = field(default_factory=dict)
    #: why ``estimated_wait_s`` is null: ``no_desk_open`` (no desk serving it is open now); else null
    estimate_reason: EstimateReason | None = None
    #: it has given its ``daily_limit`` of tickets today: a kiosk shows it as full instead of failing after a tap
    full_today: bool = False


#: a merged group's estimate is shown in steps of this many seconds
MERGED_STEP_S = 300


def public_summaries(ctx: Context) -> list[ServiceSummary]:
    """Every service's summary as the public may see it (kiosks, boards, phones, the open API)."""
    return _summaries(ctx, public=True)


def staff_summaries(ctx: Context) -> list[ServiceSummary]:
    """Every service's own figures, sensitive ones too: for desk pages and staff only."""
    return _summaries(ctx, public=False)


def _summaries(ctx: Context, *, public: bool) -> list[ServiceSummary]:
    """From the live model's forecasts; the daily limits from their counters (see :func:`full_today`)."""
    assert ctx.live is not None
    now = ctx.now()
    local = now.astimezone(ctx.config.centre.tz)
    forecasts = ctx.live.forecasts()
    now_us = us(now)
    # no estimate for a service no desk serves now: "no desk open", not a made-up "40 min"
    own = {k: (fc.waiting, fc.newcomer_wait(now_us) if fc.staffed else None) for k, fc in forecasts.items()}
    full = full_today(ctx, local.date())
    out = []
    for s in ctx.config.services:
        hours = ctx.config.hours_map[s.key]
        is_open = hours.is_open(local)
        nxt = None if is_open else hours.next_opening(local, ctx.config.centre.tz)
        waiting, wait_s = _public_figures(ctx.config.cover_map[s.key], s.sensitive, own) if public else own[s.key]
        reason = NO_DESK_OPEN if wait_s is None and waiting is not None else None
        out.append(
            ServiceSummary(
                key=s.key,
                prefix=s.prefix,
                names=dict(s.name),
                locations=dict(s.ticket_location if public else s.location),
                open=is_open,
                opens_at=nxt.isoformat() if nxt else None,
                waiting=waiting,
                estimated_wait_s=wait_s,
                closed_tomorrow=hours.on(local.date() + timedelta(days=1)) == (),
                sensitive=s.sensitive,
                wait_texts={lang: format_wait(wait_s, lang, reason) for lang in ctx.config.centre.languages},
                estimate_reason=reason,
                full_today=s.key in full,
            )
        )
    return out


#: per live model: ((business day, change seq, limits), the full services) -- a counter moves only with a change
_FULL: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], frozenset[str]]] = weakref.WeakKeyDictionary()


def full_today(ctx: Context, day: date) -> frozenset[str]:
    """The services that have given their ``daily_limit`` of tickets on ``day``.

    The source is the one ``issue_ticket`` checks: the ``service:<key>`` counters it bumps in the issuing
    transaction (a refused ticket rolls its bump back).  Those rows change only in a committed change, so the
    answer is kept until the live model's sequence moves: at most one primary-key read per change, none at all
    while no service has a limit.
    """
    limits = {f"service:{s.key}": s.daily_limit for s in ctx.config.services if s.daily_limit is not None}
    if not limits or ctx.live is None:
        return frozenset()
    key = (day, ctx.live.seq, tuple(sorted(limits.items())))
    kept = _FULL.get(ctx.live)
    if kept is not None and kept[0] == key:
        return kept[1]
    full = _read_full(ctx, day, limits)
    if full is None:  # the database does not answer: not kept, asked again next time
        return frozenset()
    _FULL[ctx.live] = (key, full)
    return full


def _read_full(ctx: Context, day: date, limits: dict[str, int]) -> frozenset[str] | None:
    try:
        with ctx.db.reader() as session:
            rows = session.execute(
                sa.select(Counter.scope, Counter.value).where(Counter.day == day, Counter.scope.in_(list(limits)))
            ).all()
    except DatabaseUnavailable as exc:  # issue_ticket still refuses the ticket; only the early warning is lost
        log.warning("daily limits unknown: %s", exc.reason)
        return None
    return frozenset(scope.split(":", 1)[1] for scope, value in rows if value >= limits[scope])


def _public_figures(
    group: tuple[str, ...], sensitive: bool, own: dict[str, tuple[int, int | None]]
) -> tuple[int | None, int | None]:
    """(waiting, estimated wait) as the public may see them for a service of ``group``.

    A merged group's estimate comes from the members some desk serves now; with none, the whole group has no
    estimate -- decided for the group, so it never tells whether a sensitive member's desk is open.
    """
    if len(group) == 1:
        return (None, None) if sensitive else own[group[0]]
    waiting = sum(own[k][0] for k in group)
    staffed = [(own[k][0] + 1, wait) for k in group if (wait := own[k][1]) is not None]
    if not staffed:
        return waiting, None
    # the members' estimates weighted by their queues (+1: an empty queue still has its newcomer's wait)
    mean = sum(weight * wait for weight, wait in staffed) / sum(weight for weight, _ in staffed)
    return waiting, -(-int(mean) // MERGED_STEP_S) * MERGED_STEP_S
