"""Staff, devices and the audit log over the API: every documented answer, and revocations that act at once."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask

from queue_server.extensions import socketio
from queue_server.models import ApiToken
from queue_server.services.accounts import add_user, create_token
from tests.queue_server.helpers import Api, OpenApi
from tests.queue_server.pages.helpers import decode_svg_qr


def admin_api(app: Flask, openapi: OpenApi) -> Api:
    token = create_token(app.extensions["vuoro"].db, "admin", "manager")
    return Api(app.test_client(), openapi, {"Authorization": f"Bearer {token}"})


def test_every_documented_answer_of_staff_devices_and_audit(
    app: Flask, openapi: OpenApi, kiosk_auth: dict[str, str]
) -> None:
    api = admin_api(app, openapi)
    anonymous, kiosk = Api(app.test_client(), openapi, {}), Api(app.test_client(), openapi, kiosk_auth)
    for who, status in ((anonymous, 401), (kiosk, 403)):
        who.get("/api/users", expect=status)
        who.request("post", "/api/users", json={"username": "x", "role": "clerk"}, expect=status)
        who.request("patch", "/api/users/x", json={}, expect=status)
        who.request("post", "/api/users/x/password-reset", expect=status)
        who.get("/api/devices", expect=status)
        who.request("post", "/api/devices", json={"role": "kiosk", "name": "k9"}, expect=status)
        who.request("delete", "/api/devices/1", expect=status)
        who.get("/api/audit", expect=status)

    created = api.request("post", "/api/users", json={"username": "maija", "role": "clerk"}, expect=201).get_json()
    assert created["user"]["must_change_password"] is True and len(created["password"]) >= 12
    api.request("post", "/api/users", json={"username": "maija", "role": "clerk"}, expect=409)
    api.request("post", "/api/users", json={"username": "bad name", "role": "clerk"}, expect=400)
    assert [u["username"] for u in api.get("/api/users", expect=200).get_json()["users"]] == ["maija"]
    api.request("patch", "/api/users/maija", json={"role": "admin"}, expect=200)
    api.request("patch", "/api/users/maija", json={"role": "boss"}, expect=400)
    api.request("patch", "/api/users/nobody", json={"active": False}, expect=404)
    reset = api.request("post", "/api/users/maija/password-reset", expect=200).get_json()
    assert reset["password"] != created["password"]
    api.request("post", "/api/users/nobody/password-reset", expect=404)

    made = api.request("post", "/api/devices", json={"role": "kiosk", "name": "k9"}, expect=201).get_json()
    api.request("post", "/api/devices", json={"role": "printer", "name": "k9"}, expect=400)
    assert any(d["name"] == "k9" for d in api.get("/api/devices", expect=200).get_json()["devices"])
    api.request("delete", f"/api/devices/{made['device']['id']}", expect=200)
    api.request("delete", f"/api/devices/{made['device']['id']}", expect=409)  # revoked already
    api.request("delete", "/api/devices/999999", expect=404)
    api.request("delete", "/api/devices/abc", expect=404)

    entries = api.get("/api/audit", expect=200).get_json()["entries"]
    assert [e["action"] for e in entries][:2] == ["device.revoke", "device.create"]
    assert {"user.create", "user.update", "user.password_reset"} <= {e["action"] for e in entries}
    text = json.dumps(entries)
    assert created["password"] not in text and reset["password"] not in text and made["token"] not in text
    api.get("/api/audit?from=yesterday", expect=400)
    assert [e["action"] for e in api.get("/api/audit?action=user.", expect=200).get_json()["entries"]] == [
        "user.password_reset",
        "user.update",
        "user.create",
    ]
    csv = api.client.get("/api/audit?format=csv", headers=api.headers)
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and "device.revoke" in csv.get_data(as_text=True)


def test_a_disabled_clerk_is_refused_at_once_and_their_desk_socket_closes(app: Flask, openapi: OpenApi) -> None:
    ctx = app.extensions["vuoro"]
    add_user(ctx.db, "clerk7", "clerk-password-7", "clerk")
    clerk = app.test_client()
    assert clerk.post("/api/session", json={"username": "clerk7", "password": "clerk-password-7"}).status_code == 200
    desk = socketio.test_client(app, flask_test_client=clerk)
    assert desk.emit("join", {"desk": "d1"}, callback=True) == {"ok": True}
    api = admin_api(app, openapi)
    api.request("patch", "/api/users/clerk7", json={"active": False}, expect=200)
    assert clerk.get("/api/session").status_code == 401, "the session no longer loads a user"
    assert not desk.is_connected(), "the desk socket was closed"
    api.request("patch", "/api/users/clerk7", json={"active": True}, expect=200)
    assert clerk.post("/api/session", json={"username": "clerk7", "password": "clerk-password-7"}).status_code == 200


def test_a_revoked_device_is_refused_at_once_and_its_socket_closes(app: Flask, openapi: OpenApi) -> None:
    api = admin_api(app, openapi)
    made = api.request("post", "/api/devices", json={"role": "kiosk", "name": "k1"}, expect=201).get_json()
    kiosk = {"Authorization": f"Bearer {made['token']}"}
    client = app.test_client()
    assert client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 201
    sock = socketio.test_client(app, auth={"token": made["token"]})
    assert sock.emit("join", {"kiosk": "k1"}, callback=True) == {"ok": True}
    api.request("delete", f"/api/devices/{made['device']['id']}", expect=200)
    assert client.post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 401
    assert not sock.is_connected()
    assert not socketio.test_client(app, auth={"token": made["token"]}).is_connected()


def test_a_kiosk_enrols_by_pairing_code(app: Flask, openapi: OpenApi) -> None:
    """The unenrolled kiosk asks for a code and is given a token worth nothing yet; an admin enters the code and
    names the kiosk; the token then works (for that kiosk only), and the code is spent."""
    device = Api(app.test_client(), openapi, {})
    started = device.request("post", "/api/devices/pair/start", json={"role": "kiosk"}, expect=201).get_json()
    code, token = started["code"], started["token"]
    assert len(code) == 6 and not set(code) & set("0O1IL5S2Z8B")
    kiosk = {"Authorization": f"Bearer {token}"}
    assert app.test_client().post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 401
    assert device.get(f"/api/devices/pair/{code}", expect=200).get_json() == {"status": "pending"}
    qr = app.test_client().get(f"/pair/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert decode_svg_qr(qr.get_data()).endswith(f"/admin/devices?code={code}")
    device.request("post", "/api/devices/pair/start", json={"role": "admin"}, expect=400)  # no admin by pairing

    api = admin_api(app, openapi)
    api.request("post", "/api/devices/pair", json={"code": "XXXXXX", "name": "k1"}, expect=404)
    Api(app.test_client(), openapi, {}).request(
        "post", "/api/devices/pair", json={"code": code, "name": "k1"}, expect=401
    )
    paired = api.request("post", "/api/devices/pair", json={"code": code.lower(), "name": "k1"}, expect=201)
    assert paired.get_json()["device"]["name"] == "k1" and paired.get_json()["device"]["role"] == "kiosk"
    assert device.get(f"/api/devices/pair/{code}", expect=200).get_json() == {"status": "paired"}
    assert app.test_client().get(f"/pair/{code}/qr.svg").status_code == 404, "a used code has no QR code"
    api.request("post", "/api/devices/pair", json={"code": code, "name": "k1"}, expect=404)  # spent
    issued = app.test_client().post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    assert issued.status_code == 201
    assert (
        app.test_client().post("/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers=kiosk).status_code
        == 403
    ), "named k1: it speaks for k1 only"
    assert device.get("/api/devices/pair/NOSUCH", expect=200).get_json() == {"status": "expired"}
    entries = api.get("/api/audit?action=device.pair", expect=200).get_json()["entries"]
    assert len(entries) == 1 and token not in json.dumps(entries)


def test_an_account_opens_only_the_desks_it_is_given(app: Flask, openapi: OpenApi) -> None:
    """Only mental-health staff open mental-health rooms: a clerk given room h1 may act there and nowhere else."""
    ctx = app.extensions["vuoro"]
    add_user(ctx.db, "mh-clerk", "clerk-password-8", "clerk")
    api = admin_api(app, openapi)
    api.request("patch", "/api/users/mh-clerk", json={"desks": ["nowhere"]}, expect=400)
    user = api.request("patch", "/api/users/mh-clerk", json={"desks": ["h1"]}, expect=200).get_json()
    assert user["desks"] == ["h1"]
    clerk = app.test_client()
    assert clerk.post("/api/session", json={"username": "mh-clerk", "password": "clerk-password-8"}).status_code == 200
    refused = clerk.post("/api/desks/d1/next")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_your_desk"
    assert clerk.post("/api/desks/h1/next").status_code in (200, 204)
    sock = socketio.test_client(app, flask_test_client=clerk)
    assert sock.emit("join", {"desk": "d1"}, callback=True)["error"]["code"] == "not_your_desk"
    assert sock.emit("join", {"desk": "h1"}, callback=True) == {"ok": True}
    sock.disconnect()
    # a role change or new desks close the account's sockets; null gives it every desk again
    api.request("patch", "/api/users/mh-clerk", json={"desks": None}, expect=200)
    assert clerk.post("/api/desks/d1/next").status_code in (200, 204)
    assert [
        e["after"]["desks"] for e in api.get("/api/audit?action=user.update", expect=200).get_json()["entries"]
    ] == [None, ["h1"]]


def test_the_devices_list_says_when_each_device_was_last_seen(app: Flask, openapi: OpenApi) -> None:
    """A device's token use is noted at most once a minute: no write per request, yet "last seen" stays fresh."""
    api = admin_api(app, openapi)
    made = api.request("post", "/api/devices", json={"role": "kiosk", "name": "k1"}, expect=201).get_json()
    listed = {d["id"]: d for d in api.get("/api/devices", expect=200).get_json()["devices"]}
    assert listed[made["device"]["id"]]["last_seen_at"] is None, "a device that never called is not seen"

    kiosk = {"Authorization": f"Bearer {made['token']}"}
    assert app.test_client().post("/api/tickets", json={"services": ["kela"]}, headers=kiosk).status_code == 201
    seen = {d["id"]: d for d in api.get("/api/devices", expect=200).get_json()["devices"]}
    first = seen[made["device"]["id"]]["last_seen_at"]
    assert first is not None

    app.test_client().post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    again = {d["id"]: d for d in api.get("/api/devices", expect=200).get_json()["devices"]}
    assert again[made["device"]["id"]]["last_seen_at"] == first, "within the minute: not written again"

    db = app.extensions["vuoro"].db
    with db.writer() as session:  # a minute and more later
        row = session.get(ApiToken, made["device"]["id"])
        assert row is not None and row.last_seen_at is not None
        row.last_seen_at -= timedelta(minutes=2)
    app.test_client().post("/api/tickets", json={"services": ["kela"]}, headers=kiosk)
    later = {d["id"]: d for d in api.get("/api/devices", expect=200).get_json()["devices"]}
    assert later[made["device"]["id"]]["last_seen_at"] > first
