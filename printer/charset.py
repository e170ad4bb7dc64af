"""Fitting text into the small character sets printers have.

Thermal printers print from one 8-bit code page at a time and the PDF standard
fonts use WinAnsi. Typographic characters (en dash, curly quotes) that a
centre's name may contain are replaced by plain look-alikes, and other letters
lose their accent, instead of coming out as "?" or garbage.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

_LOOKALIKES: dict[str, str] = {
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u20ac": "EUR",
}


def fit_text(text: str, can_encode: Callable[[str], bool], default: str = "?") -> str:
    """Return ``text`` with every character ``can_encode`` rejects replaced.

    Order: the character itself, a look-alike, the letter without its accents
    (NFKD), then ``default``. Control characters become spaces, so a name in the
    config can never smuggle a printer command (ESC ...) onto the ticket.
    """
    out: list[str] = []
    for char in text:
        if unicodedata.category(char) == "Cc":  # control codes would be printer commands: never pass them
            out.append(" ")
        elif can_encode(char):
            out.append(char)
        elif (alike := _LOOKALIKES.get(char)) is not None and all(can_encode(c) for c in alike):
            out.append(alike)
        else:
            out.append(_base_letter(char, can_encode, default))
    return "".join(out)


#: what fit_text puts for a letter it cannot print, to find one (never in a text: control codes become spaces)
_UNPRINTABLE = "\x00"


def can_print(text: str, can_encode: Callable[[str], bool]) -> bool:
    """Whether :func:`fit_text` keeps every letter of ``text`` (itself, a look-alike or without its accent):
    a Russian text in CP866 or a Finnish one in CP858 can, an Arabic one in any code page cannot."""
    return _UNPRINTABLE not in fit_text(text, can_encode, _UNPRINTABLE)


def _base_letter(char: str, can_encode: Callable[[str], bool], default: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(can_encode(c) for c in base) else default


def python_codec_encoder(codec: str) -> Callable[[str], bool]:
    """A ``can_encode`` for a Python codec such as ``cp1252``."""

    def can_encode(char: str) -> bool:
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            return False
        return True

    return can_encode
