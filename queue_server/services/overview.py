"""The per-service summary that kiosks, boards and the API show: open or not, waiting, estimated wait."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .context import Context
from .queues import ServiceLoad, service_loads


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


def service_summaries(ctx: Context, loads: Mapping[str, ServiceLoad] | None = None) -> list[ServiceSummary]:
    """Every service's summary; ``loads`` may come from a use case that has just computed them."""
    now = ctx.now()
    local = now.astimezone(ctx.config.centre.tz)
    if loads is None:
        with ctx.db.reader() as session:
            loads = service_loads(session, ctx, local.date())
    out = []
    for s in ctx.config.services:
        hours = ctx.config.hours_map[s.key]
        is_open = hours.is_open(local)
        nxt = None if is_open else hours.next_opening(local, ctx.config.centre.tz)
        load = loads[s.key]
        out.append(ServiceSummary(
            key=s.key, prefix=s.prefix, names=dict(s.name), locations=dict(s.location), open=is_open,
            opens_at=nxt.isoformat() if nxt else None, waiting=load.waiting,
            estimated_wait_s=load.wait_for(load.waiting + 1), sensitive=s.sensitive,
        ))
    return out
