"""The ticket kiosk: a touch screen where visitors choose their errands and get a number (``/kiosk/<key>``)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/assets/kiosk")


from . import views  # noqa: E402,F401  (routes register on import; views needs bp above)


def init_app(app: Flask) -> None:
    """Register the kiosk's page and assets (``/assets/kiosk/``) on the app, once."""
    if "kiosk" not in app.blueprints:
        app.register_blueprint(bp)
