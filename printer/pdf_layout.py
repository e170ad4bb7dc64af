"""Drawing a receipt as an 80 mm wide PDF ticket with reportlab.

Uses the built-in Helvetica (WinAnsi covers ä ö å and the en dash) so no font
file has to ship; anything outside WinAnsi is replaced by a look-alike. The page
is exactly as tall as its content, like a cut receipt.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from .charset import fit_text, python_codec_encoder
from .receipt import Receipt

PAGE_WIDTH = 80 * mm
MARGIN = 5 * mm
QR_SIZE = 40 * mm
_WIN_ANSI = python_codec_encoder("cp1252")


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    gap_before: float = 0.0


def _lines(receipt: Receipt) -> tuple[list[_Line], list[_Line]]:
    """Text above the QR code and text below it."""
    regular, bold = "Helvetica", "Helvetica-Bold"
    above = [
        _Line(receipt.centre_name, bold, 13),
        _Line(receipt.service_name, regular, 11, 2),
        _Line(receipt.texts.your_number, regular, 10, 6),
        _Line(receipt.number, bold, 44, 4),
        _Line(f"{receipt.texts.issued}: {receipt.issued_text}", regular, 9, 6),
        _Line(f"{receipt.texts.where_to_wait}:", regular, 9, 6),
        _Line(receipt.where_to_wait, bold, 12, 1),
    ]
    if receipt.wait_text is not None:
        above.append(_Line(f"{receipt.texts.estimated_wait}: {receipt.wait_text}", regular, 9, 6))
    above.append(_Line(receipt.texts.called_by_number, regular, 9, 8))
    below = [_Line(receipt.track_url, regular, 7, 2)]
    return above, below


def _wrapped(line: _Line) -> list[str]:
    return simpleSplit(fit_text(line.text, _WIN_ANSI), line.font, line.size, PAGE_WIDTH - 2 * MARGIN) or [""]


def _height(lines: list[_Line]) -> float:
    return sum(line.gap_before + len(_wrapped(line)) * line.size * 1.2 for line in lines)


def _draw(c: canvas.Canvas, lines: list[_Line], y: float) -> float:
    for line in lines:
        y -= line.gap_before
        c.setFont(line.font, line.size)
        for part in _wrapped(line):
            y -= line.size * 1.2
            c.drawCentredString(PAGE_WIDTH / 2, y + line.size * 0.25, part)
    return y


def render_pdf(receipt: Receipt) -> bytes:
    """The PDF ticket as bytes."""
    above, below = _lines(receipt)
    gap = 2 * mm
    height = 2 * MARGIN + _height(above) + gap + QR_SIZE + _height(below)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, height), pageCompression=1)
    c.setTitle(f"{fit_text(receipt.centre_name, _WIN_ANSI)} {receipt.number}")
    c.setAuthor("Vuoro")
    c.setCreator("Vuoro")
    y = _draw(c, above, height - MARGIN) - gap

    widget = QrCodeWidget(receipt.track_url, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, (PAGE_WIDTH - QR_SIZE) / 2, y - QR_SIZE)
    _draw(c, below, y - QR_SIZE)
    c.showPage()
    c.save()
    return buffer.getvalue()
