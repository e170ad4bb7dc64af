"""Printers that print nothing: ``none`` for kiosks without a printer, ``fake`` for tests and demos."""

from __future__ import annotations

import logging
import threading
import time
from typing import Literal

from .errors import PaperOut, PrinterUnavailable
from .receipt import Receipt
from .status import Delivery, PrinterState, PrinterStatus

log = logging.getLogger(__name__)

FailMode = Literal["offline", "paper_out"] | None


class NullPrinter:
    """Accepts every receipt and does nothing; its status is UNKNOWN because there is nothing to ask."""

    def __init__(self, key: str, retries: int = 0) -> None:
        self.key = key
        self.retries = retries

    def __repr__(self) -> str:
        return f"NullPrinter(key={self.key!r})"

    def print_receipt(self, receipt: Receipt) -> Delivery:
        """Do nothing (the ticket is only shown on screen)."""
        log.debug("printer %s (none): not printing ticket %s", self.key, receipt.number)
        return Delivery.SENT

    def status(self) -> PrinterStatus:
        """Always UNKNOWN."""
        return PrinterStatus(PrinterState.UNKNOWN, "no printer configured")


class FakePrinter:
    """Records receipts in ``printed``; set ``fail`` to make it behave offline or out of paper.

    ``delay_s`` makes each print take that long, to exercise timeouts and queues.
    """

    def __init__(
        self, key: str, fail: FailMode = None, retries: int = 0, delay_s: float = 0.0, status_query: bool = True
    ) -> None:
        self.key = key
        self.delivery = Delivery.PRINTED if status_query else Delivery.SENT  # as an ESC/POS link that never reads
        self.retries = retries
        self.delay_s = delay_s
        self.printed: list[Receipt] = []
        self.attempts = 0
        self._fail: FailMode = fail
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakePrinter(key={self.key!r}, fail={self._fail!r})"

    @property
    def fail(self) -> FailMode:
        """The current failure mode (None: prints fine)."""
        with self._lock:
            return self._fail

    @fail.setter
    def fail(self, mode: FailMode) -> None:
        with self._lock:
            self._fail = mode

    def print_receipt(self, receipt: Receipt) -> Delivery:
        """Record the receipt, or raise like a real printer in the current failure mode."""
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            self.attempts += 1
            if self._fail == "offline":
                raise PrinterUnavailable(f"printer {self.key}: fake printer is offline")
            if self._fail == "paper_out":
                raise PaperOut(f"printer {self.key}: fake printer is out of paper")
            self.printed.append(receipt)
        return self.delivery

    def status(self) -> PrinterStatus:
        """ONLINE, OFFLINE or PAPER_OUT according to ``fail``."""
        mode = self.fail
        if mode == "offline":
            return PrinterStatus(PrinterState.OFFLINE, "fake printer is offline")
        if mode == "paper_out":
            return PrinterStatus(PrinterState.PAPER_OUT, "fake printer is out of paper")
        return PrinterStatus(PrinterState.ONLINE, "fake printer")
