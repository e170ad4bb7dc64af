"""Drawing a receipt as an 80 mm wide PDF ticket with reportlab.

Finnish, Swedish, English and Estonian are set in the built-in Helvetica (WinAnsi covers ä ö å õ and the en
dash), so such a ticket needs no font file. Other letters, Cyrillic say, are set in DejaVu Sans embedded in
the PDF (text that still extracts); right-to-left text (Arabic) as a picture of the text, since reportlab
neither joins Arabic letters nor orders a right-to-left line. Where neither can be had (no font, no Raqm)
the ticket says it in English, or leaves that line out: never "???" (docs/printers.md). The page is exactly
as tall as its content, like a cut receipt.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, replace

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .charset import can_print, fit_text, python_codec_encoder
from .glyphs import font_file, needs_layout, text_picture
from .receipt import SAMPLE_TEXTS, Receipt

PAGE_WIDTH = 80 * mm
MARGIN = 5 * mm
QR_SIZE = 40 * mm
_WIN_ANSI = python_codec_encoder("cp1252")
#: the embedded font's names, for its regular and bold faces
UNICODE_FONTS = {False: "VuoroSans", True: "VuoroSans-Bold"}
#: dots per point of a picture of text (4: 288 dpi, sharper than any receipt printer)
PICTURE_SCALE = 4


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    gap_before: float = 0.0
    #: what the ticket says instead where ``text`` cannot be set (English); None: the line is left out
    fallback: str | None = None

    @property
    def bold(self) -> bool:
        return self.font.endswith("-Bold")


@dataclass(frozen=True)
class _Picture:
    image: object  # a PIL image of the text, drawn as it is
    gap_before: float
    height: float


def _lines(receipt: Receipt) -> tuple[list[_Line], list[_Line]]:
    """Text above the QR code and text below it."""
    regular, bold = "Helvetica", "Helvetica-Bold"
    english = SAMPLE_TEXTS
    above = [
        _Line(receipt.centre_name, bold, 13),
        _Line(receipt.service_name, regular, 11, 2),
        _Line(receipt.texts.your_number, regular, 10, 6, english.your_number),
        _Line(receipt.number, bold, 44, 4),
        _Line(
            f"{receipt.texts.issued}: {receipt.issued_text}",
            regular,
            9,
            6,
            f"{english.issued}: {receipt.issued_at:%Y-%m-%d %H:%M}",
        ),
        _Line(f"{receipt.texts.where_to_wait}:", regular, 9, 6, f"{english.where_to_wait}:"),
        _Line(receipt.where_to_wait, bold, 12, 1),
    ]
    if receipt.wait_text is not None:
        above.append(_Line(f"{receipt.texts.estimated_wait}: {receipt.wait_text}", regular, 9, 6))
    above.append(_Line(receipt.texts.called_by_number, regular, 9, 8, english.called_by_number))
    below = [_Line(receipt.track_url, regular, 7, 2)]
    return above, below


@functools.cache
def _unicode_font(bold: bool) -> TTFont | None:
    """DejaVu Sans registered with reportlab (embedded, subset, in every PDF that uses it), if installed."""
    path = font_file(bold) or font_file()
    if path is None:
        return None
    font = TTFont(UNICODE_FONTS[bold], str(path))
    pdfmetrics.registerFont(font)
    return font


def _settable(line: _Line) -> _Line | _Picture | None:
    """``line`` as it can be set: in Helvetica, in the embedded font, as a picture, its fallback, or None."""
    if can_print(line.text, _WIN_ANSI):
        return line
    if needs_layout(line.text):
        width_px = int((PAGE_WIDTH - 2 * MARGIN) * PICTURE_SCALE)
        image = text_picture(line.text, width_px, round(line.size * PICTURE_SCALE), bold=line.bold)
        if image is not None:
            return _Picture(image, line.gap_before, image.height / PICTURE_SCALE)
    elif (font := _unicode_font(line.bold)) is not None and all(
        ord(c) in font.face.charToGlyph for c in line.text if not c.isspace()
    ):
        return replace(line, font=UNICODE_FONTS[line.bold])
    return replace(line, text=line.fallback, fallback=None) if line.fallback is not None else None


def _blocks(lines: list[_Line]) -> list[_Line | _Picture]:
    return [block for line in lines if (block := _settable(line)) is not None]


def _wrapped(line: _Line) -> list[str]:
    text = line.text if line.font in UNICODE_FONTS.values() else fit_text(line.text, _WIN_ANSI)
    return simpleSplit(text, line.font, line.size, PAGE_WIDTH - 2 * MARGIN) or [""]


def _height(blocks: list[_Line | _Picture]) -> float:
    return sum(
        b.gap_before + (b.height if isinstance(b, _Picture) else len(_wrapped(b)) * b.size * 1.2) for b in blocks
    )


def _draw(c: canvas.Canvas, blocks: list[_Line | _Picture], y: float) -> float:
    for block in blocks:
        y -= block.gap_before
        if isinstance(block, _Picture):
            y -= block.height
            c.drawImage(ImageReader(block.image), MARGIN, y, PAGE_WIDTH - 2 * MARGIN, block.height)
            continue
        c.setFont(block.font, block.size)
        for part in _wrapped(block):
            y -= block.size * 1.2
            c.drawCentredString(PAGE_WIDTH / 2, y + block.size * 0.25, part)
    return y


def render_pdf(receipt: Receipt) -> bytes:
    """The PDF ticket as bytes."""
    above, below = (_blocks(lines) for lines in _lines(receipt))
    gap = 2 * mm
    height = 2 * MARGIN + _height(above) + gap + QR_SIZE + _height(below)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, height), pageCompression=1)
    c.setTitle(f"{receipt.centre_name} {receipt.number}")  # PDF metadata is Unicode: no code page to fit
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
