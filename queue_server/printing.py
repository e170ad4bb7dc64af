"""Kiosk printing: issued tickets go to the kiosk's printer in the background; results go back to the kiosk.

The issuing request never waits for paper: it commits, hands a :class:`printer.Receipt` to the spooler and
answers.  The spooler prints with a short connect timeout and a few retries, then the result is pushed to the
kiosk's Socket.IO room as ``printed`` or ``failed`` -- a failed print never touches the ticket itself.
A test print (the admin's kiosks page) goes the same way; its outcome is kept for the printer's status.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from printer import PrinterMonitor, PrinterStatus, PrintResult, PrintSpooler, Receipt, build_printers

from . import events as ev
from .config import VuoroConfig
from .domain.errors import DomainError, NotFound
from .i18n.catalogue import text
from .i18n.formats import format_moment
from .receipt_texts import receipt_texts, sample_receipt
from .services.context import Context
from .services.ticket_view import TicketView

log = logging.getLogger(__name__)
EXTENSION = "vuoro_printers"
#: a test ticket's "service": the test's name in every language the centre speaks


class NotAPrinter(DomainError):
    """A printer of type ``none`` (a kiosk that shows its tickets on screen only) has nothing to test."""

    code = "not_a_printer"
    status = 409


class KioskPrinting:
    """The server's printing port: owns the printers, the spooler and the health monitor of one app."""

    def __init__(self, config: VuoroConfig, socketio: SocketIO) -> None:
        self.socketio = socketio
        self._build(config)
        self.failure_listeners: list[Any] = []
        self._last_tests: dict[str, dict[str, Any]] = {}  # printer key -> the newest test print's outcome

    def _build(self, config: VuoroConfig) -> None:
        self.config = config
        self.printers = build_printers(config.printers)
        self.types = {p.key: p.type for p in config.printers}
        self.spooler = PrintSpooler(self.printers, on_result=self._on_result)
        self.monitor = (
            PrinterMonitor(self.printers, interval_s=config.printer_poll_s, on_change=self._on_status)
            if config.printer_poll_s > 0 and self.printers
            else None
        )

    def reconfigure(self, config: VuoroConfig) -> None:
        """Take up a new live configuration: kiosks' printers at once; changed printers get a new spooler and
        monitor, and the old ones finish their queue in the background (no print is dropped, no caller waits)."""
        if [p.model_dump() for p in config.printers] == [p.model_dump() for p in self.config.printers]:
            self.config = config
            return
        old_spooler, old_monitor = self.spooler, self.monitor
        self._build(config)
        self.start()
        threading.Thread(
            target=self._retire, args=(old_spooler, old_monitor), name="vuoro-printers-retire", daemon=True
        ).start()

    @staticmethod
    def _retire(spooler: PrintSpooler, monitor: PrinterMonitor | None) -> None:
        spooler.close()
        if monitor is not None:
            monitor.close()

    def start(self) -> None:
        """Start the spooler's and the monitor's threads: at start-up, and for the new ones a reconfigure builds."""
        self.spooler.start()
        if self.monitor is not None:
            self.monitor.start()

    def close(self) -> None:
        """Stop the spooler and the monitor at shutdown: the ticket being printed finishes, queued ones fail."""
        self.spooler.close()
        if self.monitor is not None:
            self.monitor.close()

    # -- the port the services call ------------------------------------------------------------------------
    def ticket_issued(self, ctx: Context, view: TicketView, kiosk_key: str) -> None:
        """Queue a ticket just issued at ``kiosk_key`` on that kiosk's printer; a kiosk without one (or a view
        without its phone link) is told so at once, as ``failed`` with ``no_printer``."""
        kiosk = self.config.kiosk_map[kiosk_key]
        if kiosk.printer is None or self.types.get(kiosk.printer) == "none" or view.track_url is None:
            self._emit(
                ev.FAILED,
                kiosk_key,
                {
                    "number": view.number,
                    "printer": kiosk.printer,
                    "ok": False,
                    "error": "no_printer",
                    "message": "this kiosk has no printer",
                },
            )
            return
        self.spooler.submit(kiosk.printer, self.receipt(view), {"kiosk": kiosk_key})

    def receipt(self, view: TicketView) -> Receipt:
        """The ticket as it is printed: the service's public name and location, as the view has them (paper is
        left on tables and shown to companions; a sensitive service's ticket must read like another's)."""
        cfg = self.config
        issued = datetime.fromisoformat(view.issued_at).astimezone(cfg.centre.tz)
        return Receipt(
            centre_name=cfg.text(cfg.centre.name, view.language),
            service_name=view.service_name,
            number=view.number,
            issued_at=issued,
            issued_text=format_moment(issued, view.language),
            where_to_wait=view.location,
            wait_text=view.estimated_wait_text,
            track_url=view.track_url or "",
            language=view.language,
            texts=receipt_texts(view.language),
        )

    # -- test prints ---------------------------------------------------------------------------------------
    def test_print(self, printer_key: str) -> None:
        """Queue a test ticket on the printer (never waits for it); the outcome shows in ``status_list()``."""
        cfg = self.config
        printer = next((p for p in cfg.printers if p.key == printer_key), None)
        if printer is None:
            raise NotFound(f"no such printer: {printer_key!r}", code="unknown_printer")
        if printer.type == "none":
            raise NotAPrinter(f"printer {printer_key!r} is of type none: it prints nothing")
        names = " / ".join(text("ticket.test_name", lang) for lang in cfg.centre.languages)
        receipt = sample_receipt(
            cfg,
            cfg.centre.language,
            number="TEST",
            where_to_wait=printer_key,
            wait_s=None,
            qr=False,
            service_name=names,
        )
        self.spooler.submit(printer_key, receipt, {"test": True})

    def _tested(self, result: PrintResult) -> None:
        log.info("test print on %s: %s", result.printer_key, "ok" if result.ok else result.error_code)
        self._last_tests[result.printer_key] = {
            "ok": result.ok,
            "error": result.error_code,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    # -- health --------------------------------------------------------------------------------------------
    def statuses(self) -> dict[str, PrinterStatus]:
        """The monitor's latest status of each printer it has polled (none when polling is off)."""
        return self.monitor.snapshot() if self.monitor is not None else {}

    def status_list(self) -> list[dict[str, Any]]:
        """Every configured printer's health as the API and the admin pages show it: state, kiosks, last test."""
        known = self.statuses()
        out = []
        for p in self.config.printers:
            status = known.get(p.key)
            out.append(
                {
                    "key": p.key,
                    "type": p.type,
                    "state": status.state.value if status else "unknown",
                    "detail": status.detail if status else "",
                    "checked_at": status.checked_at.isoformat() if status else None,
                    "kiosks": [k.key for k in self.config.kiosks if k.printer == p.key],
                    "last_test": self._last_tests.get(p.key),
                }
            )
        return out

    # -- callbacks from the printer threads ----------------------------------------------------------------
    def _on_result(self, result: PrintResult) -> None:
        if result.context.get("test"):  # a test ticket: nobody waits for it at a kiosk
            self._tested(result)
            return
        kiosk = str(result.context.get("kiosk", ""))
        # "delivery": "printed" when the printer answered and took the ticket, "sent" when it took it without
        # a word (no status query): the kiosk must not tell the visitor the ticket came out then
        payload = {
            "number": result.number,
            "printer": result.printer_key,
            "ok": result.ok,
            "error": result.error_code,
            "message": result.message,
            "attempts": result.attempts,
            "delivery": result.delivery.value if result.delivery else None,
        }
        if result.ok:
            log.info("%s %s on %s", result.delivery or "printed", result.number, result.printer_key)
        else:
            log.warning("printing %s on %s failed: %s", result.number, result.printer_key, result.error_code)
            for listener in self.failure_listeners:
                listener(result.printer_key)
        self._emit(ev.PRINTED if result.ok else ev.FAILED, kiosk, payload)

    def _on_status(self, key: str, status: PrinterStatus) -> None:
        log.info("printer %s is %s", key, status.state.value)
        self.socketio.emit(ev.PRINTER, {"key": key, **status.to_dict()}, to=ev.STAFF_ROOM)

    def _emit(self, event: str, kiosk: str, payload: dict[str, Any]) -> None:
        if kiosk:
            self.socketio.emit(event, payload, to=ev.kiosk_room(kiosk))


def init_app(app: Flask, ctx: Context, socketio: SocketIO) -> KioskPrinting:
    """Start the kiosks' printing and hand it to the use cases; it follows every new centre configuration."""
    printing = KioskPrinting(ctx.config, socketio)
    printing.start()
    ctx.printing = printing
    if ctx.live is not None:
        ctx.live.on_config(printing.reconfigure)
    app.extensions[EXTENSION] = printing
    return printing
