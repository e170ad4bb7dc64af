"""Printing in the background so a kiosk request never waits for a printer.

One worker thread per printer (created on first use) with its own bounded
queue: a printer that is off and timing out delays only its own tickets.
Results go through one result thread, so ``on_result`` is never called on the
caller's thread (which may hold a database transaction) and never concurrently.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .base import TicketPrinter
from .print_job import PrintJob, PrintResult, print_with_retries
from .receipt import Receipt

log = logging.getLogger(__name__)

_STOP = object()
__all__ = ["PrintResult", "PrintSpooler"]


class PrintSpooler:
    """Queue receipts per printer; ``on_result(PrintResult)`` is called once per submitted job."""

    def __init__(
        self,
        printers: Mapping[str, TicketPrinter],
        on_result: Callable[[PrintResult], None] | None = None,
        *,
        queue_size: int = 20,
        backoff_s: float = 0.5,
        max_age_s: float = 60.0,
    ) -> None:
        """``max_age_s``: a ticket still queued after this long is failed, not printed for the next person."""
        self._printers = dict(printers)
        self._on_result = on_result
        self._queue_size = queue_size
        self._backoff_s = backoff_s
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._queues: dict[str, queue.Queue[Any]] = {}
        self._workers: dict[str, threading.Thread] = {}
        self._results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._result_thread = threading.Thread(target=self._deliver, name="print-results", daemon=True)
        self._started = False
        self._closed = threading.Event()

    def start(self) -> None:
        """Start the result thread and any workers that already have jobs."""
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("PrintSpooler is closed")
            if self._started:
                return
            self._started = True
            self._result_thread.start()
            for worker in self._workers.values():
                worker.start()

    def submit(self, printer_key: str, receipt: Receipt, context: Mapping[str, Any] | None = None) -> None:
        """Queue a receipt and return at once; a full queue or unknown printer fails the job at once."""
        ctx = MappingProxyType(dict(context or {}))
        job = PrintJob(printer_key, receipt, ctx, time.monotonic())
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("PrintSpooler is closed")
            if printer_key not in self._printers:
                self._fail(job, "unknown_printer", f"no printer with key '{printer_key}'", 0)
                return
            jobs = self._queues.get(printer_key)
            if jobs is None:
                jobs = self._queues[printer_key] = queue.Queue(maxsize=self._queue_size)
                worker = threading.Thread(
                    target=self._work, args=(printer_key, jobs), name=f"print-{printer_key}", daemon=True
                )
                self._workers[printer_key] = worker
                if self._started:
                    worker.start()
            try:
                jobs.put_nowait(job)
            except queue.Full:
                self._fail(job, "error", f"print queue for '{printer_key}' is full", 0)

    def close(self, timeout: float = 5.0) -> None:
        """Stop: the job being printed finishes, queued jobs are failed, then results are delivered.

        Waits at most ``timeout`` seconds in all. If the spooler was never started, the
        remaining results are delivered on the calling thread.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            started = self._started
            workers = list(self._workers.items())
        for key, _worker in workers:
            try:
                self._queues[key].put_nowait(_STOP)  # wakes an idle worker; a busy one sees _closed
            except queue.Full:
                pass
            if not started:
                self._drain(self._queues[key])
        for key, worker in workers:
            if worker.is_alive():
                worker.join(max(0.0, deadline - time.monotonic()))
                if worker.is_alive():
                    log.warning("print worker %s did not stop within %.1f s", key, timeout)
        self._results.put(_STOP)
        if started:
            self._result_thread.join(max(0.0, deadline - time.monotonic()))
        else:
            self._deliver()

    def _work(self, key: str, jobs: queue.Queue[Any]) -> None:
        printer = self._printers[key]
        while True:
            job = jobs.get()
            if job is _STOP or self._closed.is_set():
                if job is not _STOP:
                    self._fail(job, "error", "print spooler closed before printing", 0)
                self._drain(jobs)
                return
            age = time.monotonic() - job.queued_at
            if age > self._max_age_s:
                self._fail(job, "error", f"not printed: waited {age:.0f} s in the queue", 0)
                continue
            self._results.put(print_with_retries(printer, job, self._backoff_s, self._closed))

    def _fail(self, job: PrintJob, code: str, message: str, attempts: int) -> None:
        log.warning("printer %s: ticket %s failed: %s", job.printer_key, job.receipt.number, message)
        self._results.put(job.failed(code, message, attempts))

    def _drain(self, jobs: queue.Queue[Any]) -> None:
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP:
                self._fail(job, "error", "print spooler closed before printing", 0)

    def _deliver(self) -> None:
        while True:
            result = self._results.get()
            if result is _STOP:
                return
            if self._on_result is None:
                continue
            try:
                self._on_result(result)
            except Exception:
                log.exception("print result callback failed for %s", result)
