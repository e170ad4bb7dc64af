"""Reading an ESC/POS printer's real-time status (DLE EOT n) honestly.

python-escpos's ``paper_status()`` returns "paper adequate" when the printer
answers nothing, and a socket timeout escapes as an exception. Here no answer
means OFFLINE, so a dead printer is never reported healthy.

Reply bytes (Epson ESC/POS reference, DLE EOT): bits 1 and 4 are always 1,
bits 0 and 7 always 0.
- n=1 printer status: bit 3 set = offline (cover open, paper out, error).
- n=4 roll paper sensor: bits 2+3 = near end, bits 5+6 = paper end.
"""

from __future__ import annotations

import logging
from typing import Any

from .status import PrinterState, PrinterStatus

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = 1
PAPER_SENSOR_STATUS = 4

_FIXED_MASK = 0x93  # bits 0, 1, 4, 7
_FIXED_VALUE = 0x12  # bits 1 and 4 set, 0 and 7 clear
OFFLINE_BIT = 0x08
NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60


class NoAnswer(Exception):
    """The printer did not answer a status query (timeout, closed connection, empty read)."""


class CannotRead(Exception):
    """The connection is write-only (e.g. a device file), so status cannot be asked."""


def query(device: Any, n: int) -> int:
    """Send DLE EOT n on an open python-escpos printer and return the status byte."""
    try:
        device._raw(DLE_EOT + bytes([n]))
        reply = device._read()
    except NotImplementedError:
        raise CannotRead("this connection cannot read from the printer") from None
    except OSError as exc:  # socket timeout/reset, USBError and SerialException are OSErrors
        raise NoAnswer(f"no answer to status query: {exc or type(exc).__name__}") from exc
    if not reply:
        raise NoAnswer("no answer to status query (connection closed or read timed out)")
    return int(reply[-1])  # the newest byte, should stale bytes precede it


def is_valid(byte: int) -> bool:
    """True when the fixed bits look like a real DLE EOT reply."""
    return byte & _FIXED_MASK == _FIXED_VALUE


def read_status(device: Any) -> PrinterStatus:
    """Ask printer and paper-sensor status; map the answer to a :class:`PrinterStatus`.

    Raises :class:`NoAnswer` or :class:`CannotRead`; a reply that does not look
    like ESC/POS gives UNKNOWN (something answered, so printing is still tried).
    """
    printer = query(device, PRINTER_STATUS)
    paper = query(device, PAPER_SENSOR_STATUS)
    return interpret(printer, paper)


def interpret(printer: int, paper: int) -> PrinterStatus:
    """Map the two status bytes to a state; paper problems win over the generic offline bit."""
    if not (is_valid(printer) and is_valid(paper)):
        log.debug("unexpected status replies 0x%02x 0x%02x", printer, paper)
        return PrinterStatus(PrinterState.UNKNOWN, f"unexpected status reply 0x{printer:02x}/0x{paper:02x}")
    if paper & PAPER_END_BITS:
        return PrinterStatus(PrinterState.PAPER_OUT, "paper roll is empty")
    if printer & OFFLINE_BIT:
        return PrinterStatus(PrinterState.OFFLINE, "printer reports offline (cover open or error?)")
    if paper & NEAR_END_BITS:
        return PrinterStatus(PrinterState.PAPER_NEAR_END, "paper roll is nearly empty")
    return PrinterStatus(PrinterState.ONLINE)
