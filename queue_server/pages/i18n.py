"""Fixed texts of the people-facing pages in Finnish, Swedish and English.

Each package keeps its own small dictionary (``key -> {fi, sv, en}``).  Templates render them through ``t()``;
pages whose language changes at run time (the kiosk) get the dictionary as a ``data-strings`` attribute and
swap the texts in JavaScript (``data-i18n="key"``).  Placeholders are ``{name}`` in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

LANGUAGES = ("fi", "sv", "en")

Strings = Mapping[str, Mapping[str, str]]


class Catalog:
    """A merged view of several dictionaries; a missing language falls back to ``fallback``."""

    def __init__(self, *parts: Strings, fallback: str = "fi") -> None:
        self.strings: dict[str, Mapping[str, str]] = {}
        for part in parts:
            self.strings.update(part)
        self.fallback = fallback

    def get(self, key: str, language: str, /, **values: object) -> str:
        texts = self.strings.get(key)
        if texts is None:
            raise KeyError(f"no text {key!r}")
        text = texts.get(language) or texts.get(self.fallback) or texts["en"]
        return text.format(**values) if values else text

    def table(self, languages: Iterable[str]) -> dict[str, dict[str, str]]:
        """``{language: {key: text}}`` for the page's JavaScript."""
        return {lang: {key: texts.get(lang) or texts.get(self.fallback) or texts["en"]
                       for key, texts in self.strings.items()} for lang in languages}

    def json(self, languages: Iterable[str]) -> str:
        return json.dumps(self.table(languages), ensure_ascii=False, separators=(",", ":"))


def missing_translations(strings: Strings) -> list[str]:
    """Keys without a non-empty text in every language (a test keeps this list empty)."""
    return [f"{key}.{lang}" for key, texts in strings.items() for lang in LANGUAGES if not texts.get(lang)]
