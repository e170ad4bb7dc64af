"""A small JSON-over-HTTP client with one keep-alive connection per thread (standard library only)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    """One answer: its status, its body (decoded JSON, else text) and how long it took, in seconds."""

    status: int
    body: Any
    seconds: float

    @property
    def error_code(self) -> str | None:
        """The ``error.code`` of an error answer (``desk_busy``...), else None."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("code"))
        return None


class HttpClient:
    """``client.post("/api/tickets", {...}, token=...)``; safe to share between threads."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise ValueError("only http:// URLs (the simulator talks to a server or proxy it can reach directly)")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set[http.client.HTTPConnection] = set()

    #: a server closes idle keep-alive connections after a couple of seconds (gunicorn: 2 s); reconnect before
    IDLE_S = 1.0

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and time.monotonic() - getattr(self._local, "used", 0.0) > self.IDLE_S:
            self._drop()
            conn = None
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        if conn not in self._open:  # new, or reopened after close(): tracked, so close() reaches it
            with self._lock:
                self._open.add(conn)
        return conn

    def _drop(self) -> None:
        """Close this thread's connection (after an error, or when the server may have closed it)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            with self._lock:
                self._open.discard(conn)

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            conns, self._open = self._open, set()
        for conn in conns:
            conn.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Reply:
        """Send ``body`` as JSON with ``token`` as the bearer; a GET whose kept-alive connection the server
        had closed is retried once on a new one (a POST is not: the server may have acted on it)."""
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is retried once, fresh
            conn = self._conn()
            started = time.perf_counter()
            try:
                conn.request(method, self.prefix + path, body=payload, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop()
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise
                continue
            except Exception:
                self._drop()
                raise
            elapsed = time.perf_counter() - started
            self._local.used = time.monotonic()
            if resp.getheader("Connection", "").lower() == "close":
                self._drop()
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                data = raw.decode(errors="replace")
            return Reply(resp.status, data, elapsed)
        raise AssertionError("unreachable")

    def get(self, path: str, *, token: str | None = None) -> Reply:
        """A GET through :meth:`request`: retried once if the server had closed the connection."""
        return self.request("GET", path, token=token)

    def post(self, path: str, body: Any = None, *, token: str | None = None) -> Reply:
        """A POST through :meth:`request`: never retried, since the server may have acted on it."""
        return self.request("POST", path, body, token=token)
