"""The one interface every printer backend offers to the spooler, the monitor and the CLI."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .receipt import Receipt
from .status import Delivery, PrinterStatus


@runtime_checkable
class TicketPrinter(Protocol):
    """A printer a receipt can be sent to.

    Implementations must be safe to call from several threads (the spooler's
    worker prints while the monitor polls ``status``). Backends built by
    :func:`printer.build_printer` also carry ``retries`` from their config,
    which the spooler honours.
    """

    key: str

    def print_receipt(self, receipt: Receipt) -> Delivery:
        """Print one receipt and say how sure it is that it came out, or raise a
        :class:`~printer.errors.PrinterError` subclass."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer how it is; never raises, a failure is reported as a state."""
        ...
