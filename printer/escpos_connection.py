"""Opening python-escpos connections, with optional drivers imported only when needed.

pyusb and pyserial are extras (``vuoro[usb]``, ``vuoro[serial]``); a kiosk with
a network printer should not need them, and one without them gets an error
that says what to install instead of a bare ImportError.
"""

from __future__ import annotations

import importlib
import logging
import socket
import time
from typing import Any

from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError

from .config import EscposPrinterConfig
from .errors import PrinterDriverMissing, PrinterUnavailable

log = logging.getLogger(__name__)

DRAIN_S = 0.5
"""Longest wait for the printer to close its side after a ticket (most close at once)."""


def _require(extra: str, module: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError:
        raise PrinterDriverMissing.for_extra(extra) from None


def _make_device(cfg: EscposPrinterConfig) -> Any:
    if cfg.connection == "network":
        from escpos.printer import Network

        return Network(host=cfg.host, port=cfg.port, timeout=cfg.timeout_s)
    if cfg.connection == "usb":
        _require("usb", "usb.core")
        from escpos.printer import Usb

        return Usb(
            idVendor=cfg.vendor_id,
            idProduct=cfg.product_id,
            timeout=int(cfg.timeout_s * 1000),  # pyusb wants milliseconds
            in_ep=cfg.in_ep if cfg.in_ep is not None else 0x82,
            out_ep=cfg.out_ep if cfg.out_ep is not None else 0x01,
        )
    if cfg.connection == "serial":
        _require("serial", "serial")
        from escpos.printer import Serial

        return Serial(devfile=cfg.device, baudrate=cfg.baudrate, timeout=cfg.timeout_s)
    from escpos.printer import File

    return File(devfile=cfg.device)


def describe(cfg: EscposPrinterConfig) -> str:
    """Where the printer is, for messages: ``host:port``, ``usb 04b8:0202`` or the device path."""
    if cfg.connection == "network":
        return f"{cfg.host}:{cfg.port}"
    if cfg.connection == "usb":
        return f"usb {cfg.vendor_id or 0:04x}:{cfg.product_id or 0:04x}"
    return str(cfg.device)


def open_connection(cfg: EscposPrinterConfig) -> Any:
    """An open python-escpos printer object, or PrinterUnavailable / PrinterDriverMissing."""
    try:
        device = _make_device(cfg)
        if cfg.connection == "network":
            # Not Network.open(): it leaks the socket when connect fails (a ResourceWarning),
            # while create_connection closes it and also tries every address of a host name.
            device.device = socket.create_connection((cfg.host, cfg.port), timeout=cfg.timeout_s)
        else:
            device.open()
    except OSError as exc:
        raise PrinterUnavailable(f"printer {cfg.key}: cannot connect to {describe(cfg)}: {exc}") from exc
    except DeviceNotFoundError as exc:
        message = str(exc).replace("\n", " ")
        raise PrinterUnavailable(f"printer {cfg.key}: {message}") from exc
    except ValueError as exc:
        if type(exc).__name__ == "NoBackendError":  # pyusb found no libusb on the system
            raise PrinterDriverMissing("USB printers need libusb: apt install libusb-1.0-0") from exc
        raise
    return device


def _drain(sock: socket.socket) -> None:
    deadline = time.monotonic() + DRAIN_S
    try:
        sock.shutdown(socket.SHUT_WR)  # FIN after the queued ticket data
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(1024):  # the printer closed its side: all data arrived
                return
    except OSError:
        pass  # timeout or reset: nothing more to wait for


def set_timeout(cfg: EscposPrinterConfig, device: Any, seconds: float) -> None:
    """Change the read/write timeout of an open network or serial connection."""
    if cfg.connection == "network":
        device.device.settimeout(seconds)
    elif cfg.connection == "serial":
        device.device.timeout = seconds


def close_connection(cfg: EscposPrinterConfig, device: Any, *, flush: bool = False) -> None:
    """Close, logging rather than raising: the job's outcome is already decided.

    ``flush`` (after sending a ticket over the network): half-close and read what
    the printer still sends before closing. Closing a TCP socket with unread data
    makes Linux send a reset, which can drop the end of the ticket still in flight.
    """
    if flush and cfg.connection == "network":
        _drain(device.device)
    try:
        device.close()
    except (OSError, EscposError) as exc:
        log.debug("printer %s: error while closing: %s", cfg.key, exc)
