"""``pybabel extract`` for the page templates: Jinja's own extractor, plus the keys in ``data-i18n`` attributes.

A page whose language changes in the browser (the kiosk, the board) names its texts in attributes
(``data-i18n="kiosk.choose"``, ``data-i18n-label``, ``data-i18n-alt``) for its script to fill; Jinja's
extractor reads only calls, so this one adds them.  babel.cfg names it for ``templates/**.html``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from jinja2.ext import babel_extract

ATTRIBUTE = re.compile(rb"""data-i18n(?:-label|-alt)?="([a-z_]+(?:\.[a-z0-9_]+)+)\"""")

Extracted = tuple[int, str, Any, list[str]]


def extract_templates(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """What Jinja's extractor finds (``t('key')`` with ``-k t``), then every key named in an attribute."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from babel_extract(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    for match in ATTRIBUTE.finditer(source):
        yield source.count(b"\n", 0, match.start()) + 1, "t", match.group(1).decode(), []
