"""The admin dashboard: access, what it shows, the strict-CSP rules, and its live Socket.IO namespace."""

from __future__ import annotations

import copy
import io
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.extensions import socketio
from queue_server.services import appointments, desks, tickets
from queue_server.services.accounts import add_user
from queue_server.services.checkin import check_in
from queue_server.services.context import Context
from queue_server.services.dashboard import dashboard, level
from tests.conftest import FakeClock
from tests.queue_server.api.test_appointments import with_appointments

ADMIN_STATIC = Path(__file__).resolve().parents[3] / "queue_server" / "admin" / "static"


def login(app: Flask, role: str) -> FlaskClient:
    ctx = app.extensions["vuoro"]
    add_user(ctx.db, f"{role}x", "a-long-password", role)
    c = app.test_client()
    assert c.post("/api/session", json={"username": f"{role}x", "password": "a-long-password"}).status_code == 200
    return c


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    return login(app, "admin")


class Audit(HTMLParser):
    """Collects what a strict CSP would refuse: inline scripts, inline handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("inline script")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{k}= on <{tag}>" for k in names if k.startswith("on")]
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("script content")
        self.texts.append(data)


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    resp = client.get("/admin")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=/admin"


def test_a_clerk_is_refused(app: Flask) -> None:
    assert login(app, "clerk").get("/admin").status_code == 403


def test_the_page_shows_desks_services_printers_and_visits(
    admin_client: FlaskClient, ctx: Context, clock: FakeClock
) -> None:
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    tickets.issue_ticket(ctx, services=["library"], language="fi")
    desks.call_next(ctx, "d1", "user:1")
    resp = admin_client.get("/admin")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for text in ("Tiski 1", "Desk 6", "Kela", "Kirjasto", "Mielenterveyspalvelut", "K001 (Kutsuttu)", "fake"):
        assert text in html
    assert re.search(r'id="visits-today">2<', html) and re.search(r'id="visits-total">2<', html)
    assert "ei tiedossa" in html  # the printer's state, in the page's language


def test_the_page_is_a_management_page_in_the_chosen_language(admin_client: FlaskClient, ctx: Context) -> None:
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    html = admin_client.get("/admin?lang=sv").get_data(as_text=True)
    assert '<html lang="sv"' in html and 'class="manage-nav"' in html and 'action="/logout"' in html
    assert '<a href="/admin/" aria-current="page">Översikt</a>' in html
    for text in (
        "Besök i dag",
        "Tjänster",
        "Längsta väntan",
        "Uppskattning för en ny kölapp",
        "Diskar",
        "Skrivare",
        "Statistik",
        "Stängd",
        "FPA",
        "Disk 1",
        "ingen disk är öppen just nu",
        "okänt",
    ):
        assert text in html, text
    for english in ("Visits today", "Longest wait", "Estimate for a new ticket", "Desks open", "Kela", "Desk 1"):
        assert english not in html, english
    assert '"dashboard.live":"uppdateras"' in unescape(html)  # the script's texts, in its catalogue


def test_a_service_without_an_open_desk_says_so_instead_of_a_made_up_wait(ctx: Context) -> None:
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    kela = next(s for s in dashboard(ctx)["services"] if s["key"] == "kela")
    assert kela["estimate_reason"] == "no_desk_open"
    assert kela["wait_text"]["en"] == "no desk open now"
    assert kela["target_text"]["en"] == "15 min" and kela["longest_text"]["en"] == "no wait"


def test_waits_and_call_times_are_written_by_the_one_formatter(ctx: Context, clock: FakeClock) -> None:
    desks.set_status(ctx, "d1", "open", "user:1")
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    clock.advance(125)
    kela = next(s for s in dashboard(ctx)["services"] if s["key"] == "kela")
    assert kela["estimate_reason"] is None and kela["wait_text"]["en"].startswith("about ")
    assert kela["longest_text"] == {"fi": "2 min", "sv": "2 min", "en": "2 min"}
    desks.call_next(ctx, "d1", "user:1")
    d1 = next(d for d in dashboard(ctx)["desks"] if d["key"] == "d1")
    assert d1["labels"]["sv"] == "Disk 1" and set(d1["since_text"]) == {"fi", "sv", "en"}
    assert ":" in d1["since_text"]["sv"] or "." in d1["since_text"]["fi"]


def test_the_page_obeys_a_strict_csp_and_escapes_config_text(make_app: Any, config_data: dict[str, Any]) -> None:
    config_data["centre"]["name"]["fi"] = "Keskus <script>alert(1)</script>"
    config_data["desks"][0]["label"]["fi"] = '"><img src=x onerror=alert(1)>'
    application = make_app(config_data)
    html = login(application, "admin").get("/admin").get_data(as_text=True)
    audit = Audit()
    audit.feed(html)
    assert audit.problems == []
    assert "Keskus &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_page_links_only_vendored_assets_that_are_served(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html)
    assert any("chart.umd.min.js" in s for s in sources) and any("socket.io" in s for s in sources)
    for src in sources:
        with admin_client.get(src) as resp:
            assert resp.status_code == 200, src
    assert "//" not in "".join(s[1:] for s in sources)  # no CDN, no other host
    assert (ADMIN_STATIC / "vendor" / "chart.js.LICENSE.md").read_text().startswith("The MIT License")


def test_service_colours_follow_the_target_wait() -> None:
    assert level(0, 900) == "ok" and level(675, 900) == "ok"
    assert level(676, 900) == "warn" and level(900, 900) == "warn"
    assert level(901, 900) == "over"


def test_a_long_wait_turns_its_service_red(ctx: Context, clock: FakeClock) -> None:
    tickets.issue_ticket(ctx, services=["library"], language="fi")
    clock.advance(901)
    services = {s["key"]: s for s in dashboard(ctx)["services"]}
    assert services["library"]["longest_wait_s"] == 901 and services["library"]["level"] == "over"
    assert services["kela"]["level"] == "ok" and services["kela"]["waiting"] == 0


def test_desks_show_what_they_serve_and_for_how_long(ctx: Context, clock: FakeClock) -> None:
    tickets.issue_ticket(ctx, services=["kela"], language="fi")
    desks.call_next(ctx, "d1", "user:1")
    desks.set_status(ctx, "d3", "paused", "user:1")
    clock.advance(125)
    lines = {d["key"]: d for d in dashboard(ctx)["desks"]}
    assert (lines["d1"]["status"], lines["d1"]["number"], lines["d1"]["service"], lines["d1"]["for_s"]) == (
        "open",
        "K001",
        "kela",
        125,
    )
    assert lines["d3"]["status"] == "paused" and lines["d3"]["number"] is None
    assert lines["d6"]["status"] == "closed"


# -- today's appointments -------------------------------------------------------------------------------------


@pytest.fixture
def booking_app(config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask], clock: FakeClock) -> Flask:
    """Kela takes appointments 08:00-12:00 on Fridays, two a slot, and so does the sensitive mental health
    service; check-in closes ten minutes after the booked time.  The clock starts on Friday at 07:00."""
    clock.set_local("2026-11-27T07:00:00")
    data = with_appointments(config_data, per_slot=2)
    data["services"][3]["appointments"] = copy.deepcopy(data["services"][0]["appointments"])
    return make_app(data)


def book(ctx: Context, time_of_day: str, service: str = "kela") -> str:
    start = datetime.fromisoformat(f"2026-11-27T{time_of_day}:00+02:00")
    return str(appointments.book(ctx, service, start, source="api")["code"])


def test_todays_appointments_are_counted_booked_checked_in_late_and_no_show(
    booking_app: Flask, clock: FakeClock
) -> None:
    ctx = booking_app.extensions["vuoro"]
    on_time, gone, due = book(ctx, "09:30"), book(ctx, "09:45"), book(ctx, "10:00")
    for never_checked_in in ("09:00", "10:00", "10:30"):
        book(ctx, never_checked_in)
    book(ctx, "10:00", "mental")
    appointments.cancel(ctx, gone)
    clock.set_local("2026-11-27T09:05:00")
    assert dashboard(ctx)["appointments"]["kela"] == {"booked": 5, "checked_in": 0, "late": 1, "no_show": 0}
    clock.set_local("2026-11-27T09:20:00")  # 09:00's check-in closed at 09:10: gone, though the sweep has not run
    check_in(ctx, on_time, language="fi", kiosk=None)
    assert dashboard(ctx)["appointments"]["kela"] == {"booked": 5, "checked_in": 1, "late": 0, "no_show": 1}

    clock.set_local("2026-11-27T09:35:00")
    desks.call_next(ctx, "d1", "user:1")
    desks.no_show(ctx, "d1", "user:1")  # whatever the desk does with the ticket, the visitor did check in
    clock.set_local("2026-11-27T10:05:00")  # 09:00 missed its check-in; both at 10:00 are late
    assert dashboard(ctx)["appointments"]["kela"] == {"booked": 5, "checked_in": 1, "late": 2, "no_show": 1}
    assert appointments.mark_no_shows(ctx) == 1  # the sweep marks what the dashboard already counted
    check_in(ctx, due, language="fi", kiosk=None)
    board = dashboard(ctx)
    assert board["appointments"]["kela"] == {"booked": 5, "checked_in": 2, "late": 1, "no_show": 1}
    assert set(board["appointments"]) == {"kela", "mental"}  # only the services that take appointments
    assert board["appointments"]["mental"] == {"booked": 1, "checked_in": 0, "late": 1, "no_show": 0}

    clock.set_local("2026-11-27T10:10:01")  # the second 10:00 visitor's check-in has closed; 10:30 is to come
    assert dashboard(ctx)["appointments"]["kela"] == {"booked": 5, "checked_in": 2, "late": 0, "no_show": 2}
    assert ctx.live is not None
    ctx.live.rebuild("test")  # the counts come from the model: a rebuilt one gives the same
    assert dashboard(ctx)["appointments"]["kela"] == {"booked": 5, "checked_in": 2, "late": 0, "no_show": 2}


def test_the_page_shows_the_appointments_of_the_services_that_take_them(booking_app: Flask, clock: FakeClock) -> None:
    ctx = booking_app.extensions["vuoro"]
    book(ctx, "10:00")
    book(ctx, "10:00", "mental")
    clock.set_local("2026-11-27T10:01:00")
    html = login(booking_app, "admin").get("/admin?lang=en").get_data(as_text=True)
    section = html[html.index('id="appointments-section"') : html.index('id="h-desks"')]
    assert "hidden" not in section[:40] and "Today&#39;s appointments" in section
    for text in ("Booked", "Checked in", "Late now", "No-shows", "check-in is still open"):
        assert text in section, text
    rows = re.findall(r'<tr data-key="(\w+)"( class="has-late")?>', section)
    assert rows == [("kela", ' class="has-late"'), ("mental", ' class="has-late"')]
    assert 'Mental health services <span class="tag">sensitive</span>' in section  # the page is staff-only
    assert "Library" not in section


def test_without_appointments_the_section_is_hidden(admin_client: FlaskClient, ctx: Context) -> None:
    assert dashboard(ctx)["appointments"] == {}
    html = admin_client.get("/admin").get_data(as_text=True)
    assert re.search(r'id="appointments-section" hidden>', html)


def test_printers_are_unknown_until_the_monitor_has_asked_them(app: Flask) -> None:
    from queue_server.admin import printer_lines

    assert app.extensions["vuoro_printers"].monitor is None  # printer_poll_s: 0 in the tests
    assert printer_lines(app) == [
        {
            "key": "fake",
            "type": "fake",
            "state": "unknown",
            "detail": "",
            "checked_at": None,
            "kiosks": ["k1"],
            "last_test": None,
        }
    ]


def test_printers_come_from_the_printing_extension_when_present(app: Flask) -> None:
    from queue_server.admin import printer_lines

    class Printing:
        def status_list(self) -> list[dict[str, Any]]:
            return [
                {
                    "key": "fake",
                    "type": "fake",
                    "state": "paper_low",
                    "detail": "",
                    "checked_at": None,
                    "kiosks": ["k1"],
                }
            ]

    real = app.extensions.get("vuoro_printers")
    app.extensions["vuoro_printers"] = Printing()
    try:
        assert printer_lines(app)[0]["state"] == "paper_low"
    finally:
        app.extensions["vuoro_printers"] = real


def received(sock: Any, name: str) -> list[Any]:
    return [p["args"][0] for p in sock.get_received("/admin") if p["name"] == name]


def test_an_admin_joins_the_live_namespace_and_gets_a_snapshot_then_updates(
    app: Flask, admin_client: FlaskClient, ctx: Context
) -> None:
    sock = socketio.test_client(app, namespace="/admin", flask_test_client=admin_client)
    try:
        ack = sock.emit("join", {"admin": True}, namespace="/admin", callback=True)
        assert ack == {"ok": True}
        (snap,) = received(sock, "snapshot")
        assert {d["key"] for d in snap["desks"]} >= {"d1", "h1"} and snap["visits"] == {"today": 0, "total": 0}
        assert snap["appointments"] == {}  # no service takes appointments here
        assert snap["printers"][0]["key"] == "fake"
        tickets.issue_ticket(ctx, services=["kela"], language="fi")
        updates: list[Any] = []
        deadline = time.monotonic() + 5  # the dashboard is pushed by its own thread, at most once a second
        while not updates and time.monotonic() < deadline:
            time.sleep(0.05)
            updates = received(sock, "dashboard")
        assert updates and updates[-1]["visits"]["today"] == 1
        assert next(s for s in updates[-1]["services"] if s["key"] == "kela")["waiting"] == 1
    finally:
        sock.disconnect(namespace="/admin")


def test_the_live_namespace_refuses_clerks_and_strangers(app: Flask) -> None:
    for flask_client in (app.test_client(), login(app, "clerk")):
        sock = socketio.test_client(app, namespace="/admin", flask_test_client=flask_client)
        try:
            ack = sock.emit("join", {"admin": True}, namespace="/admin", callback=True)
            assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
            assert received(sock, "snapshot") == []
            assert sock.emit("join", {"board": "z1"}, namespace="/admin", callback=True)["ok"] is False
        finally:
            sock.disconnect(namespace="/admin")


def test_an_admin_token_may_join_too(app: Flask, admin_auth: dict[str, str]) -> None:
    token = admin_auth["Authorization"].split()[1]
    sock = socketio.test_client(app, namespace="/admin", auth={"token": token})
    try:
        assert sock.emit("join", {"admin": True}, namespace="/admin", callback=True) == {"ok": True}
    finally:
        sock.disconnect(namespace="/admin")
    assert not socketio.test_client(app, namespace="/admin", auth={"token": "wrong"}).is_connected("/admin")


# -- the PDF report's per-service table ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_reports_column_names_wrap_only_between_words(ctx: Context, clock: FakeClock, language: str) -> None:
    from pypdf import PdfReader

    from queue_server.i18n.catalogue import text
    from queue_server.services import statistics
    from queue_server.services.report_pdf import _service_headers, render_report
    from tests.queue_server.insight_days import play_both

    play_both(ctx, clock)
    report = statistics.build_report(ctx, date(2026, 11, 26), date(2026, 11, 27))
    pdf = PdfReader(io.BytesIO(render_report(ctx, report, language)))
    extracted = "\n".join(page.extract_text() for page in pdf.pages)
    # the header row: after the table's heading, before the first service's name in its first column
    start = extracted.index(text("report.by_service", language)) + len(text("report.by_service", language))
    first = ctx.config.text(ctx.config.service_map[next(iter(report.by_service))].name, language)
    header_lines = extracted[start : extracted.index(first, start)].split()
    words = {w for h in _service_headers(language) for w in h.split()}
    assert set(header_lines) == words  # a word cut in two would leave pieces that are no header's word
