"""A page's texts: the keys it renders (``t()`` in templates) and the part of the catalogue its script gets.

Texts come from the gettext catalogues (:mod:`queue_server.i18n.catalogue`).  Pages whose language changes at
run time (the kiosk, the board) get their part of the catalogues as a ``data-strings`` attribute and swap the
texts in JavaScript (``data-i18n="key"``); placeholders are ``{name}`` in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..i18n.catalogue import catalogues, text

#: the keys every page's script may need (the header, states, the offline notice, the language names)
SHARED = ("app.", "common.", "lang.", "notfound.", "status.", "wait.")


class Catalog:
    """The texts of one page: any key for the template, the keys under its prefixes for its script."""

    def __init__(self, *prefixes: str, fallback: str = "en") -> None:
        self.prefixes = tuple(dict.fromkeys((*SHARED, *prefixes)))
        self.fallback = fallback

    def get(self, key: str, language: str, /, **values: object) -> str:
        """One text for the template's ``t()``: any key, in ``language`` or the fallback, placeholders filled."""
        return text(key, language, self.fallback, **values)

    def table(self, languages: Iterable[str]) -> dict[str, dict[str, str]]:
        """``{language: {key: text}}`` for the page's JavaScript."""
        return catalogues().table(languages, self.prefixes, self.fallback)

    def json(self, languages: Iterable[str]) -> str:
        """The script's table as the page's ``data-strings`` attribute: compact JSON, letters unescaped."""
        return json.dumps(self.table(languages), ensure_ascii=False, separators=(",", ":"))
