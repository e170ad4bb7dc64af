"""The one formatter of waits, dates and times (Babel's, from CLDR), for the screens, the paper and the PDF.

Before, the kiosk screen, the printed ticket and the report each rounded and wrote a wait their own way
("about 1 h 0 min" on the screen, "about 1 h 2 min" on paper for the same 3,720 s).  Now there is one rule:
under a minute is "under 1 min", then whole minutes, and from an hour on the nearest five minutes (an
estimate is not a promise); the units and their order are the language's own (CLDR), "about" is the
catalogue's.  The screens get the text the server wrote (``estimated_wait_text``), not the seconds to format.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Literal

from babel.dates import format_date, format_time, get_day_names, get_month_names
from babel.lists import format_list
from babel.units import format_unit

from .catalogue import text

#: the regional variant each language is written in: Finland's Swedish and Finnish, British English (02/12/2026, 09:05)
LOCALES = {"en": "en_GB", "sv": "sv_FI", "fi": "fi_FI"}


def locale_of(language: str) -> str:
    """The CLDR locale a language is written in here (``fi`` is ``fi_FI``); an unlisted one as it is."""
    return LOCALES.get(language, language)


def rounded_minutes(seconds: float) -> int:
    """The minutes a wait is shown as: whole minutes, the nearest five from an hour on; at least 1."""
    minutes = max(1, round(seconds / 60))
    return minutes if minutes < 60 else round(minutes / 5) * 5


def duration(minutes: int, language: str) -> str:
    """``12 min``, ``1 h 5 min``: CLDR's short units in the language's own list pattern (the language's own
    units: a regional variant such as en_GB would write "12 mins")."""
    loc = language
    hours, rest = divmod(minutes, 60)
    parts = [format_unit(hours, "duration-hour", length="short", locale=loc)] if hours else []
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="short", locale=loc))
    return format_list(parts, style="unit-narrow", locale=loc)


def format_wait(seconds: float | None, language: str, reason: str | None = None) -> str | None:
    """ "about 12 min"; "no wait" at 0, "under 1 min" below a minute; without an estimate, what its ``reason``
    says ("no desk open now" rather than a made-up wait), or None."""
    if seconds is None:
        return text(f"wait.{reason}", language) if reason else None
    if seconds <= 0:
        return text("wait.none", language)
    if seconds < 60:
        return text("wait.under_min", language)
    return _about(rounded_minutes(seconds), language)


@functools.lru_cache(maxsize=4096)
def _about(minutes: int, language: str) -> str:
    """Cached: every queue change sends each service's wait in every centre language to the screens."""
    return text("wait.about", language, duration=duration(minutes, language))


def format_day(day: date, language: str) -> str:
    """A date as the language writes it briefly (2.12.2026)."""
    return format_date(day, format="short", locale=locale_of(language))


def format_clock(moment: datetime, language: str) -> str:
    """A wall-clock time, hours and minutes (9.05 in Finnish, 09:05 in Swedish)."""
    return format_time(moment, format="short", locale=locale_of(language))


def format_moment(moment: datetime, language: str) -> str:
    """Date and time of day, as on a printed ticket: ``2.12.2026 9.05``."""
    return f"{format_day(moment.date(), language)} {format_clock(moment, language)}"


def weekday_name(index: int, language: str, width: Literal["wide", "abbreviated"] = "wide") -> str:
    """Monday is 0 (as ``date.weekday()``); ``width``: ``wide`` (maanantai) or ``abbreviated`` (ma)."""
    return str(get_day_names(width, context="stand-alone", locale=locale_of(language))[index])


def month_name(month: int, language: str) -> str:
    """January is 1; the stand-alone form a calendar heading uses (tammikuu, januari)."""
    return str(get_month_names("wide", context="stand-alone", locale=locale_of(language))[month])
