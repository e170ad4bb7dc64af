"""The admin dashboard's live picture: every desk, every service against its target, today's appointments of
the services that take them, and the visit counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..config import DeskConfig
from ..domain.appointment_counts import appointment_counts
from ..i18n.catalogue import text
from ..i18n.formats import duration, format_clock, format_wait, rounded_minutes
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
    """One desk on the dashboard: its status, the ticket at it and since when, with the labels and clock
    times already written in every centre language."""

    key: str
    label: str
    zone: str
    services: list[str]
    status: str  # open, paused, closed
    number: str | None  # the ticket at the desk
    service: str | None
    ticket_status: str | None  # called or serving
    since: str | None  # when it was called (ISO, UTC)
    for_s: int | None
    labels: dict[str, str] | None = None  # the label in every centre language
    #: the call's wall-clock time per centre language: it never goes stale between pushes, as "for 3 min" would
    since_text: dict[str, str] | None = None


@dataclass(frozen=True)
class ServiceLine:
    """One service on the dashboard: open or not, who waits, the longest wait and the estimate against
    its target (``level``), and the open desks serving it."""

    key: str
    name: str
    sensitive: bool
    open: bool
    waiting: int
    longest_wait_s: int
    estimated_wait_s: int | None
    target_wait_s: int
    level: str
    open_desks: int
    #: ``no_desk_open`` when no desk serving it is open: ``estimated_wait_s`` is then the replay's guess only
    estimate_reason: str | None = None
    names: dict[str, str] | None = None  # the name in every centre language
    #: the figures as the server's one formatter writes them, per centre language (the page never formats one)
    wait_text: dict[str, str] | None = None
    longest_text: dict[str, str] | None = None
    target_text: dict[str, str] | None = None


def measured_text(seconds: float, language: str) -> str:
    """A wait that happened or a target ("12 min", "no wait"): no "about", it is not an estimate."""
    if seconds <= 0:
        return text("wait.none", language)
    if seconds < 60:
        return text("wait.under_min", language)
    return duration(rounded_minutes(seconds), language)


def _service_texts(
    languages: list[str], estimate: int | None, reason: str | None, longest: int, target: int
) -> dict[str, dict[str, str]]:
    """Every centre language's texts: one push serves admins reading the page in different languages.
    Without an open desk the replay's guess is no promise: the estimate says why there is none instead."""
    shown = None if reason else estimate
    return {
        "wait_text": {lang: format_wait(shown, lang, reason) or "–" for lang in languages},
        "longest_text": {lang: measured_text(longest, lang) for lang in languages},
        "target_text": {lang: measured_text(target, lang) for lang in languages},
    }


def _desk_line(ctx: Context, d: DeskConfig, now: datetime, langs: list[str]) -> DeskLine:
    """One desk as the live model has it (the caller holds its lock)."""
    cfg, live = ctx.config, ctx.live
    assert live is not None
    t = live.at_desk(d.key)
    since = from_us(t.called_at) if t and t.called_at is not None else None
    return DeskLine(
        key=d.key,
        label=cfg.text(d.label),
        zone=d.zone,
        services=list(d.services),
        status=live.desk_status(d.key),
        number=t.number if t else None,
        service=t.service if t else None,
        ticket_status=t.status if t else None,
        since=since.isoformat() if since else None,
        for_s=max(0, int((now - since).total_seconds())) if since else None,
        labels={lang: cfg.text(d.label, lang) for lang in langs},
        since_text={lang: format_clock(since.astimezone(cfg.centre.tz), lang) for lang in langs} if since else None,
    )


def _appointments(ctx: Context, now_us: int) -> dict[str, dict[str, int]]:
    """Booked, checked in, late and no-show today per service that takes appointments, in the configuration's
    order, from the live model (the caller holds its lock); a sensitive service's too: the page is staff-only."""
    assert ctx.live is not None
    model = ctx.live.model
    return {
        s.key: asdict(appointment_counts(model, s.key, now_us, s.appointments.grace_min * 60_000_000))
        for s in ctx.config.services
        if s.appointments is not None
    }


def dashboard(ctx: Context) -> dict[str, Any]:
    """The whole picture from the live model; only the visit counts are read from the database."""
    cfg = ctx.config
    live = ctx.live
    assert live is not None
    now = ctx.now()
    now_us = us(now)
    local = now.astimezone(cfg.centre.tz)
    langs = list(cfg.centre.languages)
    with live.locked():
        desks = [_desk_line(ctx, d, now, langs) for d in cfg.desks]
        forecasts = live.forecasts()
        services = []
        for s in cfg.services:
            fc = forecasts[s.key]
            first = live.oldest_waiting(s.key)
            longest = max(0, (now_us - first) // 1_000_000) if first is not None else 0
            estimate = fc.newcomer_wait(now_us)
            services.append(
                ServiceLine(
                    key=s.key,
                    name=cfg.text(s.name),
                    sensitive=s.sensitive,
                    open=cfg.hours_map[s.key].is_open(local),
                    waiting=fc.waiting,
                    longest_wait_s=longest,
                    estimated_wait_s=estimate,
                    target_wait_s=s.target_wait_s,
                    level=level(longest, s.target_wait_s),
                    open_desks=fc.open_desks,
                    estimate_reason=fc.reason,
                    names={lang: cfg.text(s.name, lang) for lang in langs},
                    **_service_texts(langs, estimate, fc.reason, longest, s.target_wait_s),
                )
            )
        appointments = _appointments(ctx, now_us)
    today_n, total_n = visit_counts(ctx)
    return {
        "at": now.isoformat(),
        "day": local.date().isoformat(),
        "desks": [asdict(d) for d in desks],
        "services": [asdict(s) for s in services],
        "appointments": appointments,
        "visits": {"today": today_n, "total": total_n},
    }
