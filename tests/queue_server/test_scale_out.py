"""Scale-out: two real ``vuoro serve`` processes sharing one PostgreSQL database and one Redis message queue.

- a board connected to process A sees a number called on process B (and the other way round);
- 2 processes x 6 desks calling at once call every ticket exactly once (checked against the event log);
- ``kill -9`` of a process while kiosks issue through it loses no committed ticket, duplicates no number, the
  numbering continues after the restart, and a board on the surviving process keeps working.

Each run uses its own PostgreSQL database and its own Redis pub/sub channel (tests/cluster.py).
"""

from __future__ import annotations

import copy
import http.client
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import socketio

from queue_server.db import Database
from queue_server.services.accounts import add_user, create_token
from tests.cluster import Cluster, prepare_database
from tests.conftest import BASE_CONFIG
from tests.live_server import LiveServer
from tests.postgres import throwaway_database
from vuoro_tools.simulate.http import HttpClient

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def shared_db(postgres_server: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A throwaway database for this module, migrated once (as ``vuoro db upgrade`` does on release)."""
    with throwaway_database(postgres_server) as url:
        yield url, prepare_database(url)


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, shared_db: tuple[str, dict[str, str]], redis_url: str
) -> Iterator[Cluster]:
    """One pair of processes for the whole module (starting them is the slow part); each test leaves no desk
    busy and no ticket waiting, and the crash test, which kills and restarts one of them, runs last."""
    db_url, tokens = shared_db
    config = copy.deepcopy(BASE_CONFIG)
    running = Cluster(config, tmp_path_factory.mktemp("scale"), db_url, redis_url, tokens).start()
    yield running
    running.stop()


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


def issue(http: HttpClient, token: str, service: str) -> dict[str, Any]:
    reply = http.post("/api/tickets", {"services": [service]}, token=token)
    assert reply.status == 201, reply.body
    return reply.body["ticket"]  # type: ignore[no-any-return]


def test_a_board_on_one_process_sees_a_call_made_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.servers
    kiosk, desk = cluster.tokens["kiosk"], cluster.tokens["desk"]
    _, on_a, arrived_a = cluster.board(a, "z2")
    _, on_b, arrived_b = cluster.board(b, "z2")
    http_a, http_b = cluster.http(a), cluster.http(b)

    first = issue(http_a, kiosk, "kela")
    second = issue(http_b, kiosk, "kela")
    assert (first["number"], second["number"]) == ("K001", "K002")  # one numbering for both processes

    reply = http_b.post("/api/desks/d1/next", token=desk)  # called on B ...
    assert reply.status == 200 and reply.body["ticket"]["number"] == "K001"
    assert arrived_a.wait(10), "the board on A never heard of the call made on B"
    assert [c["number"] for c in on_a] == ["K001"] and on_a[0]["desk"] == "d1"
    assert http_b.post("/api/desks/d1/finish", token=desk).status == 200

    arrived_a.clear()
    arrived_b.clear()
    reply = http_a.post("/api/desks/d5/next", token=desk)  # ... and on A
    assert reply.status == 200 and reply.body["ticket"]["number"] == "K002"
    assert arrived_b.wait(10) and arrived_a.wait(10)
    assert wait_for(lambda: len(on_b) == 2 and len(on_a) == 2)
    assert [c["number"] for c in on_b] == ["K001", "K002"]
    assert [c["number"] for c in on_a] == ["K001", "K002"]  # each call reached each board exactly once
    assert http_a.post("/api/desks/d5/finish", token=desk).status == 200

    # each process counts its own sockets: one board each
    metrics = http_a.get("/metrics")
    assert metrics.status == 200
    assert "vuoro_socketio_connections 1.0" in str(metrics.body)


def test_twelve_desks_on_two_processes_call_every_ticket_exactly_once(cluster: Cluster) -> None:
    a, b = cluster.servers
    kiosk, desk = cluster.tokens["kiosk"], cluster.tokens["desk"]
    services = ["kela", "kela", "library", "health", "mental", "kela"]
    issued: list[str] = []
    for i in range(60):
        issued.append(issue(cluster.http((a, b)[i % 2]), kiosk, services[i % len(services)])["number"])
    assert len(set(issued)) == len(issued) == 60

    desks = ["d1", "d2", "d3", "h1", "d5", "d6"]
    called: list[tuple[str, str, int]] = []  # (number, desk, process)
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(desks) * 2)

    def clerk(desk_key: str, process: int) -> None:
        http = cluster.http((a, b)[process])
        start.wait()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            reply = http.post(f"/api/desks/{desk_key}/next", token=desk)
            if reply.status == 204:  # nobody left for this desk's services
                return
            if reply.status == 409 and reply.error_code == "desk_busy":  # the same desk's other clerk has one
                time.sleep(0.02)
                continue
            if reply.status != 200:
                with lock:
                    errors.append(f"next {desk_key}@{process}: {reply.status} {reply.body}")
                return
            with lock:
                called.append((reply.body["ticket"]["number"], desk_key, process))
            done = http.post(f"/api/desks/{desk_key}/finish", token=desk)
            if done.status != 200:
                with lock:
                    errors.append(f"finish {desk_key}@{process}: {done.status} {done.body}")
                return
        errors.append(f"{desk_key}@{process} still busy after 60 s")

    threads = [threading.Thread(target=clerk, args=(d, p)) for d in desks for p in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert not errors, errors

    numbers = [n for n, _, _ in called]
    assert Counter(numbers).most_common(1)[0][1] == 1, "a ticket was called twice"
    assert sorted(numbers) == sorted(issued), "every ticket is called, and only those"
    assert {p for _, _, p in called} == {0, 1}, "both processes called tickets"

    log = cluster.events()  # the whole log, with the earlier test's tickets: none may have two calls either
    calls = Counter(number for _, number, kind in log if kind == "called")
    assert set(issued) <= set(calls) and set(calls.values()) == {1}, "the event log shows one call per ticket"
    finishes = Counter(number for _, number, kind in log if kind == "finished")
    assert set(issued) <= set(finishes) and set(finishes.values()) == {1}


def admin_token(cluster: Cluster) -> str:
    db = Database(cluster.db_url)
    try:
        return create_token(db, "admin", "manager")
    finally:
        db.dispose()


def within(seconds: float, predicate: Any) -> float:
    """How long ``predicate`` took to hold (fails after ``seconds``)."""
    started = time.monotonic()
    assert wait_for(predicate, timeout=seconds), f"not within {seconds} s"
    return time.monotonic() - started


def test_a_configuration_change_made_on_one_process_is_served_by_the_other_within_a_second(cluster: Cluster) -> None:
    a, b = cluster.servers
    admin = admin_token(cluster)

    def library_open_on_b() -> bool:
        listed = cluster.http(b).get("/api/services").body["services"]
        return bool(next(s for s in listed if s["key"] == "library")["open"])

    assert library_open_on_b()
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date().isoformat()  # the centre's business day
    reply = cluster.http(a).request("PUT", f"/api/services/library/exceptions/{today}", {"closed": True}, token=admin)
    assert reply.status == 200, reply.body
    took = within(1.0, lambda: not library_open_on_b())
    print(f"\na closed service reached the other process in {took * 1000:.0f} ms")
    assert cluster.http(a).request("DELETE", f"/api/services/library/exceptions/{today}", token=admin).status == 200
    within(1.0, library_open_on_b)


def test_a_revoked_device_and_a_disabled_clerk_are_refused_by_both_at_once_and_their_sockets_close(
    cluster: Cluster,
) -> None:
    a, b = cluster.servers
    admin = admin_token(cluster)
    made = cluster.http(a).post("/api/devices", {"role": "desk", "name": "tablet"}, token=admin).body
    device = made["token"]
    assert cluster.http(b).get("/api/desks", token=device).status == 200
    desk_socket = socketio.Client(reconnection=False, handle_sigint=False)
    desk_socket.connect(b.url, auth={"token": device}, wait_timeout=10)
    assert desk_socket.call("join", {"desk": "d1"}, timeout=10) == {"ok": True}

    clerk = requests.Session()
    db = Database(cluster.db_url)
    add_user(db, "clerk-so", "clerk-password-9", "clerk")
    db.dispose()
    assert (
        clerk.post(
            b.url + "/api/session", json={"username": "clerk-so", "password": "clerk-password-9"}, timeout=10
        ).status_code
        == 200
    )
    clerk_socket = socketio.Client(reconnection=False, handle_sigint=False, http_session=clerk)
    clerk_socket.connect(b.url, wait_timeout=10)
    assert clerk_socket.call("join", {"desk": "d2"}, timeout=10) == {"ok": True}
    try:
        revoked_at = time.monotonic()
        assert cluster.http(a).request("DELETE", f"/api/devices/{made['device']['id']}", token=admin).status == 200
        assert cluster.http(a).request("PATCH", "/api/users/clerk-so", {"active": False}, token=admin).status == 200
        for server in (a, b):  # refused at once by both: every request looks the token and the account up
            assert cluster.http(server).get("/api/desks", token=device).status == 401
            assert requests.get(server.url + "/api/session", cookies=clerk.cookies, timeout=10).status_code == 401
        within(1.0, lambda: not desk_socket.connected and not clerk_socket.connected)
        took = time.monotonic() - revoked_at
        print(f"\nthe other process closed both revoked sockets {took * 1000:.0f} ms after the revocation began")
    finally:
        for sock in (desk_socket, clerk_socket):
            if sock.connected:
                sock.disconnect()
        clerk.close()


def test_kill_9_while_issuing_loses_nothing_and_the_numbering_goes_on(cluster: Cluster) -> None:
    a, b = cluster.servers
    kiosk, desk = cluster.tokens["kiosk"], cluster.tokens["desk"]
    _, board_calls, arrived = cluster.board(b, "z2")  # a board on the process that survives

    answered: list[str] = []  # every number a kiosk was given a 201 for
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk_loop(target: LiveServer, service: str) -> None:
        client = cluster.http(target)
        for _ in range(2000):  # bounded; the test stops it long before
            if stop.is_set():
                return
            try:
                reply = client.post("/api/tickets", {"services": [service]}, token=kiosk)
            except (OSError, http.client.HTTPException) as exc:  # it died mid-request, or refuses connections
                with lock:
                    failures.append(type(exc).__name__)
                time.sleep(0.01)
                continue
            with lock:
                if reply.status == 201:
                    answered.append(reply.body["ticket"]["number"])
                else:
                    failures.append(str(reply.status))

    loops = [threading.Thread(target=kiosk_loop, args=(a, s)) for s in ("kela", "kela", "library")]
    loops.append(threading.Thread(target=kiosk_loop, args=(b, "kela")))
    for t in loops:
        t.start()
    assert wait_for(lambda: len(answered) >= 40, timeout=30), "kiosks issued too few tickets to test with"
    a.kill()  # kill -9 in the middle of the load: no clean shutdown
    killed_at = len(answered)
    assert wait_for(lambda: len(answered) >= killed_at + 10, timeout=20), "issuing on B stopped with A"
    stop.set()
    for t in loops:
        t.join(30)
    assert failures, "the kiosks on A should have seen it die"

    # nothing committed is lost, nothing is duplicated, and the numbers have no gaps
    stored = cluster.numbers()
    assert Counter(stored).most_common(1)[0][1] == 1, "a number was given twice"
    assert not set(answered) - set(stored), "a ticket answered with 201 is missing from the database"
    by_prefix: dict[str, list[int]] = defaultdict(list)
    for number in stored:
        by_prefix[number[0]].append(int(number[1:]))
    for prefix, seqs in by_prefix.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"{prefix} numbers have a gap"

    # the board on the surviving process still works
    http_b = cluster.http(b)
    reply = http_b.post("/api/desks/d1/next", token=desk)
    assert reply.status == 200
    assert arrived.wait(10) and board_calls[-1]["number"] == reply.body["ticket"]["number"]

    # after the restart the numbering continues where the database left it
    a.start(timeout=60)
    http_a = cluster.http(a)
    assert issue(http_a, kiosk, "kela")["number"] == f"K{len(by_prefix['K']) + 1:03d}"
    assert issue(http_a, kiosk, "library")["number"] == f"L{len(by_prefix['L']) + 1:03d}"
    # and a call made on the restarted process reaches the board on the other one
    arrived.clear()
    reply = http_a.post("/api/desks/d5/next", token=desk)
    assert reply.status == 200
    assert arrived.wait(10) and board_calls[-1]["number"] == reply.body["ticket"]["number"]
