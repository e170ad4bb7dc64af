"""The audit log's page: the newest changes, filtered by when, who and what, each with what it changed.

The same entries as ``GET /api/audit`` (and its CSV, linked with the same filters); a change to the centre's
configuration stores the whole document before and after, so the page shows the difference, not two copies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from ..services import audit as audit_service
from ..services.centre_config import diff
from ..web.rendering import login_redirect, vuoro
from .manage import manage_page, manager
from .views import bp

#: the newest entries the page shows (the CSV has them all)
PAGE_ENTRIES = 100
#: the kinds of change a manager filters by: an action's first word
ACTION_KINDS = ("service", "exception", "desk", "zone", "kiosk", "config", "user", "device")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters() -> dict[str, Any]:
    args = request.args
    kind = args.get("action", "")
    return {
        "from": _day(args.get("from")),
        "to": _day(args.get("to")),
        "actor": args.get("actor", "").strip()[:80],
        "action": kind if kind in ACTION_KINDS else "",
    }


def _midnight(day: date) -> datetime:
    """The start of a local day, in UTC (the filters are the centre's dates, the log keeps UTC)."""
    return datetime.combine(day, time(), vuoro().config.centre.tz).astimezone(UTC)


def _change(entry: dict[str, Any]) -> str:
    if entry["before"] is None and entry["after"] is None:
        return ""
    lines = diff(entry["before"] or {}, entry["after"] or {}, to_name="after").splitlines()[2:]
    return "\n".join(line for line in lines if not line.startswith("@@"))


def _local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(vuoro().config.centre.tz).strftime("%Y-%m-%d %H:%M:%S")


@bp.get("/audit")
def manage_audit() -> Response:
    """GET /admin/audit: the newest entries, filtered by the centre's dates, actor and kind, each with its
    change as a difference; the CSV link has them all."""
    if manager() is None:
        return login_redirect()
    f = _filters()
    rows = audit_service.entries(
        vuoro().db,
        since=_midnight(f["from"]) if f["from"] else None,
        until=_midnight(f["to"] + timedelta(days=1)) if f["to"] else None,
        actor=f["actor"] or None,
        action=f"{f['action']}." if f["action"] else None,
        limit=PAGE_ENTRIES,
    )
    entries = [{**e, "local": _local(e["at"]), "change": _change(e)} for e in rows]
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in f.items() if v}
    return manage_page(
        "audit",
        entries=entries,
        filters=query,
        kinds=ACTION_KINDS,
        csv_url="/api/audit?" + urlencode({**_api_query(f), "format": "csv"}),
    )


def _api_query(f: dict[str, Any]) -> dict[str, str]:
    """The page's filters as ``GET /api/audit`` takes them (moments in UTC, an action prefix)."""
    out: dict[str, str] = {}
    if f["from"]:
        out["from"] = _midnight(f["from"]).isoformat()
    if f["to"]:
        out["to"] = _midnight(f["to"] + timedelta(days=1)).isoformat()
    if f["actor"]:
        out["actor"] = f["actor"]
    if f["action"]:
        out["action"] = f"{f['action']}."
    return out
