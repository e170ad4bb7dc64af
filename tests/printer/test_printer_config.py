"""Printer config validation: the documented examples pass, mistakes name the field."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from printer import (
    EscposPrinterConfig,
    FakePrinterConfig,
    NonePrinterConfig,
    PdfPrinterConfig,
    PrinterConfigError,
    build_printers,
    parse_printer_configs,
)

EXAMPLES = """
printers:
  - {key: p1, type: escpos, connection: network, host: 192.0.2.10, port: 9100, profile: TM-T88V}
  - {key: p2, type: escpos, connection: usb, vendor_id: 0x04b8, product_id: 0x0202}
  - {key: p3, type: pdf, folder: tickets/}
  - {key: p4, type: none}
  - {key: p5, type: fake, fail: paper_out}
  - {key: p6, type: pdf, command: [lp, -d, kiosk1]}
  - {key: p7, type: escpos, connection: serial, device: /dev/ttyUSB0, baudrate: 38400}
"""


def test_documented_examples_validate() -> None:
    cfgs = parse_printer_configs(yaml.safe_load(EXAMPLES)["printers"])
    assert [type(c) for c in cfgs] == [
        EscposPrinterConfig,
        EscposPrinterConfig,
        PdfPrinterConfig,
        NonePrinterConfig,
        FakePrinterConfig,
        PdfPrinterConfig,
        EscposPrinterConfig,
    ]
    p1, p2, p3 = cfgs[:3]
    assert (p1.host, p1.port, p1.profile, p1.timeout_s, p1.retries) == ("192.0.2.10", 9100, "TM-T88V", 3.0, 2)
    assert (p2.vendor_id, p2.product_id) == (0x04B8, 0x0202)
    assert (p3.folder, p3.command, p3.retries) == ("tickets/", None, 0)
    assert cfgs[5].command == ["lp", "-d", "kiosk1"]


@pytest.mark.parametrize("vendor", ["0x04b8", "0X04B8", "04b8", 0x04B8, 1208])
def test_usb_ids_as_int_or_hex_string(vendor) -> None:
    cfg = EscposPrinterConfig(key="u", type="escpos", connection="usb", vendor_id=vendor, product_id="0x0202")
    assert cfg.vendor_id == 0x04B8 and cfg.product_id == 0x0202


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"connection": "network"}, "'host'"),
        ({"connection": "network", "host": ""}, "'host'"),
        ({"connection": "usb", "vendor_id": 0x04B8}, "'product_id'"),
        ({"connection": "serial"}, "'device'"),
        ({"connection": "file"}, "'device'"),
        ({"connection": "usb", "vendor_id": "zz", "product_id": 1}, "vendor_id"),
        ({"connection": "usb", "vendor_id": 0x10000, "product_id": 1}, "vendor_id"),
        ({"connection": "network", "host": "h", "hots": "typo"}, "hots"),
        ({"connection": "bluetooth", "host": "h"}, "connection"),
    ],
)
def test_mistakes_name_the_field(entry, field) -> None:
    with pytest.raises(ValidationError) as info:
        parse_printer_configs([{"key": "k1", "type": "escpos", **entry}])
    assert field in str(info.value)


def test_missing_host_message_is_helpful() -> None:
    with pytest.raises(ValidationError, match=r"printer 'k1': connection 'network' needs 'host'"):
        parse_printer_configs([{"key": "k1", "type": "escpos", "connection": "network"}])


def test_unknown_type_and_duplicate_keys() -> None:
    with pytest.raises(ValidationError, match="type"):
        parse_printer_configs([{"key": "k1", "type": "laser"}])
    with pytest.raises(ValueError, match="twice"):
        parse_printer_configs([{"key": "k1", "type": "none"}, {"key": "k1", "type": "none"}])
    twice = [NonePrinterConfig(key="k1", type="none"), FakePrinterConfig(key="k1", type="fake")]
    with pytest.raises(PrinterConfigError, match="twice"):
        build_printers(twice)


def test_build_printers_keeps_keys_and_retries(tmp_path) -> None:
    cfgs = parse_printer_configs(
        [
            {"key": "a", "type": "escpos", "connection": "network", "host": "192.0.2.10", "retries": 1},
            {"key": "b", "type": "pdf", "folder": str(tmp_path)},
            {"key": "c", "type": "none"},
            {"key": "d", "type": "fake"},
        ]
    )
    printers = build_printers(cfgs)
    assert list(printers) == ["a", "b", "c", "d"]
    assert [p.key for p in printers.values()] == ["a", "b", "c", "d"]
    assert [p.retries for p in printers.values()] == [1, 0, 0, 0]  # type: ignore[attr-defined]
