"""Every user-facing text, from the gettext catalogues ``translations/<lang>/LC_MESSAGES/messages.po``.

Message ids are keys (``kiosk.opens_at``), not English sentences: one English word is often two in Finnish
("closed" on a kiosk tile, "closed" in a table of days), a key gives each text its place on a screen, and
English is a catalogue like the others (the fi and sv files show the English text as a comment for the
translator).  Placeholders are ``{name}`` (``str.format``), the same in Python and in the pages' JavaScript,
which gets its part of these same catalogues as JSON (:meth:`Catalogues.table`).

The ``.po`` files are read with Babel and compiled in memory at first use, as ``pybabel compile`` would: nothing
to build before a start, and a running server never holds a catalogue older than its source.  The workflow
for translators (``pybabel extract / update``) is in docs/translations.md.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

#: where the catalogues live: beside the packages, at the top of the checkout
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
DOMAIN = "messages"
#: written right to left (the page gets dir="rtl"; numbers stay left to right)
RTL = frozenset({"ar", "fa", "he", "ur"})


class MissingText(KeyError):
    """A key no catalogue has: a programming error (a test extracts every key used and finds it)."""


@dataclass(frozen=True)
class Catalogues:
    """The texts of every language: ``messages[lang][key]``; an untranslated message is left out, so that a
    lookup falls back to the centre's default language, then English, rather than showing an empty string."""

    messages: Mapping[str, Mapping[str, str]]
    keys: frozenset[str]
    compiled: Mapping[str, bytes]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a catalogue, sorted: the only ones a config may name."""
        return tuple(sorted(self.messages))

    def text(self, key: str, language: str, fallback: str = "en") -> str:
        """``key`` in ``language``, else ``fallback``, else English; :class:`MissingText` if none has it."""
        for lang in (language, fallback, "en"):
            found = self.messages.get(lang, {}).get(key)
            if found:
                return found
        raise MissingText(f"no text {key!r}")

    def table(
        self, languages: Iterable[str], prefixes: Iterable[str], fallback: str = "en"
    ) -> dict[str, dict[str, str]]:
        """``{language: {key: text}}`` of the keys under ``prefixes`` (``"kiosk."``): what a page's script uses."""
        wanted = tuple(prefixes)
        keys = sorted(k for k in self.keys if k.startswith(wanted))
        return {lang: {k: self.text(k, lang, fallback) for k in keys} for lang in languages}

    def translations(self, language: str) -> Translations:
        """A gettext ``Translations`` for Flask-Babel and Jinja (compiled from the ``.po``, in memory)."""
        data = self.compiled.get(language)
        return Translations(io.BytesIO(data), domain=DOMAIN) if data else Translations()

    def missing(self) -> list[str]:
        """``lang:key`` of every message some catalogue leaves untranslated (a test keeps this empty)."""
        return sorted(f"{lang}:{k}" for lang, texts in self.messages.items() for k in self.keys if not texts.get(k))


def _read(path: Path) -> tuple[set[str], dict[str, str], bytes]:
    """One catalogue: every key it lists (translated or not), its translated texts, and its compiled form."""
    with path.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    keys = {str(m.id) for m in catalog if m.id}
    texts = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    return keys, texts, out.getvalue()


@functools.cache
def catalogues(directory: Path = TRANSLATIONS) -> Catalogues:
    """Every language's catalogue under ``directory`` (read once per process)."""
    messages: dict[str, dict[str, str]] = {}
    compiled: dict[str, bytes] = {}
    keys: set[str] = set()
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        listed, messages[lang], compiled[lang] = _read(po)
        keys |= listed
    if not messages:
        raise FileNotFoundError(f"no catalogues in {directory} (translations/<lang>/LC_MESSAGES/{DOMAIN}.po)")
    return Catalogues(messages, frozenset(keys), compiled)


def languages() -> tuple[str, ...]:
    """The languages Vuoro speaks: those with a catalogue (``languages:`` in the config may choose any)."""
    return catalogues().languages


def text(key: str, language: str, fallback: str = "en", /, **values: object) -> str:
    """One text in ``language`` (else ``fallback``, else English), with its ``{placeholders}`` filled."""
    found = catalogues().text(key, language, fallback)
    return found.format(**values) if values else found
