"""The staff and visitor pages that are not screens of their own: start page, log-in, desk, phone ticket page,
the public booking page.

Also home of what every page shares: the base template, the CSS, the JavaScript helper, the vendored
Socket.IO client and the chime (static files under ``/assets/vuoro/``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/assets/vuoro")


from . import booking, join, oidc, service_worker, views  # noqa: E402,F401  (routes register on import)


def init_app(app: Flask) -> None:
    """Register the pages and their shared assets (``/assets/vuoro/``) on the app, once."""
    if "pages" not in app.blueprints:
        app.register_blueprint(bp)
