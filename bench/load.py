"""Closed-loop HTTP load: N keep-alive clients, each sending its next request when the last one is answered.

The client is a raw socket with the request bytes built once: ``http.client`` parses every header through the
email package, which costs more CPU than a ``GET /healthz`` on the server, and the load generator shares these
two cores with the servers it measures.  The server's CPU time is read around the run (see ``servers.py``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.servers import Server


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class RawClient:
    """One keep-alive HTTP/1.1 connection sending one prepared request again and again."""

    def __init__(self, url: str, method: str, path: str, body: Any = None, token: str | None = None) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        payload = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.address[0]}:{self.address[1]}", "Accept: application/json"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        self.request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        self.sock: socket.socket | None = None
        self.buffer = b""

    def send(self) -> tuple[int, bytes]:
        """Send the request and read the answer: (status, body); reconnects once if the server closed."""
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = socket.create_connection(self.address, timeout=60)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.buffer = b""
            try:
                self.sock.sendall(self.request)
                return self._read()
            except (ConnectionError, EOFError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self) -> tuple[int, bytes]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if close:
            self.close()
        return status, body

    def _more(self) -> None:
        assert self.sock is not None
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("closed by the server")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


@dataclass
class LoadResult:
    clients: int
    seconds: float
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)  # per server, during the run
    bodies: list[bytes] = field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        """Fold another run of the same load into this one (the rounds of an interleaved measurement)."""
        self.seconds += other.seconds
        self.ok += other.ok
        self.errors.update(other.errors)
        self.latencies += other.latencies
        self.cpu_s = [a + b for a, b in zip(self.cpu_s, other.cpu_s, strict=True)] if self.cpu_s else other.cpu_s
        self.bodies += other.bodies

    def summary(self) -> dict[str, Any]:
        cpu = sum(self.cpu_s)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "ok": self.ok,
            "errors": dict(self.errors),
            "per_s": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(pct(self.latencies, 0.5) * 1000, 1),
            "p99_ms": round(pct(self.latencies, 0.99) * 1000, 1),
            "server_cpu_s": [round(c, 2) for c in self.cpu_s],
            "cpu_ms_per_request": round(cpu * 1000 / self.ok, 2) if self.ok else None,
        }


def hammer(
    servers: list[Server],
    clients: int,
    seconds: float,
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str | None = None,
    ok_status: int = 200,
    keep_bodies: bool = False,
    body_for: Callable[[int], Any] | None = None,
) -> LoadResult:
    """``clients`` threads send ``method path`` for ``seconds`` (client ``i`` talks to server ``i % n``).

    ``body_for(i)`` gives client ``i`` its own body (each kiosk issues for its own service).  The servers' CPU
    is read just before the clients start and just after the last one stops.
    """
    result = LoadResult(clients, 0.0)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        raw = RawClient(servers[i % len(servers)].url, method, path, body_for(i) if body_for else body, token)
        mine: list[float] = []
        bad: Counter[str] = Counter()
        kept: list[bytes] = []
        ok = 0
        barrier.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                started = time.perf_counter()
                try:
                    status, answer = raw.send()
                except (OSError, EOFError) as exc:
                    bad[type(exc).__name__] += 1
                    time.sleep(0.05)
                    continue
                mine.append(time.perf_counter() - started)
                if status == ok_status:
                    ok += 1
                    if keep_bodies:
                        kept.append(answer)
                else:
                    bad[str(status)] += 1
        finally:
            raw.close()
            with lock:
                result.ok += ok
                result.latencies.extend(mine)
                result.errors.update(bad)
                result.bodies.extend(kept)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    before = [s.cpu_s() for s in servers]
    started = time.perf_counter()
    stop_at[0] = started + seconds
    barrier.wait()
    for t in threads:
        t.join(seconds + 120)
    result.seconds = time.perf_counter() - started
    result.cpu_s = [s.cpu_s() - b for s, b in zip(servers, before, strict=True)]
    return result
