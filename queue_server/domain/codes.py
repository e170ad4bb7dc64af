"""Short codes a person reads off one screen and types on another: a device's pairing code, an appointment's.

Letters and digits that cannot be mistaken for one another on a screen or on paper (no 0/O, 1/I/L, 5/S, 2/Z,
8/B); drawn with :mod:`secrets`, so a code says nothing about the one before it.  Guessing is held back by the
rate limits of the endpoints that take a code, not by the length alone (docs/security.md).
"""

from __future__ import annotations

import secrets

CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def new_code(length: int) -> str:
    """A fresh code of ``length`` letters and digits from :data:`CODE_ALPHABET`, unrelated to any before it."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """What a visitor typed, as stored: upper case, without spaces or dashes ("abc-def" is "ABCDEF")."""
    return "".join(c for c in text.upper() if c not in " -\t")
