"""What text Vuoro accepts from anyone: no control characters, no lone surrogates.

No field a person types or a device sends is multi-line or binary, so C0 and C1 controls, DEL, tabs and
newlines have no place in one; nor do lone surrogates (``"\\ud800"`` in JSON), which no encoding can store.
A NUL byte makes PostgreSQL refuse a query where SQLite quietly compares it: refusing all of them at the edge
gives one answer on every database, and keeps them out of logs and reports.
"""

from __future__ import annotations

import re

_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_text(value: str) -> bool:
    """Whether ``value`` holds a control character or a lone surrogate."""
    return _BAD.search(value) is not None
