"""The few fixed texts printed on a ticket, in Finnish, Swedish and English.

They live here rather than in the server's translation catalogue so that the
printer package stays self-contained and a test print works without a server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .receipt import Language

TEXTS: Final[dict[Language, dict[str, str]]] = {
    "fi": {
        "your_number": "Vuoronumerosi",
        "issued": "Tulostettu",
        "where_to_wait": "Odotuspaikka",
        "estimated_wait": "Arvioitu odotusaika",
        "about_min": "noin {n} min",
        "about_h_min": "noin {h} h {m} min",
        "under_min": "alle 1 min",
        "called_by_number": "Sinut kutsutaan vuoronumerollasi. Seuraa vuoroasi puhelimellasi:",
    },
    "sv": {
        "your_number": "Ditt könummer",
        "issued": "Utskriven",
        "where_to_wait": "Väntplats",
        "estimated_wait": "Beräknad väntetid",
        "about_min": "cirka {n} min",
        "about_h_min": "cirka {h} h {m} min",
        "under_min": "under 1 min",
        "called_by_number": "Du ropas upp med ditt nummer. Följ din tur i telefonen:",
    },
    "en": {
        "your_number": "Your number",
        "issued": "Issued",
        "where_to_wait": "Where to wait",
        "estimated_wait": "Estimated wait",
        "about_min": "about {n} min",
        "about_h_min": "about {h} h {m} min",
        "under_min": "under 1 min",
        "called_by_number": "You will be called by your number. Follow your turn on your phone:",
    },
}


def text(language: Language, key: str) -> str:
    """One fixed text; unknown languages fall back to English rather than failing a print."""
    return TEXTS.get(language, TEXTS["en"])[key]


def format_wait(language: Language, seconds: int | None) -> str | None:
    """``about N min`` for the estimated wait, or None when there is no estimate.

    Minutes are rounded to the nearest whole minute: an estimate is not a promise,
    and a ticket saying "about 12 min" reads better than "11 min 40 s".
    """
    if seconds is None:
        return None
    if seconds < 60:
        return text(language, "under_min")
    minutes = round(seconds / 60)
    if minutes < 60:
        return text(language, "about_min").format(n=minutes)
    return text(language, "about_h_min").format(h=minutes // 60, m=minutes % 60)


def format_issued(language: Language, issued_at: datetime) -> str:
    """Date and ``HH:MM`` as written in the ticket's language (ISO date in English)."""
    date = issued_at.strftime("%Y-%m-%d") if language == "en" else f"{issued_at:%d.%m.%Y}"
    return f"{date} {issued_at:%H:%M}"
