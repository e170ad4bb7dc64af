"""Which catalogue keys the code uses: what ``pybabel extract`` finds, and what it cannot (keys kept in a
variable, keys built from a value).  Shared by the catalogue tests and the markers' regeneration."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import get_args

from babel.messages.extract import extract_from_dir

from printer import PrinterState, ReceiptTexts
from queue_server.admin.manage import SECTIONS, STAFF_ACTIONS
from queue_server.admin.manage_audit import ACTION_KINDS
from queue_server.domain.forecast import EstimateReason
from queue_server.domain.roles import STAFF_ROLES, TOKEN_ROLES
from queue_server.domain.states import DESK_STATUSES, TicketStatus
from queue_server.i18n.catalogue import catalogues, languages
from queue_server.services.statistics import CSV_KEYS, CSV_METRICS
from tests.conftest import ROOT

KEYWORDS = {"t": None, "N_": None}
SOURCES = ("queue_server", "kiosk_ui", "display_board")
#: a quoted string that looks like a key: a prefix, a dot, a name
LITERAL = re.compile(r"""["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
MARKERS = ROOT / "queue_server" / "i18n" / "markers.py"


def extracted(*, with_markers: bool = True) -> set[str]:
    """What ``pybabel extract -F babel.cfg -k t -k N_`` finds (the markers module included or not)."""
    method_map, options_map = _mapping()
    found = {
        str(message)
        for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, KEYWORDS)
        if isinstance(message, str) and not message.endswith(".")
    }
    if not with_markers:
        found -= set(re.findall(r'N_\("([^"]+)"\)', MARKERS.read_text(encoding="utf-8")))
    return found


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        return parse_mapping_cfg(fh)


def literals() -> set[str]:
    """Quoted strings shaped like keys (``error = "login.failed"``, a variable's key; also endpoints and file
    names, which no catalogue holds: callers intersect with the catalogue)."""
    out: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".py", ".js", ".html") and "vendor" not in path.parts and path != MARKERS:
                out |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return out


#: an error code as the code names it: ``code = "x"``, ``ApiError(409, "x", ...)``, ``error_response(429, "x"``
ERROR_CODE = re.compile(r"""(?:code\s*=\s*|ApiError\(\s*\d+,\s*|error_response\(\s*\d+,\s*)["']([a-z_]+)["']""")


def error_codes() -> tuple[str, ...]:
    """Every error code the server (or the pages' script, ``network``) can give."""
    codes: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".py", ".js") and "vendor" not in path.parts:
                codes |= set(ERROR_CODE.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(codes))


def built() -> set[str]:
    """Keys built from a value at run time: a status, a role, a language, a page's section, an error code
    (the desk page shows an API error by its code; ``error.other`` for one without its own text)."""
    translated = {k.removeprefix("error.") for k in catalogues().keys if k.startswith("error.")} - {"other"}
    families: dict[str, tuple[str, ...]] = {
        "status.": tuple(s.value for s in TicketStatus),
        "phone.": ("done", "no_show", "cancelled", "expired"),
        "desk.status.": DESK_STATUSES,
        "lang.": languages(),
        "desk.visitor_lang_": languages(),
        "layout.in.": languages(),
        "layout.language.": languages(),
        "layout.state.": tuple(s.value for s in PrinterState),
        "manage.": SECTIONS + STAFF_ACTIONS,
        "manage.kind.": ACTION_KINDS,
        "manage.role.": STAFF_ROLES,
        "manage.device_role.": TOKEN_ROLES,
        "csv.": CSV_KEYS + CSV_METRICS,
        "notfound.": ("kiosk", "zone", "ticket", "text"),
        "ticket.": tuple(f.name for f in fields(ReceiptTexts)),
        "error.": tuple(sorted(translated & set(error_codes()))) + ("other",),
        "wait.": get_args(EstimateReason),
    }
    return {prefix + value for prefix, values in families.items() for value in values}


def markers_source(keys: set[str]) -> str:
    lines = "\n".join(f'    N_("{k}"),' for k in sorted(keys))
    return f'''"""Keys ``pybabel extract`` cannot see in the code, so that ``pybabel update`` keeps them.

Some keys are kept in a variable (``error = "login.failed"``) or built from a value (``"status." + status``);
the extractor reads only calls with a literal.  Generated, and checked, by tests/queue_server/i18n: after a
change, ``python -m tests.queue_server.i18n.keys`` writes this file again.
"""


def N_(key: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    """Mark ``key`` for the extractor and give it back unchanged: its text is looked up where it is shown."""
    return key


KEYS = (
{lines}
)
'''


if __name__ == "__main__":
    seen = extracted(with_markers=False)
    wanted = (built() | (literals() & catalogues().keys)) - seen
    Path(MARKERS).write_text(markers_source(wanted), encoding="utf-8")
    print(f"{MARKERS}: {len(wanted)} keys")
