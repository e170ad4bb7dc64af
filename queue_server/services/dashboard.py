"""The admin dashboard's live picture: every desk, every service against its target, and the visit counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .context import Context
from .outbox import from_us, us
from .statistics import visit_counts

#: a queue whose longest wait passes this share of the target turns amber; past the target, red
WARN_SHARE = 0.75


def level(wait_s: float, target_s: float) -> str:
    """``ok``, ``warn`` or ``over``: the colour of a wait against its target."""
    if wait_s > target_s:
        return "over"
    if wait_s > WARN_SHARE * target_s:
        return "warn"
    return "ok"


@dataclass(frozen=True)
class DeskLine:
    key: str
    label: str
    zone: str
    services: list[str]
    status: str                 # open, paused, closed
    number: str | None          # the ticket at the desk
    service: str | None
    ticket_status: str | None   # called or serving
    since: str | None           # when it was called (ISO, UTC)
    for_s: int | None


@dataclass(frozen=True)
class ServiceLine:
    key: str
    name: str
    sensitive: bool
    open: bool
    waiting: int
    longest_wait_s: int
    estimated_wait_s: int
    target_wait_s: int
    level: str
    open_desks: int
    #: ``no_desk_open`` when no desk serving it is open: ``estimated_wait_s`` is then the replay's guess only
    estimate_reason: str | None = None


def dashboard(ctx: Context) -> dict[str, Any]:
    """The whole picture from the live model; only the visit counts are read from the database."""
    cfg = ctx.config
    live = ctx.live
    assert live is not None
    now = ctx.now()
    now_us = us(now)
    local = now.astimezone(cfg.centre.tz)
    desks = []
    with live.locked():
        for d in cfg.desks:
            t = live.at_desk(d.key)
            since = from_us(t.called_at) if t and t.called_at is not None else None
            desks.append(DeskLine(
                key=d.key, label=cfg.text(d.label), zone=d.zone, services=list(d.services),
                status=live.desk_status(d.key), number=t.number if t else None, service=t.service if t else None,
                ticket_status=t.status if t else None, since=since.isoformat() if since else None,
                for_s=max(0, int((now - since).total_seconds())) if since else None,
            ))
        forecasts = live.forecasts()
        services = []
        for s in cfg.services:
            fc = forecasts[s.key]
            first = live.oldest_waiting(s.key)
            longest = max(0, (now_us - first) // 1_000_000) if first is not None else 0
            services.append(ServiceLine(
                key=s.key, name=cfg.text(s.name), sensitive=s.sensitive, open=cfg.hours_map[s.key].is_open(local),
                waiting=fc.waiting, longest_wait_s=longest, estimated_wait_s=fc.newcomer_wait(now_us),
                target_wait_s=s.target_wait_s, level=level(longest, s.target_wait_s), open_desks=fc.open_desks,
                estimate_reason=fc.reason,
            ))
    today_n, total_n = visit_counts(ctx)
    return {
        "at": now.isoformat(),
        "day": local.date().isoformat(),
        "desks": [asdict(d) for d in desks],
        "services": [asdict(s) for s in services],
        "visits": {"today": today_n, "total": total_n},
    }
