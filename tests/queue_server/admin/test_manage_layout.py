"""The desks, zones and kiosks pages: plain forms over the same use cases as the API, by role."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient

from queue_server.services import staff
from queue_server.services.accounts import add_user
from queue_server.services.context import Context
from queue_server.services.desks import set_status


def log_in(app: Flask, ctx: Context, role: str) -> FlaskClient:
    name, password = f"{role}1", f"{role}-password-1"
    add_user(ctx.db, name, password, role)
    client = app.test_client()
    assert client.post("/api/session", json={"username": name, "password": password}).status_code == 200
    return client


def section(html: str, attribute: str, key: str) -> str:
    """The HTML of one desk's, zone's or kiosk's section."""
    start = html.index(f'<section class="layout-item" id="{attribute}-{key}"')
    return html[start : html.index("</section>", start)]


def desk_form(**fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "label-fi": "Tiski 1",
        "label-sv": "Disk 1",
        "label-en": "Desk 1",
        "location-fi": "2. kerros",
        "zone": "z2",
        "services": ["kela"],
    }
    form.update(fields)
    return form


def test_every_page_is_in_the_navigation_in_order_and_a_supervisor_sees_only_the_days_part(
    app: Flask, ctx: Context
) -> None:
    admin = log_in(app, ctx, "admin")
    html = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    nav = re.findall(r'<a href="/admin/(\w+)"', html[html.index('class="manage-nav"') : html.index("<main")])
    assert nav == ["services", "desks", "zones", "kiosks", "staff", "devices", "audit"]
    supervisor = log_in(app, ctx, "supervisor")
    html = supervisor.get("/admin/desks?lang=en").get_data(as_text=True)
    nav = re.findall(r'<a href="/admin/(\w+)"', html[html.index('class="manage-nav"') : html.index("<main")])
    assert nav == ["services", "desks"]
    assert 'action="/admin/desks/d1"' in html, "a supervisor changes a desk for the day"
    assert "/retire" not in html and 'id="add-desk"' not in html and 'id="accounts"' not in html
    for path in ("/admin/zones", "/admin/kiosks"):
        assert supervisor.get(path).status_code == 403
    assert supervisor.post("/admin/desks", data=desk_form(key="d9")).status_code == 403
    assert supervisor.post("/admin/desks/d1/retire", data={"confirm": "1"}).status_code == 403
    clerk = log_in(app, ctx, "clerk")
    for path in ("/admin/desks", "/admin/zones", "/admin/kiosks"):
        assert clerk.get(path).status_code == 403
        assert app.test_client().get(path).headers["Location"].startswith("/login?next=")


def test_the_desks_page_shows_each_desk_and_who_may_open_it(app: Flask, ctx: Context) -> None:
    admin = log_in(app, ctx, "admin")
    html = admin.get("/admin/desks?lang=en").get_data(as_text=True)
    row = html[html.index('<tr data-desk="d1">') :]
    row = row[: row.index("</tr>")]
    assert "Desk 1" in row and "2nd floor" in row and "Kela" in row and "every account" in row
    form = section(html, "desk", "d1")
    assert 'id="desk-d1-label-sv" name="label-sv" type="text" lang="sv" maxlength="80" value="Disk 1"' in form
    assert 'value="kela" checked' in form and 'value="library">' in form
    assert 'name="confirm" value="1" required' in form

    add_user(ctx.db, "mh", "mh-password-1", "clerk")
    assert admin.post("/admin/accounts/mh/desks", data={"desks": ["h1"]}).status_code == 303
    assert staff.list_users(ctx)[[u["username"] for u in staff.list_users(ctx)].index("mh")]["desks"] == ["h1"]
    html = admin.get("/admin/desks?lang=en").get_data(as_text=True)
    h1 = html[html.index('<tr data-desk="h1">') :]
    assert "mh; every account not limited to some desks" in h1[: h1.index("</tr>")]
    d1 = html[html.index('<tr data-desk="d1">') :]
    assert "mh" not in d1[: d1.index("</tr>")]
    assert admin.post("/admin/accounts/mh/desks", data={}).status_code == 303  # none ticked: any desk
    assert {u["username"]: u["desks"] for u in staff.list_users(ctx)}["mh"] is None
    assert admin.post("/admin/accounts/nobody/desks", data={"desks": ["d1"]}).status_code == 404


def test_a_manager_changes_adds_and_retires_desks(app: Flask, ctx: Context) -> None:
    admin = log_in(app, ctx, "admin")
    resp = admin.post("/admin/desks/d1", data=desk_form(**{"label-fi": "Tiski 1A", "services": ["kela", "library"]}))
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin/desks?saved=1"
    d1 = ctx.config.desk_map["d1"]
    assert d1.label == {"fi": "Tiski 1A", "sv": "Disk 1", "en": "Desk 1"} and d1.services == ["kela", "library"]
    assert d1.location == {"fi": "2. kerros"}

    refused = admin.post("/admin/desks/d1?lang=en", data=desk_form(services=[]))
    assert refused.status_code == 400 and "Tick at least one service." in refused.get_data(as_text=True)
    assert admin.post("/admin/desks/d1", data=desk_form(**{"label-fi": ""})).status_code == 400  # no Finnish
    assert admin.post("/admin/desks/d9", data=desk_form()).status_code == 404
    assert ctx.config.desk_map["d1"].label["fi"] == "Tiski 1A", "a refused change changed nothing"

    added = admin.post("/admin/desks", data=desk_form(key="d7", **{"label-fi": "Tiski 7", "zone": "z1"}))
    assert added.status_code == 303 and ctx.config.desk_map["d7"].zone == "z1"
    assert admin.post("/admin/desks", data=desk_form(key="d7")).status_code == 409

    no_confirm = admin.post("/admin/desks/d7/retire?lang=fi", data={})
    assert no_confirm.status_code == 400 and "Vahvista poisto" in no_confirm.get_data(as_text=True)
    set_status(ctx, "d7", "open", actor="test")
    busy = admin.post("/admin/desks/d7/retire?lang=en", data={"confirm": "1"})
    assert busy.status_code == 409 and "close it at the desk first" in busy.get_data(as_text=True)
    set_status(ctx, "d7", "closed", actor="test")
    assert admin.post("/admin/desks/d7/retire", data={"confirm": "1"}).status_code == 303
    assert "d7" not in ctx.config.desk_map


def test_a_manager_sets_a_zones_sound_and_message_line(app: Flask, ctx: Context) -> None:
    admin = log_in(app, ctx, "admin")
    html = admin.get("/admin/zones?lang=sv").get_data(as_text=True)
    z2 = section(html, "zone", "z2")
    assert 'href="/board/z2"' in z2 and "Meddelanderad på finska" in z2 and 'maxlength="200"' in z2
    form = {
        "name-fi": "2. kerros",
        "name-sv": "2 våningen",
        "name-en": "2nd floor",
        "language": "sv",
        "chime": "1",
        "volume": "0.3",
        "message-fi": "Kela suljetaan tänään klo 16",
        "message-sv": " ",
    }
    assert admin.post("/admin/zones/z2", data=form).status_code == 303
    zone = ctx.config.zone_map["z2"]
    assert (zone.language, zone.chime, zone.speech, zone.volume) == ("sv", True, False, 0.3)
    assert zone.message == {"fi": "Kela suljetaan tänään klo 16"}
    html = admin.get("/admin/zones").get_data(as_text=True)
    assert 'value="Kela suljetaan tänään klo 16"' in section(html, "zone", "z2")

    for volume in ("1.5", "loud", "nan"):
        refused = admin.post("/admin/zones/z2?lang=en", data={**form, "volume": volume})
        assert refused.status_code == 400 and "from 0 to 1" in refused.get_data(as_text=True)
    assert admin.post("/admin/zones/z2", data={**form, "message-fi": "x" * 201}).status_code == 400
    assert admin.post("/admin/zones/z9", data=form).status_code == 404
    assert admin.post("/admin/zones/z2", data={**form, "message-fi": "", "language": ""}).status_code == 303
    assert ctx.config.zone_map["z2"].message is None and ctx.config.zone_map["z2"].language is None


def test_a_manager_limits_a_kiosk_and_tests_a_printer(app: Flask, ctx: Context) -> None:
    admin = log_in(app, ctx, "admin")
    html = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    printers = html[html.index('<tr data-printer="fake">') :]
    printers = printers[: printers.index("</tr>")]
    assert "unknown" in printers and "k1" in printers and "not yet" in printers
    assert 'aria-label="Print a test ticket on fake"' in printers
    k1 = section(html, "kiosk", "k1")
    assert '<option value="fake" selected>' in k1 and 'name="services" value="kela">' in k1

    resp = admin.post("/admin/kiosks/k1", data={"zone": "z1", "printer": "fake", "services": ["library"]})
    assert resp.status_code == 303
    assert ctx.config.kiosk_map["k1"].services == ["library"] and ctx.config.kiosk_map["k1"].language is None
    assert 'data-services="library"' in app.test_client().get("/kiosk/k1").get_data(as_text=True)
    assert admin.post("/admin/kiosks/k1", data={"zone": "z9"}).status_code == 400
    assert admin.post("/admin/kiosks/k9", data={"zone": "z1"}).status_code == 404
    assert admin.post("/admin/kiosks/k1", data={"zone": "z1", "language": "en"}).status_code == 303
    assert ctx.config.kiosk_map["k1"].services is None and ctx.config.kiosk_map["k1"].printer is None

    tested = admin.post("/admin/printers/fake/test")
    assert tested.status_code == 303 and tested.headers["Location"] == "/admin/kiosks?tested=fake"
    printing = app.extensions["vuoro_printers"]
    deadline = time.monotonic() + 5
    while printing.status_list()[0]["last_test"] is None and time.monotonic() < deadline:
        time.sleep(0.02)
    html = admin.get("/admin/kiosks?tested=fake&lang=en").get_data(as_text=True)
    assert 'id="test-sent"' in html and "A test ticket was sent to fake" in html
    last = html[html.index('<tr data-printer="fake">') :]
    assert "succeeded at " in last[: last.index("</tr>")]
    assert admin.post("/admin/printers/nothing/test").status_code == 404
