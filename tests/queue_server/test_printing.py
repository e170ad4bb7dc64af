"""Kiosk printing through the server: the ticket never waits for the printer and is never lost by it.

A fake ESC/POS printer on 127.0.0.1 (tests/printer/printer_fakes.py) speaks the status protocol; the kiosk
follows the result on Socket.IO (``printed`` / ``failed``) as the real kiosk page does.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from queue_server.extensions import socketio
from queue_server.services import centre_config
from queue_server.services.accounts import create_token
from queue_server.services.context import Context
from tests.printer.printer_fakes import FakeEscposPrinter

GS_QR = b"\x1d(k"
GS_CUT = b"\x1dV"


@pytest.fixture(params=["ok"])
def printer_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake_printer(printer_mode: str) -> Iterator[FakeEscposPrinter]:
    server = FakeEscposPrinter(printer_mode)
    yield server
    server.close()


@pytest.fixture(params=[True])
def status_query(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def config_data(config_data: dict[str, Any], fake_printer: FakeEscposPrinter, status_query: bool) -> dict[str, Any]:
    config_data["printers"] = [
        {
            "key": "p1",
            "type": "escpos",
            "connection": "network",
            "host": "127.0.0.1",
            "port": fake_printer.port,
            "timeout_s": 1.0,
            "retries": 1,
            "status_query": status_query,
        }
    ]
    config_data["kiosks"] = [{"key": "k1", "zone": "z1", "printer": "p1"}, {"key": "k2", "zone": "z2"}]
    kela = config_data["services"][0]
    kela["name"]["fi"] = "Kela – Kansaneläkelaitos"
    kela["location"]["fi"] = "Odotustila Ä/Ö/Å"
    return config_data


@pytest.fixture
def kiosk_token(ctx: Context) -> str:
    return create_token(ctx.db, "kiosk", "k1")


@pytest.fixture
def kiosk_socket(app: Flask, kiosk_token: str) -> Iterator[SocketIOTestClient]:
    sock = socketio.test_client(app, auth={"token": kiosk_token})
    assert sock.emit("join", {"kiosk": "k1"}, callback=True) == {"ok": True}
    sock.get_received()
    yield sock
    sock.disconnect()


def wait_for_result(sock: SocketIOTestClient, timeout: float = 10.0) -> tuple[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for msg in sock.get_received():
            if msg["name"] in ("printed", "failed"):
                return msg["name"], msg["args"][0]
        time.sleep(0.02)
    raise AssertionError("the kiosk was told nothing about printing")


def issue(client: FlaskClient, token: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    resp = client.post(
        "/api/tickets",
        json={"services": ["kela"], "language": "fi", "kiosk": "k1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - started
    assert resp.status_code == 201, resp.json
    return elapsed, resp.json["ticket"]


def test_an_issued_ticket_reaches_the_printer_with_number_qr_finnish_letters_and_cut(
    client: FlaskClient, kiosk_token: str, kiosk_socket: SocketIOTestClient, fake_printer: FakeEscposPrinter
) -> None:
    _, ticket = issue(client, kiosk_token)
    event, payload = wait_for_result(kiosk_socket)
    assert (event, payload["number"], payload["ok"]) == ("printed", ticket["number"], True)
    assert payload["delivery"] == "printed", "the printer answered its status query before the job"
    job = next(bytes(c) for c in fake_printer.connections if GS_CUT in c)
    assert ticket["number"].encode() in job
    qr_at = job.index(GS_QR)
    assert ticket["track_url"].encode("ascii") in job[qr_at:]
    assert b"\x1bt\x13" in job  # code page PC858 selected ...
    assert b"Kansanel\x84kelaitos" in job and b"\x8e/\x99/\x8f" in job  # ... and ä, Ä/Ö/Å in it, not UTF-8
    assert "ä".encode() not in job
    assert job.rindex(GS_CUT) > qr_at


@pytest.mark.parametrize("status_query", [False], indirect=True)
def test_a_printer_that_never_reads_is_reported_sent_not_printed(
    client: FlaskClient, kiosk_token: str, kiosk_socket: SocketIOTestClient, fake_printer: FakeEscposPrinter
) -> None:
    """status_query: false on a link that accepts and never answers: nobody knows whether paper came out."""
    _, ticket = issue(client, kiosk_token)
    event, payload = wait_for_result(kiosk_socket)
    assert (event, payload["number"], payload["ok"], payload["delivery"]) == ("printed", ticket["number"], True, "sent")
    assert any(ticket["number"].encode() in bytes(c) for c in fake_printer.connections), "the bytes went out"


@pytest.mark.parametrize(
    "printer_mode,code",
    [("refuse", "offline"), ("silent", "offline"), ("paper_out", "paper_out")],
    indirect=["printer_mode"],
)
def test_a_broken_printer_never_delays_or_loses_the_ticket(
    client: FlaskClient, kiosk_token: str, kiosk_socket: SocketIOTestClient, code: str
) -> None:
    elapsed, ticket = issue(client, kiosk_token)
    assert elapsed < 0.5, f"issuing waited {elapsed:.2f}s for the printer"
    event, payload = wait_for_result(kiosk_socket)
    assert (event, payload["number"], payload["error"]) == ("failed", ticket["number"], code)
    resp = client.get(f"/api/tickets/{ticket['token']}")
    assert resp.status_code == 200 and resp.json["ticket"]["status"] == "waiting"


def test_a_kiosk_without_a_printer_is_told_at_once(app: Flask, ctx: Context, client: FlaskClient) -> None:
    token = create_token(ctx.db, "kiosk", "k2")
    sock = socketio.test_client(app, auth={"token": token})
    sock.emit("join", {"kiosk": "k2"}, callback=True)
    resp = client.post(
        "/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 201
    event, payload = wait_for_result(sock, timeout=2)
    assert (event, payload["error"]) == ("failed", "no_printer")


def test_printer_health_is_reported_to_admins_only(
    app: Flask, ctx: Context, client: FlaskClient, fake_printer: FakeEscposPrinter
) -> None:
    app.extensions["vuoro_printers"].monitor = None  # polling is off in tests; ask once, as the monitor would
    from printer import PrinterMonitor

    monitor = PrinterMonitor(app.extensions["vuoro_printers"].printers, interval_s=60)
    monitor.poll_once()
    app.extensions["vuoro_printers"].monitor = monitor
    admin = {"Authorization": f"Bearer {create_token(ctx.db, 'admin', 'tech')}"}
    kiosk = {"Authorization": f"Bearer {create_token(ctx.db, 'kiosk', 'k1')}"}
    assert client.get("/api/printers", headers=kiosk).status_code == 403
    assert client.get("/api/printers").status_code == 401
    [p1] = client.get("/api/printers", headers=admin).json["printers"]
    assert (p1["key"], p1["type"], p1["state"], p1["kiosks"]) == ("p1", "escpos", "online", ["k1"])
    assert p1["checked_at"] is not None


def test_a_kiosk_given_a_printer_in_the_live_configuration_prints_on_it_without_a_restart(
    app: Flask, ctx: Context, client: FlaskClient, fake_printer: FakeEscposPrinter
) -> None:
    """The printing port follows the live configuration: k2 gets p1, then a second printer appears (new spooler,
    the old one retired in the background) and takes k2's tickets."""
    printing = app.extensions["vuoro_printers"]
    token = create_token(ctx.db, "kiosk", "k2")
    sock = socketio.test_client(app, auth={"token": token})
    sock.emit("join", {"kiosk": "k2"}, callback=True)
    sock.get_received()
    document = copy.deepcopy(centre_config.document_of(ctx.config))
    document["kiosks"][1]["printer"] = "p1"
    centre_config.replace(ctx, document, actor="test", action="config.import")
    assert ctx.config.kiosk_map["k2"].printer == "p1"
    spooler = printing.spooler
    resp = client.post(
        "/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers={"Authorization": f"Bearer {token}"}
    )
    event, payload = wait_for_result(sock)
    assert (event, payload["number"], payload["printer"]) == ("printed", resp.json["ticket"]["number"], "p1")
    assert printing.spooler is spooler, "the printers did not change: the same spooler"

    document["printers"].append({"key": "p2", "type": "fake"})
    document["kiosks"][1]["printer"] = "p2"
    centre_config.replace(ctx, document, actor="test", action="config.import")
    assert printing.spooler is not spooler and set(printing.printers) == {"p1", "p2"}
    resp = client.post(
        "/api/tickets", json={"services": ["kela"], "kiosk": "k2"}, headers={"Authorization": f"Bearer {token}"}
    )
    event, payload = wait_for_result(sock)
    assert (event, payload["number"], payload["printer"]) == ("printed", resp.json["ticket"]["number"], "p2")
    sock.disconnect()
