"""The dashboard page: ``/admin`` for admins; anybody else is sent to log in (or refused, if logged in).

It is a management page like the others (their header, navigation and look; ``admin/manage_base.html``), in
the language the admin chose; its script gets the texts it writes through the page's catalogue.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect
from flask_login import current_user
from werkzeug.wrappers import Response

from ..i18n.formats import format_day
from ..services.dashboard import dashboard
from ..services.report_pdf import report_language
from ..web.rendering import catalog, chosen_language, render_page, vuoro
from .printers import printer_lines

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
#: the same files under /assets/, where the visitor pages load their scripts from (the phone's feedback.js)
assets = Blueprint("admin_assets", __name__, static_folder="static", static_url_path="/assets/admin")
#: the management pages, in the menu's order; a supervisor sees the first two
SECTIONS = ("services", "desks", "zones", "kiosks", "staff", "devices", "audit")
SUPERVISOR_SECTIONS = ("services", "desks")
#: the texts dashboard.js writes: its own, the report's column names, desk, ticket and printer states
STRINGS = ("dashboard.", "manage.", "login.", "report.", "desk.status.", "layout.state.")


@bp.get("")
@bp.get("/")
def index() -> Response:
    """GET /admin: the day's dashboard, for admins; logged out: to log in; any other role: 403."""
    if not current_user.is_authenticated:
        return redirect("/login?next=/admin")
    if current_user.principal.role != "admin":
        abort(403)
    ctx, lang = vuoro(), chosen_language()
    board = dashboard(ctx)
    today = ctx.today()
    return render_page(
        "admin/dashboard.html",
        lang=lang,
        catalog=catalog(*STRINGS),
        page="admin-dashboard",
        data={"today": today.isoformat(), "namespace": "/admin"},
        section="dashboard",
        sections=SECTIONS,
        dashboard=True,
        user=current_user.principal.label,
        board=board,
        services={s["key"]: s for s in board["services"]},
        printers=printer_lines(current_app),
        today=today.isoformat(),
        today_text=format_day(today, lang),
        report_language=lang if report_language(lang, "") == lang else "",  # one it can be written in
    )
