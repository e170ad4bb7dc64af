"""One print job, its retry policy, and the result reported back to the server."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import TicketPrinter
from .errors import PaperOut, PrinterConfigError, PrinterDriverMissing, PrinterError, error_code
from .receipt import Receipt
from .status import Delivery

log = logging.getLogger(__name__)

NO_RETRY = (PaperOut, PrinterDriverMissing, PrinterConfigError)
"""Failures that another attempt a second later cannot fix."""
MAX_RETRIES = 10


@dataclass(frozen=True)
class PrintResult:
    """The outcome of one ``PrintSpooler.submit``.

    ``error_code`` is None when ok, else one of ``offline``, ``paper_out``,
    ``driver_missing``, ``unknown_printer``, ``error``. ``context`` is the
    mapping given to ``submit``, handed back untouched (e.g. the ticket id).
    """

    printer_key: str
    number: str
    ok: bool
    error_code: str | None
    message: str | None
    attempts: int
    context: Mapping[str, Any] = field(default_factory=dict)
    #: for an ok result: ``printed`` (the printer answered and took it) or only ``sent`` (no word back)
    delivery: Delivery | None = None


@dataclass(frozen=True)
class PrintJob:
    """A receipt waiting for its printer; ``queued_at`` is ``time.monotonic()``."""

    printer_key: str
    receipt: Receipt
    context: Mapping[str, Any]
    queued_at: float

    def failed(self, code: str, message: str, attempts: int = 0) -> PrintResult:
        """A failed result for this job."""
        return PrintResult(self.printer_key, self.receipt.number, False, code, message, attempts, self.context)

    def succeeded(self, attempts: int, delivery: Delivery = Delivery.PRINTED) -> PrintResult:
        """An ok result for this job."""
        return PrintResult(self.printer_key, self.receipt.number, True, None, None, attempts, self.context, delivery)


def print_with_retries(printer: TicketPrinter, job: PrintJob, backoff_s: float, stop: threading.Event) -> PrintResult:
    """Print, retrying ``printer.retries`` times with a linear backoff; ``stop`` cuts the waiting short."""
    retries = max(0, min(int(getattr(printer, "retries", 0)), MAX_RETRIES))
    attempt = 0
    while True:
        attempt += 1
        try:
            delivery = printer.print_receipt(job.receipt)
        except PrinterError as exc:
            number = job.receipt.number
            log.warning("printer %s: ticket %s attempt %d failed: %s", job.printer_key, number, attempt, exc)
            if isinstance(exc, NO_RETRY) or attempt > retries or stop.wait(backoff_s * attempt):
                return job.failed(error_code(exc), str(exc) or type(exc).__name__, attempt)
        except Exception as exc:  # a bug in a backend must not kill the worker thread
            log.exception("printer %s: unexpected error printing %s", job.printer_key, job.receipt.number)
            return job.failed(error_code(exc), str(exc) or type(exc).__name__, attempt)
        else:
            return job.succeeded(attempt, Delivery(delivery) if delivery else Delivery.PRINTED)
