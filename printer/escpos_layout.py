"""Turning a receipt into ESC/POS bytes, without touching any printer.

Rendering into python-escpos's ``Dummy`` first and sending the result in one
write keeps the connection short and means a rendering error never leaves half
a ticket in the printer.
"""

from __future__ import annotations

import copy
import logging
import textwrap
from collections.abc import Iterable
from typing import Any

from escpos.capabilities import NotSupported, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.magicencode import Encoder
from escpos.printer import Dummy

from .charset import can_print, fit_text
from .errors import PrinterConfigError
from .glyphs import text_picture
from .receipt import SAMPLE_TEXTS, Receipt

log = logging.getLogger(__name__)

PREFERRED_CODEPAGES = ("CP858", "CP850", "CP437", "CP866")
"""Code pages tried in order: the first three have ä ö å at the same bytes (0x84 0x94 0x86), CP866 has
Cyrillic. A ticket gets the first that prints the most of its letters; Arabic is in none (a picture instead)."""
FALLBACK_MEDIA_WIDTH_PX = 384
"""58 mm paper: a safe width for image QR codes when neither profile nor config knows better."""
QR_MODULE_DOTS = 6


def load_profile(name: str, media_width_px: int | None = None) -> Any:
    """The python-escpos profile, with the configured paper width patched in if given."""
    try:
        profile = get_profile(name)
    except KeyError:
        raise PrinterConfigError(f"unknown python-escpos printer profile {name!r}") from None
    width = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    if media_width_px is not None or not isinstance(width, int):
        # python-escpos print()s a warning to stdout when the width is "Unknown";
        # give this instance its own copy with a real width instead.
        data = copy.deepcopy(profile.profile_data)
        data.setdefault("media", {}).setdefault("width", {})["pixels"] = media_width_px or FALLBACK_MEDIA_WIDTH_PX
        profile.profile_data = data
    return profile


def choose_codepage(profile: Any, wanted: str | None, texts: Iterable[str] = ()) -> str:
    """The code page to force for the whole ticket (one ESC t, then plain bytes): the configured one, else the
    preferred page that can print the most of ``texts`` (a Russian ticket: CP866; ties keep the order)."""
    pages = profile.get_code_pages()
    if wanted is not None:
        match = next((p for p in pages if p.upper() == wanted.upper()), None)
        if match is None:
            raise PrinterConfigError(f"code page {wanted!r} is not in this profile: {', '.join(pages)}")
        return str(match)
    usable = [page for page in PREFERRED_CODEPAGES if page in pages]
    if not usable:
        raise PrinterConfigError(f"profile has none of {PREFERRED_CODEPAGES}; set 'codepage' in the config")
    letters = "".join(texts)
    encoder = Encoder(pages)
    return max(usable, key=lambda page: sum(encoder.can_encode(page, char) for char in letters))


def _columns(profile: Any) -> int:
    try:
        return int(profile.get_columns("a"))
    except (NotSupported, KeyError, TypeError, ValueError):
        return 42


def _media_width(profile: Any) -> int:
    width = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    return width if isinstance(width, int) else FALLBACK_MEDIA_WIDTH_PX


class _Writer:
    """Writes a ticket's paragraphs: as text in the code page; what the page cannot print (Arabic) as a picture
    of the text; where no picture can be made (no font, no Raqm), the English text or nothing, never "???"."""

    def __init__(self, p: Dummy, page: str, cols: int, width_px: int) -> None:
        self.p, self.page, self.cols, self.width_px = p, page, cols, width_px

    def can_encode(self, char: str) -> bool:
        return bool(self.p.magic.encoder.can_encode(self.page, char))

    def text(self, value: str, width: int | None = None) -> None:
        self.p.text(textwrap.fill(fit_text(value, self.can_encode), max(width or self.cols, 8)) + "\n")

    def para(
        self,
        value: str,
        width: int | None = None,
        *,
        size_px: int = 24,
        bold: bool = False,
        fallback: str | None = None,
    ) -> None:
        if can_print(value, self.can_encode):
            self.text(value, width)
        elif (picture := text_picture(value, self.width_px, size_px, bold=bold)) is not None:
            self.p.image(picture, center=False)
        elif fallback is not None:
            self.text(fallback, width)


def receipt_texts(receipt: Receipt) -> tuple[str, ...]:
    """Every text a ticket prints: what its code page is chosen by."""
    t = receipt.texts
    return (
        receipt.centre_name,
        receipt.service_name,
        t.your_number,
        t.issued,
        receipt.issued_text,
        t.where_to_wait,
        receipt.where_to_wait,
        t.estimated_wait,
        receipt.wait_text or "",
        t.called_by_number,
    )


def render_receipt(receipt: Receipt, profile: Any, codepage: str | None = None) -> bytes:
    """All the bytes of one ticket: init, code page, texts, QR code, cut."""
    page = choose_codepage(profile, codepage, receipt_texts(receipt))
    p = Dummy()
    p.profile = profile  # python-escpos only takes profile *names*; ours may carry a patched width.
    p.magic.encoder = type(p.magic.encoder)(profile.get_code_pages())
    cols = _columns(profile)
    w = _Writer(p, page, cols, _media_width(profile))
    english = SAMPLE_TEXTS  # what a ticket says where its own language cannot be printed (docs/printers.md)

    p.hw("INIT")  # ESC @ resets the code page, so select ours after it.
    p.charcode(page)  # ESC t n, and python-escpos stops switching pages on its own.
    p.set(align="center", bold=True, double_height=True, double_width=True)
    w.para(receipt.centre_name, cols // 2, size_px=44, bold=True)
    p.set(bold=False, normal_textsize=True)
    p.set(custom_size=True, width=1, height=2)
    w.para(receipt.service_name, size_px=36)
    p.set(custom_size=True, width=1, height=1)
    p.ln()
    w.para(receipt.texts.your_number, fallback=english.your_number)
    size = max(2, min(6, cols // max(len(receipt.number), 1)))
    p.set(bold=True, smooth=True, custom_size=True, width=size, height=size)
    p.text(fit_text(receipt.number, w.can_encode) + "\n")
    p.set(bold=False, smooth=False, custom_size=True, width=1, height=1)
    p.ln()
    w.para(
        f"{receipt.texts.issued}: {receipt.issued_text}",
        fallback=f"{english.issued}: {receipt.issued_at:%Y-%m-%d %H:%M}",
    )
    p.ln()
    w.para(f"{receipt.texts.where_to_wait}:", fallback=f"{english.where_to_wait}:")
    p.set(bold=True, custom_size=True, width=1, height=2)
    w.para(receipt.where_to_wait, size_px=36, bold=True)
    p.set(bold=False, custom_size=True, width=1, height=1)
    if receipt.wait_text is not None:
        w.para(f"{receipt.texts.estimated_wait}: {receipt.wait_text}")
    p.ln()
    w.para(receipt.texts.called_by_number, fallback=english.called_by_number)
    p.ln()
    _qr(p, profile, receipt.track_url)
    p.set(font="b")
    w.text(receipt.track_url, cols + cols // 3)
    p.set(font="a", align="left")
    p.cut()
    return bytes(p.output)


def _qr(p: Dummy, profile: Any, url: str) -> None:
    if profile.supports("qrCode"):
        p.qr(url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS, native=True)
        p.ln()
    else:
        log.debug("profile has no native QR support; sending the QR code as an image")
        p.qr(url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS - 2, native=False)
