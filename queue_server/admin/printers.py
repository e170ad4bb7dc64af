"""The printers' health for the dashboard, as the printing port last saw it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..printing import EXTENSION


def printer_lines(app: Flask) -> list[dict[str, Any]]:
    """Printers' health as the printing extension last saw it (``unknown`` before the first poll)."""
    return list(app.extensions[EXTENSION].status_list())
