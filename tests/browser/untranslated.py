"""Find text on a page that is not in the page's language: the check behind "a page shows an untranslated string".

Two kinds of leak, both seen before this check existed:

- a catalogue text of another language (an English API error on a Finnish desk page, a Finnish label left
  on an Arabic kiosk): every visible text node is matched against every other language's catalogue texts
  (``{placeholders}`` match anything), and a match that is not also a text of the page's own language fails;
- an English word written into a template or script instead of the catalogue (which no catalogue lists):
  every word of four letters or more that the English catalogue uses, and the page's own catalogue does not,
  fails on a non-English page, unless the centre itself names something so (``names``: a service called
  "Kela").  Paths and identifiers ("/kiosk/k1", "user:1") are not words.

What is matched is what a visitor sees or hears: visible text nodes, ``title``, ``aria-label``, ``placeholder``
and ``alt``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from queue_server.i18n.catalogue import catalogues

#: every visible text node, and the texts a screen reader gets, one per entry
TEXTS_JS = """
const out = [document.title];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement, text = node.textContent.trim();
  if (!text || !el || el.closest('script, style, template, noscript')) continue;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) continue;
  out.push(text);
}
for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
  for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
return out;"""

WORD = re.compile(r"[A-Za-z]{4,}")
#: a path or an identifier, shown as it is in every language ("/kiosk/k1", the audit log's actor "user:1")
CODE = re.compile(r"[\w.-]*[/:][\w./:-]*")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _pattern(message: str) -> re.Pattern[str]:
    parts = PLACEHOLDER.split(message)
    return re.compile(
        ".+?".join(re.escape(p.strip()) if i in (0, len(parts) - 1) else re.escape(p) for i, p in enumerate(parts)),
        re.DOTALL,
    )


@functools.cache
def _foreign(lang: str) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """``(language, key, pattern)`` of every other language's text that differs from this language's own."""
    cats = catalogues()
    own = cats.messages.get(lang, {})
    own_texts = set(own.values())
    out = []
    for other, texts in cats.messages.items():
        if other == lang:
            continue
        for key, message in texts.items():
            literal = PLACEHOLDER.sub(" ", message)
            if message == own.get(key) or message in own_texts or not re.search(r"[^\W\d_]{3}", literal):
                continue
            out.append((other, key, _pattern(message)))
    return tuple(out)


@functools.cache
def _english_words(lang: str) -> frozenset[str]:
    """Words of the English catalogue that the catalogue of ``lang`` never uses."""
    cats = catalogues()
    english = {w for m in cats.messages["en"].values() for w in WORD.findall(PLACEHOLDER.sub(" ", m))}
    own = {w.lower() for m in cats.messages.get(lang, {}).values() for w in WORD.findall(m)}
    return frozenset(w for w in english if w.lower() not in own)


def leaks(texts: Iterable[str], lang: str, names: Iterable[str] = ()) -> list[str]:
    """The texts on a page in ``lang`` that belong to another language, each with the reason."""
    allowed = {w.lower() for name in names for w in WORD.findall(name)}
    out = []
    for shown in dict.fromkeys(t.strip() for t in texts if t and t.strip()):
        foreign = next(((o, k) for o, k, p in _foreign(lang) if p.fullmatch(shown)), None)
        if foreign:
            out.append(f"{shown!r}: the {foreign[0]} text of {foreign[1]}")
            continue
        if lang == "en" or CODE.fullmatch(shown):
            continue
        english = sorted({w for w in WORD.findall(shown) if w in _english_words(lang) and w.lower() not in allowed})
        if english:
            out.append(f"{shown!r}: English {', '.join(english)}")
    return out


def page_leaks(driver: Any, lang: str, names: Iterable[str] = ()) -> list[str]:
    """:func:`leaks` of what the page in ``driver`` shows now."""
    return leaks(driver.execute_script(TEXTS_JS), lang, names)
