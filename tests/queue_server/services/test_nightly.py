"""The nightly purge runs once per deployment and night, however many server processes wake for it.

Every server process runs a retention worker; on PostgreSQL they share one database, and only the first one each
night purges (``retention.nightly``: an advisory lock and today's ``nightly:purge`` counter). ``vuoro purge``
(deploy/vuoro-purge.timer) always purges and counts as the night's run.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from queue_server.models import Counter, Ticket
from queue_server.services.context import Context
from queue_server.services.retention import (
    NIGHTLY_LOCK,
    NIGHTLY_SCOPE,
    PurgeResult,
    RetentionWorker,
    nightly,
    purge,
    purge_now,
)
from tests.conftest import FakeClock
from tests.queue_server.insight_days import D, play_both


class Recorder:
    """The real purge, counting who ran it; ``hold_s`` keeps a run going so that the other process tries meanwhile."""

    def __init__(self, hold_s: float = 0.0) -> None:
        self.hold_s = hold_s
        self.ran: list[Context] = []
        self._lock = threading.Lock()

    def __call__(self, ctx: Context) -> PurgeResult:
        with self._lock:
            self.ran.append(ctx)
        time.sleep(self.hold_s)
        return purge(ctx)


def tickets_of(ctx: Context, day: Any) -> int:
    with ctx.db.reader() as session:
        return int(
            session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.business_day == day)) or 0
        )


def nights(ctx: Context) -> dict[str, int]:
    """Today's and every other day's ``nightly:purge`` counter, by ISO day."""
    with ctx.db.reader() as session:
        return {
            day.isoformat(): value
            for day, value in session.execute(
                sa.select(Counter.day, Counter.value).where(Counter.scope == NIGHTLY_SCOPE)
            )
        }


def two_processes(config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> tuple[Context, Context]:
    """Two app instances on one database: each its own engine, pool and sessions, as two server processes."""
    config = {**copy.deepcopy(config), "retention_days": 1}
    first, second = (make_app(copy.deepcopy(config)).extensions["vuoro"] for _ in range(2))
    return first, second


@pytest.fixture
def pair(
    any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock
) -> tuple[Context, Context]:
    """Two processes on one database holding days D and D+1; the clock at 03:15 of D+2, when D is due."""
    a, b = two_processes(any_db_config, make_app)
    play_both(a, clock)
    clock.set_local("2026-11-28 03:15:00")
    return a, b


@pytest.mark.postgres
def test_two_processes_waking_at_the_same_moment_on_postgresql_purge_once(
    config_data: dict[str, Any], postgres_url: str, make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock
) -> None:
    a, b = two_processes({**config_data, "database_url": postgres_url}, make_app)
    play_both(a, clock)
    clock.set_local("2026-11-28 03:15:00")
    run = Recorder(hold_s=0.5)  # the first is still purging when the second tries
    workers = [RetentionWorker(ctx, first_delay_s=0.01, run=lambda ctx: nightly(ctx, run=run)) for ctx in (a, b)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 20
        while any(w.runs < 1 for w in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(w.runs == 1 for w in workers)
    finally:
        for worker in workers:
            worker.stop()
    assert len(run.ran) == 1
    assert tickets_of(a, D) == 0 and tickets_of(b, D) == 0
    assert nights(a) == {"2026-11-28": 1}


def test_the_second_process_the_same_night_skips_and_the_next_night_runs_again(
    pair: tuple[Context, Context], clock: FakeClock
) -> None:
    a, b = pair
    run = Recorder()
    assert nightly(a, run=run) is not None
    assert nightly(b, run=run) is None and nightly(a, run=run) is None  # a restart during the day: no new run
    assert run.ran == [a]
    clock.advance(24 * 3600)
    assert nightly(b, run=run) is not None
    assert run.ran == [a, b]
    assert nights(a) == {"2026-11-28": 1, "2026-11-29": 1}


def test_vuoro_purge_counts_as_the_nights_run_and_always_purges(pair: tuple[Context, Context]) -> None:
    a, b = pair
    run = Recorder()
    assert purge_now(a, run=run).days == [D]  # the timer, before the servers wake
    assert nightly(a, run=run) is None and nightly(b, run=run) is None
    assert purge_now(b, run=run).days == []  # by hand, again: it runs (and finds nothing left)
    assert len(run.ran) == 2
    assert nights(a) == {"2026-11-28": 2}


def test_a_failed_purge_leaves_the_night_to_the_next_try(pair: tuple[Context, Context]) -> None:
    a, b = pair

    def failing(_ctx: Context) -> PurgeResult:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        nightly(a, run=failing)
    assert nights(a) == {}
    assert nightly(b) is not None and tickets_of(b, D) == 0


@pytest.mark.postgres
def test_while_a_process_holds_the_lock_the_others_skip_and_vuoro_purge_waits_for_it(
    config_data: dict[str, Any], postgres_url: str, make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    a, _ = two_processes({**config_data, "database_url": postgres_url}, make_app)
    holder = sa.create_engine(postgres_url)
    try:
        with holder.connect() as conn:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(NIGHTLY_LOCK)))  # another process, purging
            run = Recorder()
            assert nightly(a, run=run) is None
            waiting = threading.Thread(target=purge_now, args=(a,), kwargs={"run": run})
            waiting.start()
            time.sleep(0.5)
            assert run.ran == [] and waiting.is_alive()
            conn.rollback()  # that process's purge ends: its transaction, and so the lock, with it
            waiting.join(10)
        assert run.ran == [a] and not waiting.is_alive()
    finally:
        holder.dispose()
