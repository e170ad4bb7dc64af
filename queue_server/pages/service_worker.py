"""Route: ``/sw.js``, the service worker that shows the phone page's Web Push notifications (issue 16).

It is served from the site's root, not from ``/assets/vuoro/``, because a worker controls only the paths under
its own: at the root its scope is ``/`` and a notification can open or focus ``/t/<token>``.  ``no-cache``
makes the browser ask again on each update check, so a new version reaches phones at once.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response

from . import bp

SCRIPT = Path(__file__).parent / "static" / "sw.js"


@bp.get("/sw.js")
def service_worker() -> Response:
    """The worker's script (static/sw.js) with the headers a root-scoped worker needs."""
    return Response(
        SCRIPT.read_bytes(),
        mimetype="application/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
