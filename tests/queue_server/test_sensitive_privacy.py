"""A sensitive errand stays private end to end: the printed ticket (ESC/POS bytes and PDF text), the board's
calls (what it shows and speaks), the kiosk's and the phone's ticket hold nothing that belongs to the sensitive
service alone -- and the config validator refuses a centre where something would (docs/security.md)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from queue_server.app import create_app, shutdown
from queue_server.config import ConfigError, build_config
from queue_server.extensions import socketio
from queue_server.services import centre_config
from queue_server.services.accounts import create_token
from queue_server.services.context import Context
from tests.conftest import BASE_CONFIG, ROOT, FakeClock
from tests.printer.printer_fakes import FakeEscposPrinter
from tests.queue_server.helpers import Api, OpenApi, assert_error

GS_CUT = b"\x1dV"
PUBLIC_NAME = {"fi": "Terveyspalvelut", "sv": "Hälsotjänster", "en": "Health services"}
FLOOR = {"fi": "3. kerros", "sv": "3 våningen", "en": "3rd floor"}
ROOM_320 = {"fi": "Huone 320", "sv": "Rum 320", "en": "Room 320"}
MENTAL_NAMES = {"fi": "Mielenterveyspalvelut", "sv": "Mentalvård", "en": "Mental health services"}
MENTAL_PLACE = {"fi": "Mielenterveyden odotustila C", "sv": "Mentalvårdens väntrum C", "en": "Mental health room C"}
#: everything that belongs to the sensitive service alone: its names and its own waiting room, in every language
MENTAL_TEXTS = (*MENTAL_NAMES.values(), *MENTAL_PLACE.values())


def private_centre(data: dict[str, Any]) -> dict[str, Any]:
    """BASE_CONFIG with a mental-health service that waits in a room of its own, as a strict test needs: its
    tickets say what the health centre's say, and its nurse's room 320 is the GP nurse's in the mornings."""
    health, mental = data["services"][2], data["services"][3]
    assert (health["key"], mental["key"]) == ("health", "mental")
    health.update(
        location={"fi": "3. kerros, odotustila A", "sv": "3 våningen, väntrum A", "en": "3rd floor, A"},
        public_name=PUBLIC_NAME,
        public_location=FLOOR,
    )
    mental.update(name=MENTAL_NAMES, location=MENTAL_PLACE, public_name=PUBLIC_NAME, public_location=FLOOR)
    data["zones"].append({"key": "z3", "name": FLOOR, "speech": True})
    data["desks"] = [d for d in data["desks"] if d["key"] != "h1"] + [
        {
            "key": "r301",
            "label": {"fi": "Huone 301", "sv": "Rum 301", "en": "Room 301"},
            "location": FLOOR,
            "services": ["health"],
            "zone": "z3",
        },
        {"key": "r320a", "label": ROOM_320, "location": FLOOR, "services": ["health"], "zone": "z3"},
        {"key": "r320b", "label": ROOM_320, "location": FLOOR, "services": ["mental"], "zone": "z3"},
    ]
    return data


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        build_config(data, environ={})
    return str(info.value)


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE_CONFIG)


# -- the validator -------------------------------------------------------------------------------------------


def test_the_shipped_centre_and_the_test_centres_pass() -> None:
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    cfg = build_config(shipped, environ={})
    mental = cfg.service_map["mental"]
    assert mental.ticket_name == cfg.service_map["health"].ticket_name != mental.name
    assert all("health" in d.services for d in cfg.desks if "mental" in d.services)
    build_config(base(), environ={})
    build_config(private_centre(base()), environ={})


def test_a_sensitive_prefix_of_its_own_is_refused() -> None:
    data = base()
    data["services"][3]["prefix"] = "M"
    assert (
        "services.3.prefix: a sensitive service needs a prefix it shares with a service that is not sensitive"
        in refused(data)
    )
    data["services"].append({**data["services"][3], "key": "addiction"})  # another sensitive one is no cover
    data["desks"].append({"key": "m1", "label": "M", "services": ["kela"], "zone": "z1"})
    assert "services.3.prefix:" in refused(data)


def test_a_sensitive_public_name_of_its_own_is_refused_and_a_partner_suggested() -> None:
    data = base()
    del data["services"][3]["public_name"]
    message = refused(data)
    assert (
        "services.3.public_name: a sensitive service needs a public name it shares with a service that is not "
        "sensitive and has its prefix 'H'" in message
    )
    assert "'Mielenterveyspalvelut' is its own (give it and, e.g., 'health' the same public_name)" in message
    data["services"][3]["public_name"] = {"fi": "Kela", "sv": "FPA", "en": "Kela"}  # kela's, but kela is K
    assert "services.3.public_name:" in refused(data)
    data["services"][3]["public_name"] = {"fi": "Terveysasema", "sv": "Mentalvård", "en": "Health centre"}
    assert "services.3.public_name:" in refused(data), "one language of its own is enough to tell"
    data["services"][3]["public_name"] = {"sv": "Hälsostation"}
    assert "services.3.public_name: needs a text in the default language 'fi'" in refused(data)


def test_a_sensitive_public_location_of_its_own_is_refused() -> None:
    data = private_centre(base())
    del data["services"][3]["public_location"]  # its own waiting room C would be printed
    message = refused(data)
    assert "services.3.public_location: a sensitive service needs a public location it shares" in message
    assert "'Mielenterveyden odotustila C' is its own" in message


def test_a_desk_whose_label_only_the_sensitive_service_is_called_to_is_refused() -> None:
    data = private_centre(base())
    data["desks"] = [d for d in data["desks"] if d["key"] != "r320a"]
    i = len(data["desks"]) - 1
    message = refused(data)
    assert (
        f"desks.{i}.label: desk 'r320b' serves the sensitive service 'mental', but its board calls no number "
        "of a service that is not sensitive with the prefix 'H' to 'Huone 320, 3. kerros'" in message
    )
    for elsewhere in ({"zone": "z1"}, {"location": {"fi": "4. kerros"}}, {"services": ["kela"]}):
        other = private_centre(base())
        next(d for d in other["desks"] if d["key"] == "r320a").update(elsewhere)
        assert f"desks.{i + 1}.label:" in refused(other), elsewhere
    serving_both = copy.deepcopy(data)
    serving_both["desks"][i]["services"] = ["mental", "health"]
    build_config(serving_both, environ={})


def test_public_name_and_location_survive_export_and_import(tmp_path: Path) -> None:
    data = private_centre(base())
    data["database_url"] = f"sqlite:///{tmp_path / 'v.db'}"
    cfg = build_config(data, environ={})
    document = centre_config.document_of(cfg)
    mental = next(s for s in document["services"] if s["key"] == "mental")
    assert (mental["public_name"], mental["public_location"]) == (PUBLIC_NAME, FLOOR)
    again = centre_config.with_document(cfg, yaml.safe_load(centre_config.to_yaml(document)))
    assert again.model_dump() == cfg.model_dump()


# -- the centre running ------------------------------------------------------------------------------------


@pytest.fixture
def pos_printer() -> Iterator[FakeEscposPrinter]:
    server = FakeEscposPrinter("ok")
    yield server
    server.close()


@pytest.fixture
def config_data(config_data: dict[str, Any], pos_printer: FakeEscposPrinter, tmp_path: Path) -> dict[str, Any]:
    private_centre(config_data)
    config_data["printers"] = [
        {
            "key": "p1",
            "type": "escpos",
            "connection": "network",
            "host": "127.0.0.1",
            "port": pos_printer.port,
            "timeout_s": 1.0,
            "retries": 1,
        },
        {"key": "p2", "type": "pdf", "folder": str(tmp_path / "tickets")},
    ]
    config_data["kiosks"] = [{"key": "k1", "zone": "z1", "printer": "p1"}, {"key": "k2", "zone": "z3", "printer": "p2"}]
    return config_data


@pytest.fixture
def app(config_data: dict[str, Any], clock: FakeClock) -> Iterator[Flask]:
    """The real Socket.IO fan-out (as in tests/queue_server/realtime), so that boards receive what they would."""
    application = create_app(config_data, clock=clock)
    application.config["TESTING"] = True
    application.extensions["vuoro"].clock = clock
    yield application
    shutdown(application)


@pytest.fixture
def sockets(app: Flask) -> Iterator[list[SocketIOTestClient]]:
    opened: list[SocketIOTestClient] = []
    yield opened
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


def connect(app: Flask, sockets: list[SocketIOTestClient], join: dict[str, str]) -> SocketIOTestClient:
    sock = socketio.test_client(app)
    sockets.append(sock)
    assert sock.emit("join", join, callback=True) == {"ok": True}
    return sock


def received(app: Flask, sock: SocketIOTestClient) -> list[tuple[str, Any]]:
    app.extensions["vuoro"].notifier.flush(force=True)
    return [(pkt["name"], pkt["args"][0]) for pkt in sock.get_received()]


def issue(client: FlaskClient, ctx: Context, kiosk: str, language: str) -> dict[str, Any]:
    token = create_token(ctx.db, "kiosk", kiosk)
    resp = client.post(
        "/api/tickets",
        headers={"Authorization": f"Bearer {token}"},
        json={"services": ["mental"], "language": language, "kiosk": kiosk},
    )
    assert resp.status_code == 201, resp.json
    ticket: dict[str, Any] = resp.get_json()["ticket"]
    return ticket


def leaks(text: str) -> list[str]:
    return [t for t in MENTAL_TEXTS if t in text]


def waited_for(found: Any, what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"no {what} within {timeout} s")


def test_the_printed_ticket_reads_like_a_health_centre_ticket(
    client: FlaskClient, ctx: Context, pos_printer: FakeEscposPrinter, tmp_path: Path
) -> None:
    pos = issue(client, ctx, "k1", "fi")
    job = waited_for(lambda: next((bytes(c) for c in pos_printer.connections if GS_CUT in c), None), "ESC/POS job")
    printed = job.decode("cp858", errors="replace")
    assert pos["number"] in printed and "Terveyspalvelut" in printed and "3. kerros" in printed, printed
    assert leaks(printed) == [], printed

    pdf = issue(client, ctx, "k2", "sv")
    path = waited_for(lambda: next((tmp_path / "tickets").glob(f"*_{pdf['number']}.pdf"), None), "PDF ticket")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert pdf["number"] in text and "Hälsotjänster" in text and "3 våningen" in text, text
    assert leaks(text) == [], text
    assert "mental" not in path.name


def test_the_board_calls_and_speaks_only_what_health_centre_calls_also_say(
    app: Flask, client: FlaskClient, ctx: Context, sockets: list[SocketIOTestClient], desk_auth: dict[str, str]
) -> None:
    board = connect(app, sockets, {"board": "z3"})
    ticket = issue(client, ctx, "k2", "fi")
    assert client.post("/api/desks/r320b/next", headers=desk_auth).status_code == 200
    assert client.post("/api/desks/r320b/recall", headers=desk_auth).status_code == 200
    late = connect(app, sockets, {"board": "z3"})  # joins after the calls: they come in its snapshot

    everything = received(app, board) + received(app, late)
    calls = [p for e, p in everything[:-1] if e == "called"]
    [snapshot] = [p for e, p in everything if e == "snapshot" and p["calls"]]
    assert [c["number"] for c in calls] == [ticket["number"]] * 2 and snapshot["calls"]
    # the board shows and speaks "number, desk label" (board.speech) and shows the desk's location: each of
    # them is what the zone's board also says when it calls a health-centre number to room 320
    health_desk = ctx.config.desk_map["r320a"]
    for call in (*calls, *snapshot["calls"]):
        assert call["desk_labels"] == health_desk.label == ROOM_320 and call["desk_label"] == ROOM_320["fi"]
        assert call["location"] == health_desk.location
    assert snapshot["services"] == ["health"]
    seen = json.dumps(everything, ensure_ascii=False)
    assert leaks(seen) == [] and "mental" not in seen, seen


def test_the_phone_and_the_kiosk_screen_show_only_the_public_name_and_place(
    app: Flask,
    client: FlaskClient,
    ctx: Context,
    sockets: list[SocketIOTestClient],
    desk_auth: dict[str, str],
    openapi: OpenApi,
) -> None:
    ticket = issue(client, ctx, "k2", "en")
    assert (ticket["service_name"], ticket["location"]) == ("Health services", "3rd floor")  # the kiosk screen
    phone = connect(app, sockets, {"ticket": ticket["token"]})
    api = Api(client, openapi)
    waiting = api.get(f"/api/tickets/{ticket['token']}", expect=200).get_json()["ticket"]
    page = client.get(f"/t/{ticket['token']}").get_data(as_text=True)
    assert client.post("/api/desks/r320b/next", headers=desk_auth).status_code == 200
    called = api.get(f"/api/tickets/{ticket['token']}", expect=200).get_json()["ticket"]
    assert called["status"] == "called" and called["desk"] == {
        "key": "r320b",
        "label": "Room 320",
        "location": "3rd floor",
    }
    pushed = [p["ticket"] for e, p in received(app, phone) if e == "ticket"]
    assert pushed and pushed[-1]["status"] == "called"
    for view in (ticket, waiting, called, *pushed):
        assert (view["service_name"], view["location"]) == ("Health services", "3rd floor")
        # the key is the page's handle on its own queue (never shown); every text is the public one
        shown = json.dumps({k: v for k, v in view.items() if k != "service"}, ensure_ascii=False)
        assert leaks(shown) == [] and "mental" not in shown, shown
    assert leaks(page) == [] and "mental" not in page, "the page, its title included, names nothing of its own"
    # where the kiosk's ticket screen and the phone read "wait at": the public place, not room C
    listed = {s["key"]: s for s in api.get("/api/services?language=en", expect=200).get_json()["services"]}
    assert listed["mental"]["location"] == "3rd floor" and listed["health"]["location"] == "3rd floor"


def test_an_admin_gives_a_public_name_through_the_api_and_a_private_one_is_refused(
    client: FlaskClient, ctx: Context, admin_auth: dict[str, str], openapi: OpenApi
) -> None:
    api = Api(client, openapi, headers=admin_auth)
    version = api.get("/api/config", expect=200).get_json()["version"]
    for key, change, field in (
        (
            "mental",
            {"public_name": {"fi": "Mielenterveys", "sv": "Mentalvård", "en": "Mental health"}},
            "services.3.public_name",
        ),
        ("mental", {"public_name": None}, "services.3.public_name"),  # back to its own name
        ("health", {"public_name": None}, "services.3.public_name"),  # mental's would be its own then
        ("mental", {"public_location": None}, "services.3.public_location"),  # its own room C
        ("mental", {"prefix": "M"}, "services.3.prefix"),
    ):
        error = assert_error(api.request("patch", f"/api/services/{key}", json=change), 400)
        assert error["message"].startswith(f"{field}: a sensitive service needs"), (change, error)
    assert api.get("/api/config", expect=200).get_json()["version"] == version, "a refused change stores nothing"
    created = {
        "key": "addiction",
        "prefix": "H",
        "sensitive": True,
        "public_name": PUBLIC_NAME,
        "public_location": FLOOR,
        "name": {"fi": "Päihdepalvelut", "sv": "Missbrukarvård", "en": "Addiction"},
    }
    api.post("/api/services", json=created, expect=201)
    assert ctx.config.service_map["addiction"].ticket_name == PUBLIC_NAME
    listed = api.get("/api/config", expect=200).get_json()["config"]["services"]
    assert {s["key"]: s.get("public_name") for s in listed}["addiction"] == PUBLIC_NAME


def test_a_later_sensitive_errand_is_listed_by_its_public_name(client: FlaskClient, ctx: Context) -> None:
    """A visit of two errands: the phone and the kiosk list the later one from the ticket's own
    ``pending_names``, never from the services' real names."""
    token = create_token(ctx.db, "kiosk", "k1")
    resp = client.post(
        "/api/tickets",
        headers={"Authorization": f"Bearer {token}"},
        json={"services": ["kela", "mental"], "language": "fi", "kiosk": "k1"},
    )
    assert resp.status_code == 201, resp.json
    ticket = resp.get_json()["ticket"]
    assert ticket["pending_services"] == ["mental"] and ticket["pending_names"] == [PUBLIC_NAME["fi"]]
    shown = client.get(f"/api/tickets/{ticket['token']}").get_json()["ticket"]
    assert shown["pending_names"] == [PUBLIC_NAME["fi"]] and leaks(json.dumps(shown, ensure_ascii=False)) == []
