"""PDF tickets: text that extracts with ä ö å, a QR code that scans, file naming, print commands."""

from __future__ import annotations

import sys
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

from printer import PdfPrinterConfig, PrinterState, PrinterUnavailable, build_printer
from printer.pdf_backend import pdf_file_name
from tests.printer.printer_fakes import make_receipt, swedish_receipt


def _pdf_printer(**fields: object):
    return build_printer(PdfPrinterConfig(key="pdf1", type="pdf", **fields))


def _scan(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        page = pdf[0]
        bitmap = page.render(scale=300 / 72)
        image = bitmap.to_pil()
        page.close()
        return [result.text for result in zxingcpp.read_barcodes(image)]
    finally:
        pdf.close()


def test_pdf_ticket_text_and_qr(tmp_path: Path) -> None:
    receipt = make_receipt()
    _pdf_printer(folder=str(tmp_path / "tickets")).print_receipt(receipt)
    path = tmp_path / "tickets" / "2026-11-28_K042.pdf"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left behind

    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(80 / 25.4 * 72, abs=0.5)  # 80 mm wide
    text = page.extract_text()
    for expected in (
        "Iso Omenan palvelutori",
        "Kela – Kansaneläkelaitos",
        "K042",
        "Odotustila Ä/Ö/Å",
        "Tulostettu: 28.11.2026 09:05",
        "Arvioitu odotusaika: noin 12 min",
        receipt.track_url,
    ):
        assert expected in text, (expected, text)

    assert _scan(path) == [receipt.track_url]


def test_pdf_without_wait_estimate_in_swedish(tmp_path: Path) -> None:
    _pdf_printer(folder=str(tmp_path)).print_receipt(swedish_receipt())
    text = pypdf.PdfReader(tmp_path / "2026-11-28_K042.pdf").pages[0].extract_text()
    assert "Väntplats" in text and "Följ din tur" in text
    assert "väntetid" not in text


def test_file_name_has_only_date_and_safe_number() -> None:
    assert pdf_file_name(make_receipt()) == "2026-11-28_K042.pdf"
    assert pdf_file_name(make_receipt(number="K/../042")) == "2026-11-28_K____042.pdf"


def test_command_gets_the_pdf(tmp_path: Path) -> None:
    copy = tmp_path / "printed.pdf"
    # A stand-in for lp: copies the PDF path it is given (appended last) somewhere we can read.
    wrapper = tmp_path / "lp.py"
    wrapper.write_text(f"import shutil, sys\nshutil.copy(sys.argv[1], {str(copy)!r})\n")
    printer = _pdf_printer(folder=str(tmp_path / "unused"), command=[sys.executable, str(wrapper)])
    printer.print_receipt(make_receipt())
    assert "\nK042\n" in pypdf.PdfReader(copy).pages[0].extract_text()
    assert not (tmp_path / "unused").exists()  # with a command nothing is kept in the folder
    assert printer.status().state is PrinterState.UNKNOWN


def test_failing_or_missing_command_is_unavailable(tmp_path: Path) -> None:
    failing = _pdf_printer(command=[sys.executable, "-c", "import sys; sys.exit('lp: no such printer')"])
    with pytest.raises(PrinterUnavailable, match="no such printer"):
        failing.print_receipt(make_receipt())
    missing = _pdf_printer(command=[str(tmp_path / "no-such-lp")])
    with pytest.raises(PrinterUnavailable, match="not found"):
        missing.print_receipt(make_receipt())


def test_slow_command_times_out(tmp_path: Path) -> None:
    slow = _pdf_printer(command=[sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5)
    with pytest.raises(PrinterUnavailable, match="did not finish"):
        slow.print_receipt(make_receipt())


def test_status_of_folder(tmp_path: Path) -> None:
    assert _pdf_printer(folder=str(tmp_path / "new" / "dir")).status().state is PrinterState.ONLINE
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    blocked = _pdf_printer(folder=str(blocker / "tickets"))
    assert blocked.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterUnavailable, match="cannot write"):
        blocked.print_receipt(make_receipt())
