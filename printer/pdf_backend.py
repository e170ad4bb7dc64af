"""PDF tickets: saved to a folder, or handed to a print command such as ``lp``.

For centres whose printer is an ordinary office/label printer driven by CUPS,
and for trying Vuoro out without any printer. File names hold only the date
and the queue number (``2026-11-28_K042.pdf``), never anything personal.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from .config import PdfPrinterConfig
from .errors import PrinterError, PrinterUnavailable
from .pdf_layout import render_pdf
from .receipt import Receipt
from .status import Delivery, PrinterState, PrinterStatus

log = logging.getLogger(__name__)


def pdf_file_name(receipt: Receipt) -> str:
    """``YYYY-MM-DD_NUMBER.pdf``; the number is reduced to safe file-name characters."""
    number = re.sub(r"[^A-Za-z0-9-]", "_", receipt.number)
    return f"{receipt.issued_at:%Y-%m-%d}_{number}.pdf"


#: the files this backend writes (and a write it left half-done): the only ones it ever deletes
_OWN_FILE = re.compile(r"^\.?(\d{4}-\d{2}-\d{2})_[A-Za-z0-9_-]+\.pdf(\.tmp)?$")


class PdfPrinter:
    """A :class:`~printer.base.TicketPrinter` writing PDF tickets (thread-safe: no shared state)."""

    def __init__(self, cfg: PdfPrinterConfig) -> None:
        self.key = cfg.key
        self.retries = cfg.retries
        self.folder = Path(cfg.folder)
        self._cfg = cfg

    def __repr__(self) -> str:
        return f"PdfPrinter(key={self.key!r}, folder={str(self.folder)!r}, command={self._cfg.command!r})"

    def print_receipt(self, receipt: Receipt) -> Delivery:
        """Write the PDF (atomically) or run the command on it; failures raise PrinterUnavailable.  Only
        ``sent``: a folder or a print queue says nothing about paper."""
        try:
            data = render_pdf(receipt)
        except (ValueError, TypeError) as exc:
            raise PrinterError(f"could not lay out the PDF ticket: {exc}") from exc
        name = pdf_file_name(receipt)
        if self._cfg.command:
            with tempfile.TemporaryDirectory(prefix="vuoro-ticket-") as tmp:
                path = Path(tmp) / name
                path.write_bytes(data)
                self._run_command(path)
        else:
            self._write(self.folder / name, data)
        log.info("printer %s: ticket %s as PDF", self.key, receipt.number)
        return Delivery.SENT

    def status(self) -> PrinterStatus:
        """ONLINE when the folder is writable; UNKNOWN with a command (its queue cannot be asked)."""
        if self._cfg.command:
            return PrinterStatus(PrinterState.UNKNOWN, f"PDFs go to {self._cfg.command[0]}")
        probe = self.folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent  # a missing folder is created on first print
        if probe.is_dir() and os.access(probe, os.W_OK | os.X_OK):
            return PrinterStatus(PrinterState.ONLINE, f"writing PDFs to {self.folder}")
        return PrinterStatus(PrinterState.OFFLINE, f"folder {self.folder} is not writable")

    def delete_before(self, day: date) -> int:
        """Delete the tickets this printer saved for days before ``day``; how many went.

        A PDF ticket holds the visitor's number and the capability URL of the ticket's page: it is kept no
        longer than the ticket's rows (the nightly retention run calls this).  Only files named as this
        backend names them are touched, whatever else the folder holds.
        """
        if self._cfg.command or not self.folder.is_dir():
            return 0  # with a command the PDF lives in a temporary folder for the command's run only
        deleted = 0
        for path in self.folder.iterdir():
            match = _OWN_FILE.match(path.name)
            if match is None or date.fromisoformat(match[1]) >= day:
                continue
            try:
                path.unlink()
                deleted += 1
            except FileNotFoundError:
                continue  # another process's purge was first
            except OSError as exc:
                log.warning("printer %s: cannot delete an old ticket file: %s", self.key, exc)
        return deleted

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # a reader never sees half a PDF
        except OSError as exc:
            raise PrinterUnavailable(f"printer {self.key}: cannot write {path}: {exc}") from exc

    def _run_command(self, path: Path) -> None:
        command = [*(self._cfg.command or []), str(path)]
        try:
            # The command comes from the operator's config file, not from users; no shell.
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, timeout=self._cfg.timeout_s, check=False
            )
        except FileNotFoundError as exc:
            raise PrinterUnavailable(f"printer {self.key}: command not found: {command[0]}") from exc
        except subprocess.TimeoutExpired as exc:
            raise PrinterUnavailable(
                f"printer {self.key}: {command[0]} did not finish in {self._cfg.timeout_s:g} s"
            ) from exc
        except OSError as exc:
            raise PrinterUnavailable(f"printer {self.key}: cannot run {command[0]}: {exc}") from exc
        if done.returncode != 0:
            err = done.stderr.decode(errors="replace").strip()[:300]
            raise PrinterUnavailable(f"printer {self.key}: {command[0]} exited with {done.returncode}: {err}")
