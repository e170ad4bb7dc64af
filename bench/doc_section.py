"""Writing one benchmark's table into docs/performance.md between its own marker comments.

Each bench script owns one section; the rest of the file (other sections, prose) is left as it is.
"""

from __future__ import annotations

from pathlib import Path


def write_section(doc: Path, begin: str, end: str, text: str) -> None:
    """Replace the text between ``begin`` and ``end`` in ``doc``, or append the marked section."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    body = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in body and end in body:
        head, rest = body.split(begin, 1)
        body = head + block + rest.split(end, 1)[1]
    else:
        body = body.rstrip() + "\n\n" + block + "\n"
    doc.write_text(body, encoding="utf-8")
