"""Tickets in Russian and Arabic: Cyrillic in its code page (CP866) and an embedded font, Arabic as a picture
of the text, and where no picture can be made the English texts: never mojibake ("???")."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pypdf
import pytest

from printer import EscposPrinterConfig, Receipt, ReceiptTexts, build_printer, escpos_layout, glyphs, pdf_layout
from printer.charset import can_print, python_codec_encoder
from printer.escpos_layout import choose_codepage, load_profile
from printer.pdf_layout import render_pdf
from tests.printer.printer_fakes import make_receipt
from tests.printer.test_printer_escpos_layout import _raster_images

RUSSIAN = ReceiptTexts(
    your_number="Ваш номер",
    issued="Выдан",
    where_to_wait="Где ожидать",
    estimated_wait="Примерное ожидание",
    called_by_number="Вас вызовут по номеру. Следите за очередью на телефоне:",
)
ARABIC = ReceiptTexts(
    your_number="رقمك",
    issued="وقت الإصدار",
    where_to_wait="مكان الانتظار",
    estimated_wait="مدة الانتظار المتوقعة",
    called_by_number="سيتم استدعاؤك برقمك. تابع دورك على هاتفك:",
)
needs_font = pytest.mark.skipif(glyphs.font_file() is None, reason="DejaVu Sans is not installed (fonts-dejavu-core)")
needs_pictures = pytest.mark.skipif(not glyphs.can_picture("رقمك"), reason="no Arabic font, or Pillow without Raqm")


def russian_receipt() -> Receipt:
    return make_receipt(
        language="ru",
        texts=RUSSIAN,
        service_name="Kela – Пенсионное обеспечение",
        where_to_wait="Зал ожидания A, 2-й этаж",
        wait_text="около 12 мин",
    )


def arabic_receipt() -> Receipt:
    return make_receipt(
        language="ar",
        texts=ARABIC,
        issued_text="28\u200f/11\u200f/2026 9:05 ص",
        where_to_wait="قاعة الانتظار A، الطابق 2",
        wait_text="حوالي 12 د",
    )


def _escpos(**fields: Any):
    return build_printer(EscposPrinterConfig(key="f1", type="escpos", connection="file", device="/dev/null", **fields))


def _text_part(data: bytes) -> bytes:
    """The stream without its raster images (whose dots may be any byte, "?" too)."""
    out, start = bytearray(), 0
    while (at := data.find(b"\x1dv0", start)) != -1:
        width_bytes = int.from_bytes(data[at + 4 : at + 6], "little")
        height = int.from_bytes(data[at + 6 : at + 8], "little")
        out += data[start:at]
        start = at + 8 + width_bytes * height
    return bytes(out + data[start:])


def _pdf_text(receipt: Receipt) -> str:
    return pypdf.PdfReader(io.BytesIO(render_pdf(receipt))).pages[0].extract_text()


def _arabic(text: str) -> bool:
    return any(unicodedata.bidirectional(char) == "AL" for char in text)


def test_a_russian_ticket_is_printed_in_cp866() -> None:
    data = _escpos().render(russian_receipt())
    assert data.startswith(b"\x1b@\x1bt\x11"), "ESC t 17: PC866 Cyrillic on an Epson TM-T88V"
    for text in (
        "Ваш номер",
        "Выдан: 28.11.2026 09:05",
        "Где ожидать:",
        "Примерное ожидание: около 12 мин",
        "Kela - Пенсионное обеспечение",
    ):  # the en dash, not in CP866, as a hyphen
        assert text.encode("cp866") in data, text
    assert b"K042" in data and b"?" not in _text_part(data) and b"\x1dv0" not in data, "all text, no pictures"


def test_the_code_page_follows_the_ticket_unless_one_is_configured() -> None:
    profile = load_profile("TM-T88V")
    assert choose_codepage(profile, None) == "CP858"
    assert choose_codepage(profile, None, ["Vuoronumerosi", "Odotustila Ä/Ö/Å", "Kus oodata: õu"]) == "CP858"
    assert choose_codepage(profile, None, ["Ваш номер", "Iso Omenan palvelutori"]) == "CP866"
    assert choose_codepage(profile, None, ["رقمك", "K042"]) == "CP858", "no page has Arabic: the first"
    assert choose_codepage(profile, "CP1251", ["Ваш номер"]) == "CP1251"
    assert _escpos(codepage="CP858").render(make_receipt()).startswith(b"\x1b@\x1bt\x13")


@needs_pictures
def test_an_arabic_ticket_prints_its_texts_as_pictures() -> None:
    data = _escpos().render(arabic_receipt())
    text = _text_part(data)
    assert b"K042" in text and b"https://vuoro.example/t/7QX2M9K042" in text and b"\x1d(k" in text
    assert b"?" not in text, "no letter of the Arabic texts became a question mark"
    assert b"Your number" not in text, "the Arabic itself, not the English fallback"
    pictures = _raster_images(data)
    assert len(pictures) == 6  # your number, issued, where to wait, the place, the wait, called by number
    assert all(p.width == 512 and p.getbbox() is not None for p in pictures), "full width, not blank"


def test_without_a_picture_an_arabic_ticket_says_it_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(escpos_layout, "text_picture", lambda *args, **kwargs: None)
    data = _escpos().render(arabic_receipt())
    assert b"\x1dv0" not in data and b"?" not in data
    for text in (
        b"Your number",
        b"K042",
        b"Issued: 2026-11-28 09:05",
        b"Where to wait:",
        b"You will be called by your number.",
        b"https://vuoro.example/t/7QX2M9K042",
    ):
        assert text in data, text
    assert b"Estimated wait" not in data, "a value it cannot print is left out, not guessed"


@needs_font
def test_a_russian_pdf_ticket_embeds_a_font_and_its_text_extracts() -> None:
    pdf = render_pdf(russian_receipt())
    assert b"/BaseFont /AAAAAA+DejaVuSans" in pdf, "DejaVu Sans embedded (a subset)"
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in (
        "Iso Omenan palvelutori",
        "Kela – Пенсионное обеспечение",
        "Ваш номер",
        "K042",
        "Выдан: 28.11.2026 09:05",
        "Зал ожидания A, 2-й этаж",
        "Примерное ожидание: около 12 мин",
    ):
        assert expected in text, (expected, text)


def test_a_finnish_pdf_ticket_needs_no_font_file() -> None:
    assert b"DejaVuSans" not in render_pdf(make_receipt()), "Helvetica (WinAnsi) only: a small PDF"


@needs_pictures
def test_an_arabic_pdf_ticket_draws_its_texts_as_pictures() -> None:
    pdf = render_pdf(arabic_receipt())
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert "K042" in text and "https://vuoro.example/t/7QX2M9K042" in text
    assert not _arabic(text) and "?" not in text.replace("https://", "")
    assert len(page.images) == 6


def test_without_font_or_picture_pdf_tickets_say_it_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_layout, "text_picture", lambda *args, **kwargs: None)
    monkeypatch.setattr(pdf_layout, "_unicode_font", lambda bold: None)
    for receipt in (arabic_receipt(), russian_receipt()):
        text = _pdf_text(receipt)
        for expected in (
            "Your number",
            "K042",
            "Issued: 2026-11-28 09:05",
            "Where to wait:",
            "You will be called by your number.",
        ):
            assert expected in text, (receipt.language, expected, text)
        assert "?" not in text.replace("https://", "") and not _arabic(text)


def test_can_print_tells_a_code_page_s_letters_from_the_rest() -> None:
    cp866, cp858 = python_codec_encoder("cp866"), python_codec_encoder("cp858")
    assert can_print("Ваш номер – K042", cp866) and not can_print("Ваш номер", cp858)
    assert can_print("Väntplats – Ä/Ö/Å", cp858) and not can_print("رقمك", cp858)
    assert can_print("Säätiö", cp866), "ä without its dots is still a letter the page has"
