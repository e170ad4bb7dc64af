"""docs/deploy.md followed as an operator would: the shipped ``deploy/nginx.conf`` in a real nginx, in front of
two ``vuoro serve --worker gevent`` processes on PostgreSQL and Redis, everything through nginx only.

What is checked: ``nginx -t`` on the shipped file; pages and ``/healthz``; load from one /24 (and from one
address with cookies, as phones behind a NAT) spread over both processes while every client sticks to one;
the visitor's own address reaches the server (``proxy_hops``); a board in Chromium and python-socketio boards
on polling and on websocket, on both processes, each see every call made on either; ``kill -9`` of one
process: its boards reconnect through nginx to the other, get a snapshot and see the next call, and kiosks
and desks carry on; and no token in any log nginx or Vuoro wrote.  The tests share one deployment and run
in this order (the last kills a process).  Figures (spread, latency, reconnection) are printed: ``pytest
tests/deploy -s``.
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.chromium import chromium_paths, quit_chromium, start_chromium
from tests.deploy.conftest import Deployment
from tests.live_server import LiveServer
from tests.socket_clients import BoardClient

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ZONE = "z2"  # the zone of desks d1, d5 and d6 (kela)
CALL_S = 10.0  # a call must reach every board within this, even on a loaded CI machine (the figures: what it took)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def issue(dep: Deployment, service: str = "kela", cookie: str | None = None) -> dict[str, Any]:
    headers = bearer(dep.tokens["kiosk"]) | ({"Cookie": cookie} if cookie else {})
    status, _, body = dep.request(
        "POST", "/api/tickets", body=json.dumps({"services": [service]}).encode(), headers=headers
    )
    assert status == 201, body
    ticket: dict[str, Any] = json.loads(body)["ticket"]
    dep.visitor_tokens.append(ticket["token"])
    return ticket


def desk(dep: Deployment, action: str, desk_key: str, cookie: str) -> tuple[int, dict[str, Any] | None]:
    status, _, body = dep.request(
        "POST", f"/api/desks/{desk_key}/{action}", body=b"{}", headers=bearer(dep.tokens["desk"]) | {"Cookie": cookie}
    )
    if status >= 500 and not body.startswith(b"{"):  # nginx's own error page: say which, do not fail parsing it
        return status, {"nginx": body[:120].decode(errors="replace")}
    return status, json.loads(body) if body else None


def balancing_cookie(headers: Any) -> str | None:
    """The ``vuoro_lb=...`` pair nginx set in this response, if it set one."""
    found = [c.split(";")[0] for c in headers.get_all("Set-Cookie") or [] if c.startswith("vuoro_lb=")]
    return found[0] if found else None


def sockets_on(server: LiveServer) -> float:
    """Socket.IO connections the process holds, from its own /metrics (as Prometheus scrapes each process)."""
    with urllib.request.urlopen(server.url + "/metrics", timeout=5) as resp:  # noqa: S310 - loopback
        text = resp.read().decode()
    match = re.search(r"^vuoro_socketio_connections (\S+)$", text, re.MULTILINE)
    assert match, "no vuoro_socketio_connections in /metrics"
    return float(match[1])


def wait_until(predicate: Any, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.02)


def test_the_shipped_file_passes_nginx_t_as_operators_install_it(deployment: Deployment) -> None:
    checked = deployment.nginx.check()
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_pages_and_healthz_through_nginx_with_a_balancing_cookie_from_pages_only(deployment: Deployment) -> None:
    dep = deployment
    ticket = issue(dep)
    for path in (
        "/healthz",
        "/login",
        f"/board/{ZONE}",
        "/kiosk/k1",
        f"/t/{ticket['token']}",
        f"/api/tickets/{ticket['token']}",
        "/api/services",
    ):
        status, headers, body = dep.request("GET", path)
        assert status == 200, (path, status, body[:300])
        assert balancing_cookie(headers), f"{path}: no balancing cookie on a first visit"
    status, headers, _ = dep.request("GET", "/healthz", headers={"Cookie": "vuoro_lb=abc"})
    assert status == 200 and not balancing_cookie(headers), "the cookie is set once"
    # never from /socket.io/: a script's polling session would otherwise change process mid-session
    status, headers, _ = dep.request("GET", "/socket.io/?EIO=4&transport=polling")
    assert status == 200 and not balancing_cookie(headers)
    status, _, _ = dep.request("GET", "/metrics", source=dep.address(1))
    assert status == 403, "/metrics is for Prometheus on each process's own port, not through nginx"


def test_one_lans_clients_spread_over_both_processes_and_each_sticks_to_one(deployment: Deployment) -> None:
    dep = deployment
    both = {dep.upstream_of(s) for s in dep.backends}
    # 20 kiosks, boards and clerks' PCs on one /24, without cookies (a script, a device with cookies off)
    for host in range(10, 30):
        for _ in range(3):
            assert dep.request("GET", "/healthz", source=dep.address(host))[0] == 200
    by_client = {dep.address(h): {a.upstream for a in dep.nginx.access_from(dep.address(h), 3)} for h in range(10, 30)}
    assert len(by_client) == 20 and all(len(u) == 1 for u in by_client.values()), f"not sticky: {by_client}"
    spread = Counter(next(iter(u)) for u in by_client.values())
    print(f"\n20 addresses of one /24 without cookies: {dict(spread)}")
    assert set(spread) == both and min(spread.values()) >= 3, f"one /24 is not spread: {dict(spread)}"

    # 20 browsers behind one address (phones behind the centre's Wi-Fi NAT): the cookie of their first page
    source = dep.address(40)
    cookies = []
    for _ in range(20):
        _, headers, _ = dep.request("GET", "/login", source=source)
        cookie = balancing_cookie(headers)
        assert cookie
        cookies.append(cookie)
    assert len(set(cookies)) == 20, "every browser gets its own random cookie"
    seen = len(dep.nginx.access_from(source, 20))
    for cookie in cookies:
        for _ in range(3):
            assert dep.request("GET", "/healthz", source=source, headers={"Cookie": cookie})[0] == 200
    lines = [a.upstream for a in dep.nginx.access_from(source, seen + 60)[seen:]]
    per_browser = [set(lines[i * 3 : i * 3 + 3]) for i in range(20)]
    assert all(len(u) == 1 for u in per_browser), "a browser changed process"
    spread = Counter(next(iter(u)) for u in per_browser)
    print(f"20 browsers behind one address: {dict(spread)}")
    assert set(spread) == both and min(spread.values()) >= 3, f"one address's browsers are not spread: {spread}"


def test_the_server_sees_each_visitors_own_address_through_nginx(deployment: Deployment) -> None:
    """proxy_hops: 1 — the log-in limit (3 a minute here) counts per visitor, not per nginx."""
    dep = deployment

    def log_in(source: str) -> int:
        """A wrong password from ``source``, as the log-in page sends it (its CSRF token and cookies)."""
        _, headers, page = dep.request("GET", "/login", source=source)
        csrf = re.search(rb'name="csrf-token" content="([^"]+)"', page)
        assert csrf, "no CSRF token on the log-in page"
        cookies = "; ".join(c.split(";")[0] for c in headers.get_all("Set-Cookie") or [])
        status, _, _ = dep.request(
            "POST",
            "/api/session",
            source=source,
            headers={"Content-Type": "application/json", "Cookie": cookies, "X-CSRFToken": csrf[1].decode()},
            body=json.dumps({"username": "nobody", "password": "wrong-password"}).encode(),
        )
        return status

    first, second = dep.address(60), dep.address(61)
    assert [log_in(first) for _ in range(4)] == [401, 401, 401, 429]
    assert log_in(second) == 401, "another visitor of the same LAN is not refused for the first one's tries"
    for server in dep.backends:
        assert "proxy_hops is 0" not in server.output()


@pytest.fixture(scope="module")
def boards(deployment: Deployment) -> Iterator[dict[str, Any]]:
    """A board in Chromium and python-socketio boards on polling and on websocket, on each process."""
    dep = deployment
    a, b = dep.backends
    pins = {"a": dep.cookie_for(a), "b": dep.cookie_for(b)}
    python_boards = {
        f"{transport}@{name}": BoardClient(
            dep.url, ZONE, transports=[transport], cookies=dict([pins[name].split("=", 1)])
        )
        for name in ("a", "b")
        for transport in ("polling", "websocket")
    }
    driver = start_chromium(chromium_paths())
    try:
        driver.get(dep.url + "/healthz")
        driver.add_cookie({"name": "vuoro_lb", "value": pins["a"].split("=", 1)[1], "path": "/"})
        driver.get(f"{dep.url}/board/{ZONE}")
        wait_until(
            lambda: driver.execute_script(
                "return !!window.io && !document.body.classList.contains("
                "'is-offline') && !!document.querySelector('#now')"
            ),
            10,
            "the board page in Chromium did not come online through nginx",
        )
        yield {"pins": pins, "python": python_boards, "chromium": driver}
    finally:
        quit_chromium(driver)
        for client in python_boards.values():
            client.close()


def shows_call(number: str) -> Any:
    """A board has a call when it gets the ``called`` event, or a snapshot (after a reconnection) that holds it:
    the page shows it either way."""

    def match(data: Any) -> bool:
        if "calls" in data:
            return any(c.get("number") == number for c in data["calls"])
        return bool(data.get("number") == number)

    return match


def chromium_number(driver: Any) -> str:
    return str(driver.execute_script("var e = document.querySelector('#now-number'); return e ? e.textContent : ''"))


def test_every_call_reaches_every_board_from_either_process(deployment: Deployment, boards: dict[str, Any]) -> None:
    dep = deployment
    a, b = dep.backends
    for name, client in boards["python"].items():
        client.wait_for("snapshot")
        assert client.transport == name.split("@")[0]
    wait_until(
        lambda: sockets_on(a) >= 3 and sockets_on(b) >= 2,
        10,
        f"the boards are not on both processes: {sockets_on(a)}, {sockets_on(b)}",
    )

    latencies: list[float] = []
    for i in range(6):
        issue(dep)
        via = boards["pins"]["ab"[i % 2]]  # the desk's own browser: on process A, then on B
        started = time.monotonic()
        status, body = desk(dep, "next", "d1", via)
        assert status == 200 and body is not None, body
        number = body["ticket"]["number"]
        for client in boards["python"].values():
            client.wait_for(("called", "snapshot"), shows_call(number), timeout=CALL_S)
        latencies.append(time.monotonic() - started)
        wait_until(
            lambda n=number: chromium_number(boards["chromium"]) == n,
            CALL_S,
            f"the Chromium board never showed {number}",
        )
        assert desk(dep, "finish", "d1", via)[0] == 200
    lost = {
        name: [d for n, d in c.received if n == "disconnected"] for name, c in boards["python"].items() if c.disconnects
    }
    print(
        f"\ncall -> all 4 python boards (2 processes x polling/websocket), through nginx: "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"boards that lost their connection meanwhile: {lost or 'none'}"
    )


#: how long after ``kill -9`` requests in flight to the dying process may still fail
DYING_S = 1.0


def test_a_killed_process_s_boards_reconnect_through_nginx_to_the_survivor(
    deployment: Deployment, boards: dict[str, Any]
) -> None:
    dep = deployment
    a, b = dep.backends
    driver = boards["chromium"]
    on_a = {name: c for name, c in boards["python"].items() if name.endswith("@a")}
    before = {name: len(c.snapshots) for name, c in on_a.items()}
    driver.execute_script("""
        window.__online = [];
        new MutationObserver(function () {
          window.__online.push([Date.now(), !document.body.classList.contains('is-offline')]);
        }).observe(document.body, {attributes: true, attributeFilter: ['class']});""")

    # kiosks and desks keep working through nginx while it happens
    failures: list[tuple[float, str]] = []
    answered = 0
    stop = threading.Event()

    def kiosk() -> None:
        nonlocal answered
        while not stop.is_set():
            status, _, body = dep.request(
                "POST",
                "/api/tickets",
                body=b'{"services": ["library"]}',
                headers=bearer(dep.tokens["kiosk"]) | {"Cookie": boards["pins"]["a"]},
            )
            if status == 201:
                answered += 1
                dep.visitor_tokens.append(json.loads(body)["ticket"]["token"])
            else:
                failures.append((time.monotonic(), f"{status} {body[:100]!r}"))
            time.sleep(0.05)

    loop = threading.Thread(target=kiosk)
    loop.start()
    time.sleep(1)
    killed_at, killed_wall = time.monotonic(), time.time() * 1000
    a.kill()
    try:
        for name, client in on_a.items():
            wait_until(
                lambda c=client, n=before[name]: len(c.snapshots) > n, 15, f"{name} never reconnected to the survivor"
            )
        wait_until(
            lambda: any(on for t, on in driver.execute_script("return window.__online") if t > killed_wall),
            15,
            "the Chromium board never came back online",
        )
        # a visitor following a ticket, and the pages, while one process is gone: nginx fails over
        for token in dep.visitor_tokens[:3]:
            for path in (f"/t/{token}", f"/api/tickets/{token}"):
                status, _, _ = dep.request("GET", path, headers={"Cookie": boards["pins"]["a"]})
                assert status == 200, path
        time.sleep(1)
    finally:
        stop.set()
        loop.join(30)
    python_s = [c.snapshots[before[n]] - killed_at for n, c in on_a.items()]
    online = [t for t, on in driver.execute_script("return window.__online") if on and t > killed_wall]
    chromium_s = (online[0] - killed_wall) / 1000
    print(
        f"\nkill -9 of one process: python boards back with a snapshot in "
        f"{', '.join(f'{s:.2f}' for s in python_s)} s, Chromium board online again in {chromium_s:.2f} s; "
        f"kiosk requests through nginx meanwhile: {answered} answered, {len(failures)} failed "
        f"{[(round(t - killed_at, 2), f) for t, f in failures]}"
    )
    assert sockets_on(b) >= 5, "every board is on the survivor now"
    failed_lines = [
        f"{x.method} {x.status} upstream={x.upstream} status={x.upstream_status}"
        for x in dep.nginx.access()
        if x.status >= 500
    ]
    # A request nginx had already handed to the dying process is lost with it (a POST is never sent twice: the
    # process may have committed it); on a busy machine the kernel takes a moment to tear the process group
    # down, and a few requests land in that moment.  Once it is gone, every request fails over.
    dying = [f for t, f in failures if t - killed_at <= DYING_S]
    after = [f for t, f in failures if t - killed_at > DYING_S]
    assert answered >= 10 and len(dying) <= 10 and not after, (
        f"killed {dep.upstream_of(a)}, survivor {dep.upstream_of(b)}",
        [(round(t - killed_at, 2), f[:40]) for t, f in failures],
        failed_lines,
    )
    failover = f"{dep.upstream_of(a)}, {dep.upstream_of(b)}"
    assert any(failover in x.upstream for x in dep.nginx.access()), "the failover shows in the access log"

    # the next call, made on the survivor, reaches every board, the reconnected ones too
    issue(dep)
    status, body = desk(dep, "next", "d5", boards["pins"]["b"])
    assert status == 200 and body is not None, (
        status,
        body,
        [f"{x.method} {x.status} {x.upstream_status}" for x in dep.nginx.access()[-5:]],
    )
    number = body["ticket"]["number"]
    for client in boards["python"].values():
        client.wait_for(("called", "snapshot"), shows_call(number), timeout=CALL_S)
    wait_until(lambda: chromium_number(driver) == number, CALL_S, f"the Chromium board never showed {number}")
    assert desk(dep, "finish", "d5", boards["pins"]["b"])[0] == 200


def test_no_token_in_any_log_nginx_or_vuoro_wrote(deployment: Deployment) -> None:
    dep = deployment
    secrets = [*dep.visitor_tokens, *dep.tokens.values()]
    assert len(dep.visitor_tokens) >= 10
    logs = dict(dep.nginx.logs())
    for server in dep.backends:
        logs[server.log_path.name] = server.output()
    assert logs.get("vuoro.log"), "the access log is written"
    for name, text in logs.items():
        found = [s[:6] + "…" for s in secrets if s in text]
        assert not found, f"{name} holds {len(found)} tokens"
        assert not re.search(r"/t/[A-Za-z0-9_-]{16,}|/api/tickets/[A-Za-z0-9_-]{16,}", text), f"{name} has a path"
