"""Vuoro's ticket printing: a plain :class:`Receipt` in, paper (or a PDF) out.

Typical use by the server::

    printers = build_printers(parse_printer_configs(config["printers"]))
    spooler = PrintSpooler(printers, on_result=handle_result); spooler.start()
    monitor = PrinterMonitor(printers, on_change=handle_status); monitor.start()
    spooler.submit("kiosk1", receipt, {"ticket_id": 123})

Importing this package imports neither python-escpos nor reportlab; the
backends load them when a printer of their type is built. Nothing here
imports the server.
"""

from .base import TicketPrinter
from .config import (
    EscposPrinterConfig,
    FakePrinterConfig,
    NonePrinterConfig,
    PdfPrinterConfig,
    PrinterConfig,
    parse_printer_configs,
)
from .errors import PaperOut, PrinterConfigError, PrinterDriverMissing, PrinterError, PrinterUnavailable, error_code
from .factory import build_printer, build_printers
from .monitor import PrinterMonitor
from .null_backend import FakePrinter, NullPrinter
from .receipt import SAMPLE_TEXTS, Receipt, ReceiptTexts, sample_receipt
from .spooler import PrintResult, PrintSpooler
from .status import Delivery, PrinterState, PrinterStatus

__all__ = [
    "Delivery",
    "EscposPrinterConfig",
    "FakePrinter",
    "FakePrinterConfig",
    "NonePrinterConfig",
    "NullPrinter",
    "PaperOut",
    "PdfPrinterConfig",
    "PrintResult",
    "PrintSpooler",
    "PrinterConfig",
    "PrinterConfigError",
    "PrinterDriverMissing",
    "PrinterError",
    "PrinterMonitor",
    "PrinterState",
    "PrinterStatus",
    "PrinterUnavailable",
    "Receipt",
    "ReceiptTexts",
    "SAMPLE_TEXTS",
    "TicketPrinter",
    "build_printer",
    "build_printers",
    "error_code",
    "parse_printer_configs",
    "sample_receipt",
]
