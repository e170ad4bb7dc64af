"""Turning a receipt into ESC/POS bytes, without touching any printer.

Rendering into python-escpos's ``Dummy`` first and sending the result in one
write keeps the connection short and means a rendering error never leaves half
a ticket in the printer.
"""

from __future__ import annotations

import copy
import logging
import textwrap
from typing import Any

from escpos.capabilities import NotSupported, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from .charset import fit_text
from .errors import PrinterConfigError
from .receipt import Receipt

log = logging.getLogger(__name__)

PREFERRED_CODEPAGES = ("CP858", "CP850", "CP437")
"""Code pages with ä ö å at the same bytes (0x84 0x94 0x86), tried in order."""
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


def choose_codepage(profile: Any, wanted: str | None) -> str:
    """The code page to force for the whole ticket (one ESC t, then plain bytes)."""
    pages = profile.get_code_pages()
    if wanted is not None:
        match = next((p for p in pages if p.upper() == wanted.upper()), None)
        if match is None:
            raise PrinterConfigError(f"code page {wanted!r} is not in this profile: {', '.join(pages)}")
        return str(match)
    for page in PREFERRED_CODEPAGES:
        if page in pages:
            return page
    raise PrinterConfigError(f"profile has none of {PREFERRED_CODEPAGES}; set 'codepage' in the config")


def _columns(profile: Any) -> int:
    try:
        return int(profile.get_columns("a"))
    except (NotSupported, KeyError, TypeError, ValueError):
        return 42


def render_receipt(receipt: Receipt, profile: Any, codepage: str | None = None) -> bytes:
    """All the bytes of one ticket: init, code page, texts, QR code, cut."""
    page = choose_codepage(profile, codepage)
    p = Dummy()
    p.profile = profile  # python-escpos only takes profile *names*; ours may carry a patched width.
    p.magic.encoder = type(p.magic.encoder)(profile.get_code_pages())
    cols = _columns(profile)

    def fit(value: str) -> str:
        return fit_text(value, lambda ch: p.magic.encoder.can_encode(page, ch))

    def para(value: str, width: int = cols) -> None:
        p.text(textwrap.fill(fit(value), max(width, 8)) + "\n")

    p.hw("INIT")  # ESC @ resets the code page, so select ours after it.
    p.charcode(page)  # ESC t n, and python-escpos stops switching pages on its own.
    p.set(align="center", bold=True, double_height=True, double_width=True)
    para(receipt.centre_name, cols // 2)
    p.set(bold=False, normal_textsize=True)
    p.set(custom_size=True, width=1, height=2)
    para(receipt.service_name)
    p.set(custom_size=True, width=1, height=1)
    p.ln()
    para(receipt.texts.your_number)
    size = max(2, min(6, cols // max(len(receipt.number), 1)))
    p.set(bold=True, smooth=True, custom_size=True, width=size, height=size)
    p.text(fit(receipt.number) + "\n")
    p.set(bold=False, smooth=False, custom_size=True, width=1, height=1)
    p.ln()
    para(f"{receipt.texts.issued}: {receipt.issued_text}")
    p.ln()
    para(f"{receipt.texts.where_to_wait}:")
    p.set(bold=True, custom_size=True, width=1, height=2)
    para(receipt.where_to_wait)
    p.set(bold=False, custom_size=True, width=1, height=1)
    if receipt.wait_text is not None:
        para(f"{receipt.texts.estimated_wait}: {receipt.wait_text}")
    p.ln()
    para(receipt.texts.called_by_number)
    p.ln()
    if profile.supports("qrCode"):
        p.qr(receipt.track_url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS, native=True)
        p.ln()
    else:
        log.debug("profile has no native QR support; sending the QR code as an image")
        p.qr(receipt.track_url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS - 2, native=False)
    p.set(font="b")
    para(receipt.track_url, cols + cols // 3)
    p.set(font="a", align="left")
    p.cut()
    return bytes(p.output)
