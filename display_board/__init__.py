"""The waiting-room display board (``/board/<zone>``): calls, recent calls, queues, clock; chime and speech."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("board", __name__, template_folder="templates", static_folder="static", static_url_path="/assets/board")


from . import views  # noqa: E402,F401  (routes register on import; views needs bp above)


def init_app(app: Flask) -> None:
    """Register the board's page and assets (``/assets/board/``) on the app, once."""
    if "board" not in app.blueprints:
        app.register_blueprint(bp)
