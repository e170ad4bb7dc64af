"""A known pair of days played through the real use cases, with every figure worked out by hand.

Thursday 26 November 2026 (day D, Helsinki time) on the test centre (kela and library target 900 s):

===========  =====================================================================
09:00:00     A issued for kela                                   -> K001
09:02:00     B issued for kela, then library                     -> K002
09:04:00     C issued for library                                -> L001
09:05:00     desk d1 calls A (wait 300)
09:06:00     desk d2 calls K002 (B's kela wait 240)
09:15:00     d1 finishes A (service 600)
09:16:00     d2 finishes B's kela errand (service 600): B joins the library queue, keeping its place (09:02)
09:20:00     d3 calls next: B, whose place is older than C's (library wait 09:16 -> 09:20 = 240)
09:30:00     d3 finishes B (service 600)
09:31:00     d3 calls C (wait 27 min = 1620 s, over the target)
09:33:00     C did not come: no-show
10:00:00     G issued for library; 10:05 G cancels on the phone
23:50:00     E issued for kela: day D, arrivals hour 23; nobody calls it
===========  =====================================================================

Friday 27 November (D+1):

===========  =====================================================================
00:10:00     F issued for kela: day D+1, hour 0 (22:10 UTC on the 26th); E expires (a day-D event)
00:20:00     d1 calls F (wait 600); 00:25 finished (service 300)
===========  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from queue_server.services import desks, tickets
from queue_server.services.context import Context
from tests.conftest import FakeClock

D = date(2026, 11, 26)
D1 = date(2026, 11, 27)
ACTOR = "user:1"


@dataclass
class Played:
    tokens: dict[str, str]


def _issue(ctx: Context, clock: FakeClock, when: str, *services: str) -> str:
    clock.set_local(when)
    return tickets.issue_ticket(ctx, services=list(services), language="fi").view.token or ""


def _at(clock: FakeClock, when: str) -> None:
    clock.set_local(when)


def play_day_d(ctx: Context, clock: FakeClock) -> Played:
    tokens = {}
    tokens["A"] = _issue(ctx, clock, "2026-11-26 09:00:00", "kela")
    tokens["B"] = _issue(ctx, clock, "2026-11-26 09:02:00", "kela", "library")
    tokens["C"] = _issue(ctx, clock, "2026-11-26 09:04:00", "library")
    _at(clock, "2026-11-26 09:05:00")
    assert desks.call_next(ctx, "d1", ACTOR).ticket.number == "K001"  # type: ignore[union-attr]
    _at(clock, "2026-11-26 09:06:00")
    desks.call_number(ctx, "d2", "K002", ACTOR)
    _at(clock, "2026-11-26 09:15:00")
    desks.finish(ctx, "d1", ACTOR)
    _at(clock, "2026-11-26 09:16:00")
    desks.finish(ctx, "d2", ACTOR)
    _at(clock, "2026-11-26 09:20:00")
    assert desks.call_next(ctx, "d3", ACTOR).ticket.number == "K002"  # type: ignore[union-attr]
    _at(clock, "2026-11-26 09:30:00")
    desks.finish(ctx, "d3", ACTOR)
    _at(clock, "2026-11-26 09:31:00")
    assert desks.call_next(ctx, "d3", ACTOR).ticket.number == "L001"  # type: ignore[union-attr]
    _at(clock, "2026-11-26 09:33:00")
    desks.no_show(ctx, "d3", ACTOR)
    tokens["G"] = _issue(ctx, clock, "2026-11-26 10:00:00", "library")
    _at(clock, "2026-11-26 10:05:00")
    tickets.cancel_ticket(ctx, tokens["G"])
    tokens["E"] = _issue(ctx, clock, "2026-11-26 23:50:00", "kela")
    return Played(tokens)


def play_day_d1(ctx: Context, clock: FakeClock, played: Played) -> Played:
    played.tokens["F"] = _issue(ctx, clock, "2026-11-27 00:10:00", "kela")
    _at(clock, "2026-11-27 00:20:00")
    assert desks.call_next(ctx, "d1", ACTOR).ticket.number == "K001"  # type: ignore[union-attr]
    _at(clock, "2026-11-27 00:25:00")
    desks.finish(ctx, "d1", ACTOR)
    return played


def play_both(ctx: Context, clock: FakeClock) -> Played:
    return play_day_d1(ctx, clock, play_day_d(ctx, clock))


def hours(**counts: int) -> list[int]:
    """``hours(h9=4, h23=1)`` -> a 24-long list of arrivals."""
    out = [0] * 24
    for name, n in counts.items():
        out[int(name[1:])] = n
    return out


#: day D, per service: (errands, visits, served, no_shows, cancelled, expired)
D_KELA_COUNTS = (3, 3, 2, 0, 0, 1)
D_LIBRARY_COUNTS = (3, 2, 1, 1, 1, 0)
