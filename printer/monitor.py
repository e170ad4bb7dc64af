"""Keeping an eye on printers so staff see "paper out" before a customer does.

Polls every printer's ``status()`` in one background thread and reports
changes; the latest readings are kept for the server's status page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from .base import TicketPrinter
from .status import PrinterState, PrinterStatus

log = logging.getLogger(__name__)


class PrinterMonitor:
    """Poll printers every ``interval_s``; ``on_change(key, status)`` on the first reading and on changes.

    A change is a different state or detail; the time of the reading alone is not.
    ``on_change`` runs on the monitor's thread (or the caller's, for ``poll_once``).
    """

    def __init__(
        self,
        printers: Mapping[str, TicketPrinter],
        interval_s: float = 30.0,
        on_change: Callable[[str, PrinterStatus], None] | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be > 0")
        self._printers = dict(printers)
        self._interval_s = interval_s
        self._on_change = on_change
        self._latest: dict[str, PrinterStatus] = {}
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, PrinterStatus]:
        """The latest status per printer key (printers not yet polled are absent)."""
        with self._lock:
            return dict(self._latest)

    def poll_once(self) -> dict[str, PrinterStatus]:
        """Ask every printer now (one after the other) and return the new snapshot."""
        with self._poll_lock:
            for key, printer in self._printers.items():
                if self._stop.is_set():
                    break
                self._record(key, self._ask(key, printer))
        return self.snapshot()

    def start(self) -> None:
        """Start polling in a daemon thread (first poll right away)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop polling; a status query in progress may take up to its own timeout."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("printer monitor did not stop within %.1f s", timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._stop.wait(self._interval_s)

    @staticmethod
    def _ask(key: str, printer: TicketPrinter) -> PrinterStatus:
        try:
            return printer.status()
        except Exception as exc:  # status() should not raise; a buggy backend must not stop the monitor
            log.exception("printer %s: status check failed", key)
            return PrinterStatus(PrinterState.UNKNOWN, f"status check failed: {exc}")

    def _record(self, key: str, status: PrinterStatus) -> None:
        with self._lock:
            previous = self._latest.get(key)
            self._latest[key] = status
        if status.same_as(previous):
            return
        log.info("printer %s: %s %s", key, status.state, status.detail)
        if self._on_change is not None:
            try:
                self._on_change(key, status)
            except Exception:
                log.exception("printer status callback failed for %s", key)
