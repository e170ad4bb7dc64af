"""The printer package's exceptions: one root, one subclass per thing a caller handles differently.

Each class carries the short ``code`` that :class:`~printer.spooler.PrintResult`
reports, so the server can show "paper out" to staff without parsing messages.
"""

from __future__ import annotations

from typing import ClassVar

_EXTRAS = {"usb": ("pyusb", "vuoro[usb]"), "serial": ("pyserial", "vuoro[serial]")}


class PrinterError(Exception):
    """Root of everything the printer package raises on purpose."""

    code: ClassVar[str] = "error"


class PrinterUnavailable(PrinterError):
    """The printer cannot be reached, refuses the connection, or does not answer."""

    code = "offline"


class PaperOut(PrinterError):
    """The printer reports its paper roll is empty; the job was not sent."""

    code = "paper_out"


class PrinterDriverMissing(PrinterError):
    """An optional driver (pyusb, pyserial, libusb) needed by this printer is not installed."""

    code = "driver_missing"

    @classmethod
    def for_extra(cls, extra: str) -> PrinterDriverMissing:
        """The error for a missing ``vuoro[extra]`` Python dependency, with the install command."""
        package, spec = _EXTRAS[extra]
        return cls(f"{extra.upper()} printers need {package}: pip install '{spec}'")


class PrinterConfigError(PrinterError, ValueError):
    """A printer configuration that validates as data but cannot be used (e.g. unknown profile)."""

    code = "error"


def error_code(exc: BaseException) -> str:
    """The result code for any exception: a PrinterError's own code, else ``error``."""
    return exc.code if isinstance(exc, PrinterError) else "error"
