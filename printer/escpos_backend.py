"""ESC/POS thermal printers (network, USB, serial, device file) through python-escpos.

Every receipt opens its own connection, asks the printer's status, sends the
whole ticket in one write and closes again: kiosk printers are shared, switched
off at night and restarted, and a long-lived connection would go stale silently.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from escpos.exceptions import Error as EscposError

from .config import EscposPrinterConfig
from .errors import PaperOut, PrinterError, PrinterUnavailable
from .escpos_connection import close_connection, open_connection, set_timeout
from .escpos_layout import choose_codepage, load_profile, render_receipt
from .escpos_status import CannotRead, NoAnswer, read_status
from .receipt import Receipt
from .status import Delivery, PrinterState, PrinterStatus

log = logging.getLogger(__name__)

STATUS_TIMEOUT_S = 1.5
"""How long to wait for a DLE EOT answer; a healthy printer answers within milliseconds."""


class EscposPrinter:
    """A :class:`~printer.base.TicketPrinter` for one configured ESC/POS printer."""

    def __init__(self, cfg: EscposPrinterConfig) -> None:
        self.key = cfg.key
        self.retries = cfg.retries
        self._cfg = cfg
        self._profile = load_profile(cfg.profile, cfg.media_width_px)
        choose_codepage(self._profile, cfg.codepage)  # config errors at build time, not at the first ticket
        #: the configured code page, or None: each ticket gets the one that prints its language (CP866 for Russian)
        self._codepage = cfg.codepage
        self._lock = threading.Lock()  # one connection at a time: many printers accept only one
        self._last = PrinterStatus(PrinterState.UNKNOWN, "not checked yet")

    def __repr__(self) -> str:
        return f"EscposPrinter(key={self.key!r}, connection={self._cfg.connection!r})"

    def render(self, receipt: Receipt) -> bytes:
        """The ESC/POS bytes for ``receipt`` (also handy for debugging a layout)."""
        try:
            return render_receipt(receipt, self._profile, self._codepage)
        except (EscposError, ValueError) as exc:
            raise PrinterError(f"could not lay out the ticket: {exc}") from exc

    def print_receipt(self, receipt: Receipt) -> Delivery:
        """Print, or raise PaperOut / PrinterUnavailable / PrinterDriverMissing without sending; ``printed``
        only when the printer answered the status query before the job, else ``sent``."""
        data = self.render(receipt)
        with self._lock:
            device = self._connect()
            try:
                answered = self._check_before_printing(device)
                set_timeout(self._cfg, device, self._cfg.timeout_s)
                device._raw(data)
            except OSError as exc:
                message = f"printer {self.key}: connection lost while printing: {exc}"
                raise PrinterUnavailable(message) from exc
            finally:
                close_connection(self._cfg, device, flush=True)
        log.info(
            "printer %s: %s ticket %s (%d bytes)",
            self.key,
            "printed" if answered else "sent",
            receipt.number,
            len(data),
        )
        return Delivery.PRINTED if answered else Delivery.SENT

    def status(self) -> PrinterStatus:
        """Ask the printer; while it is busy printing, give the last known status instead."""
        if not self._lock.acquire(timeout=self._cfg.timeout_s + 2 * STATUS_TIMEOUT_S + 1):
            return self._last
        try:
            self._last = self._status_locked()
            return self._last
        finally:
            self._lock.release()

    def _status_locked(self) -> PrinterStatus:
        if self._cfg.connection == "file":  # write-only; opening it would also truncate a plain file
            path = str(self._cfg.device)
            if os.access(path, os.W_OK):
                return PrinterStatus(PrinterState.UNKNOWN, f"{path} is writable; it cannot report status")
            return PrinterStatus(PrinterState.OFFLINE, f"{path} does not exist or is not writable")
        try:
            device = self._connect()
        except PrinterError as exc:
            return PrinterStatus(PrinterState.OFFLINE, str(exc))
        try:
            if not self._cfg.status_query:
                return PrinterStatus(PrinterState.UNKNOWN, "reachable; status queries are turned off")
            return read_status(device)
        except NoAnswer as exc:
            return PrinterStatus(PrinterState.OFFLINE, str(exc))
        except CannotRead:
            return PrinterStatus(PrinterState.UNKNOWN, "device opened; it cannot report status")
        finally:
            close_connection(self._cfg, device)

    def _connect(self) -> Any:
        device = open_connection(self._cfg)
        set_timeout(self._cfg, device, min(self._cfg.timeout_s, STATUS_TIMEOUT_S))
        return device

    def _check_before_printing(self, device: Any) -> bool:
        """Raise instead of sending a job the printer cannot print now; whether the printer answered at all."""
        if not self._cfg.status_query or self._cfg.connection == "file":
            return False
        try:
            status = read_status(device)
        except NoAnswer as exc:
            raise PrinterUnavailable(f"printer {self.key}: {exc}") from exc
        except CannotRead:
            return False
        self._last = status
        if status.state is PrinterState.PAPER_OUT:
            raise PaperOut(f"printer {self.key}: {status.detail}")
        if status.state is PrinterState.OFFLINE:
            raise PrinterUnavailable(f"printer {self.key}: {status.detail}")
        if status.state is PrinterState.PAPER_NEAR_END:
            log.warning("printer %s: paper roll is nearly empty", self.key)
        return True
