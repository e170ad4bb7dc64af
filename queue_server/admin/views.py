"""The dashboard page: ``/admin`` for admins; anybody else is sent to log in (or refused, if logged in)."""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..services.dashboard import dashboard

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static",
               static_url_path="/static")
#: the same files under /assets/, where the visitor pages load their scripts from (the phone's feedback.js)
assets = Blueprint("admin_assets", __name__, static_folder="static", static_url_path="/assets/admin")


def _shared_asset(filename: str) -> str | None:
    """The pages package's shared file (CSS, Socket.IO client) when it is there; None to use our own."""
    pages = current_app.blueprints.get("pages")
    if pages is None or not pages.has_static_folder or pages.static_folder is None:
        return None
    if not os.path.isfile(os.path.join(pages.static_folder, filename)):
        return None
    return url_for("pages.static", filename=filename)


@bp.get("")
@bp.get("/")
def index() -> Response | str:
    if not current_user.is_authenticated:
        return redirect("/login?next=/admin")
    if current_user.principal.role != "admin":
        abort(403)
    from . import printer_lines

    ctx = current_app.extensions["vuoro"]
    today = ctx.today().isoformat()
    return render_template(
        "admin/dashboard.html",
        centre=ctx.config.text(ctx.config.centre.name),
        board=dashboard(ctx), printers=printer_lines(current_app), today=today,
        shared_css=_shared_asset("vuoro.css"),
        socketio_js=_shared_asset("vendor/socket.io.min.js") or url_for("admin.static",
                                                                         filename="vendor/socket.io.min.js"),
    )
