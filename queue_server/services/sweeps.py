"""Jobs that run every so often inside the server: today, appointments that were never checked in.

The job decides nothing itself: each run is one statement the database decides (services/appointments.py's
``mark_no_shows`` updates only appointments still ``booked``), so every process of a deployment may run it and
each appointment still becomes a no-show once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .appointments import mark_no_shows
from .context import Context

log = logging.getLogger(__name__)
#: how often appointments past their grace are marked: a no-show shows on the dashboard within this
SWEEP_S = 30.0


class Sweeper:
    """Runs ``run(ctx)`` every ``interval_s`` on a daemon thread until stopped; a failing run is logged."""

    def __init__(
        self, ctx: Context, *, interval_s: float = SWEEP_S, run: Callable[[Context], object] = mark_no_shows
    ) -> None:
        self.ctx = ctx
        self.interval_s = interval_s
        self._run = run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        """Start the thread unless it runs already; its first sweep comes after ``interval_s``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="vuoro-sweeps", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Wake the thread and wait up to ``timeout`` seconds for it to end."""
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._run(self.ctx)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the sweeps; the next run retries
                log.exception("sweeps: marking missed appointments failed")
            self.runs += 1
