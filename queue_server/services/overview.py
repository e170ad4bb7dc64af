"""The per-service summary that kiosks, boards and the API show: open or not, waiting, estimated wait."""

from __future__ import annotations

from dataclasses import dataclass

from .context import Context
from .outbox import us


@dataclass(frozen=True)
class ServiceSummary:
    key: str
    prefix: str
    names: dict[str, str]
    locations: dict[str, str]
    open: bool
    opens_at: str | None
    waiting: int
    estimated_wait_s: int
    sensitive: bool


def service_summaries(ctx: Context) -> list[ServiceSummary]:
    """Every service's summary, from the live model's forecasts (no database read)."""
    assert ctx.live is not None
    now = ctx.now()
    local = now.astimezone(ctx.config.centre.tz)
    forecasts = ctx.live.forecasts()
    now_us = us(now)
    out = []
    for s in ctx.config.services:
        hours = ctx.config.hours_map[s.key]
        is_open = hours.is_open(local)
        nxt = None if is_open else hours.next_opening(local, ctx.config.centre.tz)
        fc = forecasts[s.key]
        out.append(ServiceSummary(
            key=s.key, prefix=s.prefix, names=dict(s.name), locations=dict(s.location), open=is_open,
            opens_at=nxt.isoformat() if nxt else None, waiting=fc.waiting,
            estimated_wait_s=fc.newcomer_wait(now_us), sensitive=s.sensitive,
        ))
    return out
