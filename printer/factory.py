"""From validated config to printer objects; the only place that picks a backend.

Backends are imported here lazily so that importing :mod:`printer` never
imports python-escpos or reportlab (slow, and python-escpos touches logging
and temp files on import).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .base import TicketPrinter
from .config import EscposPrinterConfig, FakePrinterConfig, NonePrinterConfig, PdfPrinterConfig, PrinterConfig
from .errors import PrinterConfigError
from .null_backend import FakePrinter, NullPrinter

log = logging.getLogger(__name__)


def build_printer(cfg: PrinterConfig) -> TicketPrinter:
    """One printer for one config entry. Raises PrinterConfigError for e.g. an unknown profile.

    Missing optional drivers (pyusb, pyserial) are not an error here: they are
    reported when printing (``driver_missing``) so the rest of the server starts.
    """
    if isinstance(cfg, EscposPrinterConfig):
        from .escpos_backend import EscposPrinter

        return EscposPrinter(cfg)
    if isinstance(cfg, PdfPrinterConfig):
        from .pdf_backend import PdfPrinter

        return PdfPrinter(cfg)
    if isinstance(cfg, NonePrinterConfig):
        return NullPrinter(cfg.key, retries=cfg.retries)
    if isinstance(cfg, FakePrinterConfig):
        return FakePrinter(cfg.key, fail=cfg.fail, retries=cfg.retries, status_query=cfg.status_query)
    raise PrinterConfigError(f"unsupported printer config: {type(cfg).__name__}")


def build_printers(cfgs: Iterable[PrinterConfig]) -> dict[str, TicketPrinter]:
    """All printers by key, in config order; a key used twice is a PrinterConfigError."""
    printers: dict[str, TicketPrinter] = {}
    for cfg in cfgs:
        if cfg.key in printers:
            raise PrinterConfigError(f"printer key '{cfg.key}' is used twice")
        printers[cfg.key] = build_printer(cfg)
        log.debug("printer %s: %r", cfg.key, printers[cfg.key])
    return printers
