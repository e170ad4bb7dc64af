"""Kiosk printing: issued tickets go to the kiosk's printer in the background; results go back to the kiosk.

The issuing request never waits for paper: it commits, hands a :class:`printer.Receipt` to the spooler and
answers.  The spooler prints with a short connect timeout and a few retries, then the result is pushed to the
kiosk's Socket.IO room as ``printed`` or ``failed`` -- a failed print never touches the ticket itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from printer import PrinterMonitor, PrinterStatus, PrintResult, PrintSpooler, Receipt, build_printers

from .config import VuoroConfig
from .realtime import events as ev
from .services.context import Context
from .services.ticket_view import TicketView

log = logging.getLogger(__name__)
EXTENSION = "vuoro_printers"


class KioskPrinting:
    """The server's printing port: owns the printers, the spooler and the health monitor of one app."""

    def __init__(self, config: VuoroConfig, socketio: SocketIO) -> None:
        self.config = config
        self.socketio = socketio
        self.printers = build_printers(config.printers)
        self.types = {p.key: p.type for p in config.printers}
        self.spooler = PrintSpooler(self.printers, on_result=self._on_result)
        self.monitor = (PrinterMonitor(self.printers, interval_s=config.printer_poll_s, on_change=self._on_status)
                        if config.printer_poll_s > 0 and self.printers else None)
        self.failure_listeners: list[Any] = []

    def start(self) -> None:
        self.spooler.start()
        if self.monitor is not None:
            self.monitor.start()

    def close(self) -> None:
        self.spooler.close()
        if self.monitor is not None:
            self.monitor.close()

    # -- the port the services call ------------------------------------------------------------------------
    def ticket_issued(self, ctx: Context, view: TicketView, kiosk_key: str) -> None:
        kiosk = self.config.kiosk_map[kiosk_key]
        if kiosk.printer is None or self.types.get(kiosk.printer) == "none" or view.track_url is None:
            self._emit(ev.FAILED, kiosk_key, {"number": view.number, "printer": kiosk.printer, "ok": False,
                                              "error": "no_printer", "message": "this kiosk has no printer"})
            return
        self.spooler.submit(kiosk.printer, self.receipt(view), {"kiosk": kiosk_key})

    def receipt(self, view: TicketView) -> Receipt:
        cfg = self.config
        service = cfg.service_map[view.service]
        return Receipt(
            centre_name=cfg.text(cfg.centre.name, view.language),
            service_name=cfg.text(service.name, view.language),
            number=view.number,
            issued_at=datetime.fromisoformat(view.issued_at).astimezone(cfg.centre.tz),
            where_to_wait=cfg.text(service.location, view.language),
            estimated_wait_s=view.estimated_wait_s,
            track_url=view.track_url or "",
            language=view.language,  # type: ignore[arg-type]
        )

    # -- health --------------------------------------------------------------------------------------------
    def statuses(self) -> dict[str, PrinterStatus]:
        return self.monitor.snapshot() if self.monitor is not None else {}

    def status_list(self) -> list[dict[str, Any]]:
        known = self.statuses()
        out = []
        for p in self.config.printers:
            status = known.get(p.key)
            out.append({"key": p.key, "type": p.type,
                        "state": status.state.value if status else "unknown",
                        "detail": status.detail if status else "",
                        "checked_at": status.checked_at.isoformat() if status else None,
                        "kiosks": [k.key for k in self.config.kiosks if k.printer == p.key]})
        return out

    # -- callbacks from the printer threads ----------------------------------------------------------------
    def _on_result(self, result: PrintResult) -> None:
        kiosk = str(result.context.get("kiosk", ""))
        # "delivery": "printed" when the printer answered and took the ticket, "sent" when it took it without
        # a word (no status query): the kiosk must not tell the visitor the ticket came out then
        payload = {"number": result.number, "printer": result.printer_key, "ok": result.ok,
                   "error": result.error_code, "message": result.message, "attempts": result.attempts,
                   "delivery": result.delivery.value if result.delivery else None}
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
    printing = KioskPrinting(ctx.config, socketio)
    printing.start()
    ctx.printing = printing
    app.extensions[EXTENSION] = printing
    return printing
