"""Validated printer settings, as written under ``printers:`` in config.yaml.

Pydantic models with a discriminated union on ``type`` so a typo in a field
name or a missing ``host`` is reported at start-up with the printer's key,
not when the first customer presses the button.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator


def _usb_id(value: Any) -> Any:
    """Accept ``0x04b8`` (YAML int), ``"0x04b8"`` and lsusb-style ``"04b8"`` (strings are hex).

    Note for YAML authors: an unquoted ``0202`` is read by YAML as octal, so always
    write ``0x0202`` or ``"0202"``.
    """
    if isinstance(value, str):
        text = value.strip().lower()
        try:
            return int(text.removeprefix("0x"), 16)
        except ValueError:
            raise ValueError(f"not a hexadecimal USB id: {value!r} (write e.g. 0x04b8)") from None
    return value


UsbId = Annotated[int, BeforeValidator(_usb_id), Field(ge=0, le=0xFFFF)]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    retries: int = Field(default=0, ge=0, le=10)


class EscposPrinterConfig(_Base):
    """A thermal receipt printer spoken to in ESC/POS through python-escpos."""

    type: Literal["escpos"]
    connection: Literal["network", "usb", "serial", "file"]
    host: str | None = None
    port: int = Field(default=9100, ge=1, le=65535)
    vendor_id: UsbId | None = None
    product_id: UsbId | None = None
    in_ep: UsbId | None = None
    out_ep: UsbId | None = None
    device: str | None = None
    baudrate: int = Field(default=9600, gt=0)
    profile: str = "TM-T88V"
    timeout_s: float = Field(default=3.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=10)
    media_width_px: int | None = Field(default=None, gt=0, le=4096)
    codepage: str | None = None
    """Code page for text (e.g. ``CP858``); default: the first of CP858/CP850/CP437 the profile has."""
    status_query: bool = True
    """Ask the printer for its status (DLE EOT). Turn off for one-way links that never answer."""

    @model_validator(mode="after")
    def _connection_fields(self) -> EscposPrinterConfig:
        needed: dict[str, tuple[str, ...]] = {
            "network": ("host",),
            "usb": ("vendor_id", "product_id"),
            "serial": ("device",),
            "file": ("device",),
        }
        hints = {
            "host": "the printer's IP address or host name",
            "vendor_id": "from lsusb, e.g. 0x04b8",
            "product_id": "from lsusb, e.g. 0x0202",
            "device": "a device path such as /dev/ttyUSB0 or /dev/usb/lp0",
        }
        missing = [name for name in needed[self.connection] if getattr(self, name) in (None, "")]
        if missing:
            what = ", ".join(f"'{name}' ({hints[name]})" for name in missing)
            raise ValueError(f"printer '{self.key}': connection '{self.connection}' needs {what}")
        return self


class PdfPrinterConfig(_Base):
    """Tickets rendered as 80 mm PDFs, saved to a folder or handed to a command such as ``lp``."""

    type: Literal["pdf"]
    folder: str = "tickets/"
    keep_days: int | None = Field(default=None, ge=0, le=3650)
    """Days a saved ticket is kept before the nightly retention run deletes it (0: the night after its day,
    when every ticket of the day has ended); default: the centre's ``retention_days``, as the ticket rows."""
    command: list[str] | None = Field(default=None, min_length=1)
    """Run with the PDF's path appended, e.g. ``["lp", "-d", "kiosk1"]``."""
    timeout_s: float = Field(default=20.0, gt=0, le=300)


class NonePrinterConfig(_Base):
    """A kiosk without a printer: tickets are only shown on screen."""

    type: Literal["none"]


class FakePrinterConfig(_Base):
    """An in-memory printer for demos and tests, optionally failing on purpose."""

    type: Literal["fake"]
    fail: Literal["offline", "paper_out"] | None = None
    status_query: bool = True
    """False: like a printer on a link that accepts and never reads (every ticket only ``sent``)."""


PrinterConfig = Annotated[
    EscposPrinterConfig | PdfPrinterConfig | NonePrinterConfig | FakePrinterConfig, Field(discriminator="type")
]

_LIST_ADAPTER: TypeAdapter[list[PrinterConfig]] = TypeAdapter(list[PrinterConfig])


def parse_printer_configs(data: Iterable[Mapping[str, Any]] | None) -> list[PrinterConfig]:
    """Validate the ``printers:`` list of config.yaml; raises pydantic's ValidationError."""
    configs = _LIST_ADAPTER.validate_python(list(data or []))
    seen: set[str] = set()
    for cfg in configs:
        if cfg.key in seen:
            raise ValueError(f"printer key '{cfg.key}' is used twice")
        seen.add(cfg.key)
    return configs
