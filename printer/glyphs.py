"""Text that a printer's code page or the PDF's standard font cannot print: a font that has it, or a picture.

A thermal printer prints text from one 8-bit code page. Cyrillic has one (CP866), Arabic has none that works:
CP864 and CP720 exist, but the printer neither joins the letters nor writes right to left. A picture of the
text, set by Pillow with a font that has the glyphs, prints on any ESC/POS printer (GS v 0) and in a PDF.
Joining Arabic letters and ordering a right-to-left line needs Pillow's Raqm layout (libraqm with FriBiDi
and HarfBuzz); without it, or without a font, :func:`text_picture` answers None and the layouts print what
they can instead (docs/printers.md). DejaVu Sans has Latin, Cyrillic, Greek, Arabic and Hebrew (Debian's
``fonts-dejavu-core``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

#: where DejaVu Sans is installed: Debian and Ubuntu, Fedora, Alpine, then a hand-installed copy
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
LINE_SPACING = 1.25


@functools.cache
def font_file(bold: bool = False) -> Path | None:
    """The TrueType font for text outside the code page (DejaVu Sans), or None where it is not installed."""
    return next((d / FONT_FILES[bold] for d in FONT_DIRS if (d / FONT_FILES[bold]).is_file()), None)


def needs_layout(text: str) -> bool:
    """Whether ``text`` is written right to left (Arabic, Hebrew): it needs shaping and bidi ordering."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


@functools.cache
def _raqm() -> bool:
    try:
        from PIL import features
    except ImportError:
        return False
    return bool(features.check("raqm"))


def can_picture(text: str) -> bool:
    """Whether :func:`text_picture` can set ``text`` readably here (a font; Raqm for right-to-left text)."""
    if font_file() is None:
        return False
    return _raqm() or not needs_layout(text)


def text_picture(text: str, width_px: int, size_px: int, *, bold: bool = False) -> Image.Image | None:
    """``text`` set in black on white, each line centred, wrapped to ``width_px``; None where it cannot be
    set readably (no Pillow, no font, or right-to-left text without Raqm). A line's direction comes from its
    first strong letter, so an Arabic label reads from the right and "K042" stays as it is."""
    path = font_file(bold) or font_file()
    if path is None or not can_picture(text):
        return None
    from PIL import Image, ImageDraw, ImageFont

    engine = ImageFont.Layout.RAQM if _raqm() else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(path), size_px, layout_engine=engine)
    lines = _wrap(text.split(), font.getlength, width_px)
    height = round(size_px * LINE_SPACING)
    picture = Image.new("1", (width_px, height * len(lines)), 1)
    draw = ImageDraw.Draw(picture)
    for row, line in enumerate(lines):
        left = max(0.0, (width_px - font.getlength(line)) / 2)
        draw.text((left, row * height + (height - size_px) / 2), line, font=font, fill=0)
    return picture


def _wrap(words: list[str], measure: Callable[[str], float], width: int) -> list[str]:
    """Greedy word wrap by measured length (a word longer than the line keeps a line of its own)."""
    lines: list[str] = []
    for word in words:
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
