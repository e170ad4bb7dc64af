"""ESC/POS without a network: device files, the image-QR fallback, code pages, missing drivers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printer import EscposPrinterConfig, PrinterConfigError, PrinterDriverMissing, PrinterState, build_printer
from tests.printer.printer_fakes import make_receipt


def _file_printer(path: Path, **overrides: object):
    data = {"key": "f1", "type": "escpos", "connection": "file", "device": str(path)}
    data.update(overrides)
    return build_printer(EscposPrinterConfig(**data))


def _raster_images(data: bytes) -> list[Image.Image]:
    """Decode every GS v 0 raster image in an ESC/POS stream (1 bits are black dots)."""
    images = []
    start = 0
    while (at := data.find(b"\x1dv0", start)) != -1:
        width_bytes = int.from_bytes(data[at + 4 : at + 6], "little")
        height = int.from_bytes(data[at + 6 : at + 8], "little")
        bits = data[at + 8 : at + 8 + width_bytes * height]
        image = Image.frombytes("1", (width_bytes * 8, height), bits)
        images.append(Image.eval(image.convert("L"), lambda v: 255 - v))  # PIL "1": 1 is white
        start = at + 8 + len(bits)
    return images


def _decode_qr(image: Image.Image) -> list[str]:
    framed = Image.new("L", (image.width + 80, image.height + 80), 255)
    framed.paste(image, (40, 40))
    framed = framed.resize((framed.width * 3, framed.height * 3), Image.Resampling.NEAREST)
    return [r.text for r in zxingcpp.read_barcodes(framed)]


def test_file_connection_prints_and_cannot_report_status(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    out.touch()
    printer = _file_printer(out)
    printer.print_receipt(make_receipt())
    data = out.read_bytes()
    assert data.startswith(b"\x1b@\x1bt\x13") and b"K042" in data and b"\x1d(k" in data
    assert printer.status().state is PrinterState.UNKNOWN


def test_missing_device_file_is_offline(tmp_path: Path) -> None:
    printer = _file_printer(tmp_path / "no" / "such" / "device")
    assert printer.status().state is PrinterState.OFFLINE


def test_profile_without_native_qr_gets_a_scannable_image_qr(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    printer = _file_printer(out, profile="POS-5890")  # 58 mm printer, no GS ( k support
    receipt = make_receipt()
    printer.print_receipt(receipt)
    data = out.read_bytes()
    assert b"\x1d(k" not in data
    images = _raster_images(data)
    assert len(images) == 1
    assert images[0].width <= 384
    assert _decode_qr(images[0]) == [receipt.track_url]


def test_configured_codepage_is_used(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    _file_printer(out, codepage="cp1252").print_receipt(make_receipt())
    data = out.read_bytes()
    assert data.count(b"\x1bt") == 1 and b"\x1bt\x10" in data  # ESC t 16 = WPC1252 on Epson
    assert "Kela – Kansaneläkelaitos".encode("cp1252") in data  # CP1252 has the en dash


def test_unknown_profile_or_codepage_fails_when_building() -> None:
    base = {"key": "f1", "type": "escpos", "connection": "file", "device": "/dev/null"}
    with pytest.raises(PrinterConfigError, match="profile"):
        build_printer(EscposPrinterConfig(**base, profile="NO-SUCH-PRINTER"))
    with pytest.raises(PrinterConfigError, match="code page"):
        build_printer(EscposPrinterConfig(**base, codepage="KOI8-R"))


@pytest.mark.parametrize(
    ("fields", "hidden", "extra"),
    [
        ({"connection": "usb", "vendor_id": 0x04B8, "product_id": 0x0202}, ("usb", "usb.core"), "vuoro[usb]"),
        ({"connection": "serial", "device": "/dev/ttyUSB0"}, ("serial",), "vuoro[serial]"),
    ],
)
def test_missing_optional_driver(monkeypatch, fields, hidden, extra) -> None:
    for module in hidden:
        monkeypatch.setitem(sys.modules, module, None)  # makes "import module" fail
    printer = build_printer(EscposPrinterConfig(key="u1", type="escpos", **fields))
    with pytest.raises(PrinterDriverMissing, match=extra.replace("[", r"\[").replace("]", r"\]")):
        printer.print_receipt(make_receipt())
    status = printer.status()
    assert status.state is PrinterState.OFFLINE and extra in status.detail
