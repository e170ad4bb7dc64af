"""A light Socket.IO client on asyncio: thousands of connections in one thread, for the simulator and the bench.

It speaks just what Vuoro's screens need, straight over a websocket (no long-polling first):
Engine.IO 4 (open ``0``, ping ``2`` / pong ``3``, message ``4``) carrying Socket.IO 5 packets on the default
namespace (connect ``40`` with the ``auth`` object, events ``42``, acks ``43``, connect errors ``44``).  The
websocket itself is wsproto (already installed with simple-websocket), driven by asyncio streams.

python-socketio's own clients cost a thread or two (or an aiohttp session) per connection; at 2,000 board
and phone connections that would measure the load generator instead of the server.

:class:`Swarm` runs an event loop in a background thread, so threaded code can open connections and get
events through plain callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

log = logging.getLogger(__name__)

#: ``on_event(client, event, data, received_at)``; ``received_at`` is ``time.perf_counter()`` at arrival
EventCallback = Callable[["SocketClient", str, Any, float], None]


class SocketIOError(Exception):
    """The connection was refused, closed, or did not answer in time."""


class SocketClient:
    """One Socket.IO connection (websocket transport only)."""

    def __init__(self, base_url: str, *, auth: dict[str, Any] | None = None,
                 on_event: EventCallback | None = None, tag: Any = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "ws"):
            raise ValueError("only http:// (plain, loopback or behind a proxy) is supported")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = (parts.path.rstrip("/") or "") + "/socket.io/?EIO=4&transport=websocket"
        self.auth = auth
        self.on_event = on_event
        self.tag = tag
        self.sid: str | None = None
        self.connected = False
        self.events_received = 0
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 0
        self._open: asyncio.Future[dict[str, Any]] | None = None
        self._connected: asyncio.Future[None] | None = None
        self._text: list[str] = []

    # -- lifecycle ----------------------------------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        self._open, self._connected = loop.create_future(), loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
                self._send_raw(self._ws.send(Request(host=f"{self.host}:{self.port}", target=self.path)))
                self._task = asyncio.create_task(self._read_loop())
                await self._open
                self._send_text("40" + (json.dumps(self.auth) if self.auth else ""))
                await self._connected
        except TimeoutError:
            await self.close()
            raise SocketIOError(f"no Socket.IO connection within {timeout}s") from None
        except BaseException:
            await self.close()
            raise
        self.connected = True

    async def close(self) -> None:
        self.connected = False
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(Exception):
                self._send_text("41")
                self._send_raw(self._ws.send(CloseConnection(code=1000)))
            self._writer.close()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        self._fail_pending(SocketIOError("closed"))

    async def call(self, event: str, data: Any = None, timeout: float = 10.0) -> Any:
        """Emit ``event`` and wait for the server's acknowledgement (the handler's return value)."""
        self._next_ack += 1
        ack_id = self._next_ack
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send_text(f"42{ack_id}" + json.dumps([event, data] if data is not None else [event]))
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise SocketIOError(f"no answer to {event!r} within {timeout}s") from None
        finally:
            self._acks.pop(ack_id, None)

    def emit(self, event: str, data: Any = None) -> None:
        self._send_text("42" + json.dumps([event, data] if data is not None else [event]))

    # -- wire ---------------------------------------------------------------------------------------
    def _send_raw(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    def _send_text(self, text: str) -> None:
        self._send_raw(self._ws.send(Message(data=text)))

    def _fail_pending(self, exc: Exception) -> None:
        for fut in (self._open, self._connected, *self._acks.values()):
            if fut is not None and not fut.done():
                fut.set_exception(exc)
                fut.exception()  # mark retrieved: nobody may be waiting any more

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, AcceptConnection):
                        continue
                    if isinstance(event, (RejectConnection, RejectData)):
                        raise SocketIOError(f"websocket refused ({getattr(event, 'status_code', '?')})")
                    if isinstance(event, TextMessage):
                        self._text.append(event.data)
                        if event.message_finished:
                            text, self._text = "".join(self._text), []
                            self._on_engineio(text)
                    elif isinstance(event, Ping):
                        self._send_raw(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        return
        except (ConnectionError, SocketIOError, OSError) as exc:
            self._fail_pending(SocketIOError(str(exc) or type(exc).__name__))
        finally:
            self.connected = False
            self._fail_pending(SocketIOError("connection closed"))

    def _on_engineio(self, text: str) -> None:
        kind, body = text[:1], text[1:]
        if kind == "2":                       # ping -> pong
            self._send_text("3")
        elif kind == "4":                     # a Socket.IO packet
            self._on_socketio(body, time.perf_counter())
        elif kind == "0" and self._open is not None and not self._open.done():
            self._open.set_result(json.loads(body))
        elif kind == "1":
            raise SocketIOError("closed by the server")

    def _on_socketio(self, packet: str, received_at: float) -> None:
        kind = packet[:1]
        rest = packet[1:]
        if rest.startswith("/"):              # a namespace other than "/": not used by Vuoro
            return
        if kind == "2" or kind == "3":
            i = 0
            while i < len(rest) and rest[i].isdigit():
                i += 1
            ack_id = int(rest[:i]) if i else None
            args = json.loads(rest[i:]) if rest[i:] else []
            if kind == "3":
                fut = self._acks.get(ack_id or -1)
                if fut is not None and not fut.done():
                    fut.set_result(args[0] if len(args) == 1 else args)
                return
            self.events_received += 1
            if self.on_event is not None and args:
                try:
                    self.on_event(self, args[0], args[1] if len(args) > 1 else None, received_at)
                except Exception:
                    log.exception("event callback failed")
        elif kind == "0":
            self.sid = (json.loads(rest) if rest else {}).get("sid")
            if self._connected is not None and not self._connected.done():
                self._connected.set_result(None)
        elif kind == "4":
            message = (json.loads(rest) if rest else {}).get("message", "refused")
            if self._connected is not None and not self._connected.done():
                self._connected.set_exception(SocketIOError(f"connection refused: {message}"))
        elif kind == "1":
            self.connected = False


class Swarm:
    """An asyncio loop in a daemon thread holding any number of :class:`SocketClient` connections."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.clients: list[SocketClient] = []
        self._thread = threading.Thread(target=self._run, name="sio-swarm", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run ``coro`` on the swarm's loop and wait for its result (from any other thread)."""
        fut: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return fut.result(timeout)

    def connect(self, base_url: str, *, join: dict[str, Any] | None = None, auth: dict[str, Any] | None = None,
                on_event: EventCallback | None = None, tag: Any = None, timeout: float = 15.0) -> SocketClient:
        return self.connect_many([(base_url, join, auth, tag)], on_event=on_event, timeout=timeout)[0]

    def connect_many(self, specs: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]], *,
                     on_event: EventCallback | None = None, concurrency: int = 50,
                     timeout: float = 15.0, total_timeout: float = 600.0) -> list[SocketClient]:
        """Open one connection per ``(base_url, join, auth, tag)``; each joins its room and awaits the ack."""
        return self.run(self._connect_many(list(specs), on_event, concurrency, timeout),
                        total_timeout)

    def start_connect(self, specs: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]], *,
                      on_event: EventCallback | None = None, concurrency: int = 50,
                      timeout: float = 15.0) -> Future[list[SocketClient]]:
        """Like :meth:`connect_many` without waiting: the future holds the clients (or the error)."""
        return asyncio.run_coroutine_threadsafe(self._connect_many(list(specs), on_event, concurrency, timeout),
                                                self.loop)

    async def _connect_many(self, specs: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]],
                            on_event: EventCallback | None, concurrency: int, timeout: float) -> list[SocketClient]:
        gate = asyncio.Semaphore(concurrency)

        async def one(url: str, join: dict[str, Any] | None, auth: dict[str, Any] | None, tag: Any) -> SocketClient:
            async with gate:
                client = SocketClient(url, auth=auth, on_event=on_event, tag=tag)
                await client.connect(timeout)
                if join is not None:
                    answer = await client.call("join", join, timeout)
                    if not (isinstance(answer, dict) and answer.get("ok")):
                        await client.close()
                        raise SocketIOError(f"join {join} refused: {answer}")
                self.clients.append(client)
                return client

        return list(await asyncio.gather(*(one(*spec) for spec in specs)))

    def close_all(self, timeout: float = 30.0) -> None:
        clients, self.clients = self.clients, []

        async def close() -> None:
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(close(), timeout)

    def stop(self) -> None:
        """Close every connection, cancel what is still connecting, and end the loop's thread."""
        if self.loop.is_closed():
            return

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(cancel_the_rest(), 10)
        self.close_all()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()

    def __enter__(self) -> Swarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
