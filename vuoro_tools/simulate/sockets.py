"""Socket.IO connections for the simulator, the bench and the multi-process tests: python-socketio's AsyncClient.

Each :class:`SocketClient` is one ``socketio.AsyncClient`` over the websocket transport (no long-polling first,
no reconnection: a dropped connection is a result to count).  :class:`Swarm` runs one asyncio loop in a
background thread, so threaded code opens any number of connections and gets their events through plain
callbacks; the swarm's clients share one aiohttp session (one connector without a connection limit), which is
what lets a single loop hold thousands of them cheaply.  docs/performance.md ("The simulator's socket client")
has the measurement that chose this client over the hand-written one it replaced.

The websocket transport needs aiohttp: ``pip install 'vuoro[simulate]'`` (the ``test`` extra has it too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlsplit

import socketio

try:
    import aiohttp
except ImportError:  # a server installed without the 'simulate' extra: its CLI still starts
    aiohttp = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: ``on_event(client, event, data, received_at)``; ``received_at`` is ``time.perf_counter()`` at arrival
EventCallback = Callable[["SocketClient", str, Any, float], None]
#: what :meth:`Swarm.connect_many` opens: ``(base_url, join, auth, tag)``
Spec = tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]


class SocketIOError(Exception):
    """The connection was refused, closed, or did not answer in time."""


def new_session() -> Any:
    """One aiohttp session for many websockets: no per-host connection limit, no shared cookies."""
    if aiohttp is None:
        raise SocketIOError("the Socket.IO client needs aiohttp: pip install 'vuoro[simulate]'")
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar())


class SocketClient:
    """One Socket.IO connection on the default namespace (websocket transport only)."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: dict[str, Any] | None = None,
        on_event: EventCallback | None = None,
        tag: Any = None,
        http: Any = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "ws"):
            raise ValueError("only http:// (plain, loopback or behind a proxy) is supported")
        self.url = f"{parts.scheme}://{parts.netloc}"
        # python-socketio takes the server's path apart from the URL: a proxy's prefix goes before socket.io/
        self.socketio_path = parts.path.rstrip("/") + "/socket.io"
        self.auth = auth
        self.on_event = on_event
        self.tag = tag
        self.events_received = 0
        self._refused: str | None = None
        # ``http``: a session shared with other clients (left open on close); None: the client makes its own
        self._sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        self._shared_http = http is not None
        self._sio.on("*", self._on_any)
        self._sio.on("connect_error", self._on_refused)

    @property
    def sid(self) -> str | None:
        """The server's id for this connection while it is up, else None."""
        return self._sio.get_sid() if self._sio.connected else None

    @property
    def connected(self) -> bool:
        """Whether the connection is up; it is never re-opened (a drop is a result to count)."""
        return bool(self._sio.connected)

    async def connect(self, timeout: float = 10.0) -> None:
        """Connect over the websocket within ``timeout``, or raise :class:`SocketIOError` saying why not."""
        if aiohttp is None:
            raise SocketIOError("the Socket.IO client needs aiohttp: pip install 'vuoro[simulate]'")
        try:
            async with asyncio.timeout(timeout):
                await self._sio.connect(
                    self.url,
                    auth=self.auth,
                    transports=["websocket"],
                    socketio_path=self.socketio_path,
                    wait_timeout=timeout,
                )
        except TimeoutError:
            await self.close()
            raise SocketIOError(f"no Socket.IO connection within {timeout}s") from None
        except socketio.exceptions.ConnectionError as exc:
            await self.close()
            raise SocketIOError(f"connection refused: {self._refused or exc}") from None
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Disconnect; never raises, and leaves a shared session open for the other clients."""
        with contextlib.suppress(Exception):
            await self._sio.disconnect()
        if self._shared_http:
            # engineio's client closes its session when it is garbage-collected, even one it was given: the
            # shared session would close under the other clients, and each later client would open (and leak)
            # a session of its own ("Unclosed client session" by the thousand in a bench run)
            self._sio.eio.http = None

    async def call(self, event: str, data: Any = None, timeout: float = 10.0) -> Any:
        """Emit ``event`` and wait for the server's acknowledgement (the handler's return value)."""
        try:
            return await self._sio.call(event, data, timeout=timeout)
        except socketio.exceptions.TimeoutError:
            raise SocketIOError(f"no answer to {event!r} within {timeout}s") from None
        except socketio.exceptions.SocketIOError as exc:  # not connected (any more)
            raise SocketIOError(f"{event!r} not sent: {exc}") from None

    async def emit(self, event: str, data: Any = None) -> None:
        """Send ``event`` without waiting for an acknowledgement (:meth:`call` waits)."""
        await self._sio.emit(event, data)

    def _on_any(self, event: str, *args: Any) -> None:
        received_at = time.perf_counter()
        self.events_received += 1
        if self.on_event is None:
            return
        try:
            self.on_event(self, event, args[0] if args else None, received_at)
        except Exception:
            log.exception("event callback failed")

    def _on_refused(self, data: Any) -> None:
        self._refused = str(data.get("message", data) if isinstance(data, dict) else data)


class Swarm:
    """An asyncio loop in a daemon thread holding any number of :class:`SocketClient` connections."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.clients: list[SocketClient] = []
        self._http: Any = None
        self._thread = threading.Thread(target=self._run, name="sio-swarm", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        """Run ``coro`` on the swarm's loop and wait for its result (from any other thread)."""
        fut: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return fut.result(timeout)

    def client(
        self,
        base_url: str,
        *,
        auth: dict[str, Any] | None = None,
        on_event: EventCallback | None = None,
        tag: Any = None,
    ) -> SocketClient:
        """A new client on the swarm's shared session (call it on the swarm's loop; connect it there)."""
        if self._http is None:
            self._http = new_session()
        return SocketClient(base_url, auth=auth, on_event=on_event, tag=tag, http=self._http)

    def connect(
        self,
        base_url: str,
        *,
        join: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
        on_event: EventCallback | None = None,
        tag: Any = None,
        timeout: float = 15.0,
    ) -> SocketClient:
        """One connection, joined to ``join``'s room if given: :meth:`connect_many` of a single spec."""
        return self.connect_many([(base_url, join, auth, tag)], on_event=on_event, timeout=timeout)[0]

    def connect_many(
        self,
        specs: Iterable[Spec],
        *,
        on_event: EventCallback | None = None,
        concurrency: int = 50,
        timeout: float = 15.0,
        total_timeout: float = 600.0,
    ) -> list[SocketClient]:
        """Open one connection per ``(base_url, join, auth, tag)``; each joins its room and awaits the ack."""
        clients: list[SocketClient] = self.run(
            self._connect_many(list(specs), on_event, concurrency, timeout), total_timeout
        )
        return clients

    def start_connect(
        self,
        specs: Iterable[Spec],
        *,
        on_event: EventCallback | None = None,
        concurrency: int = 50,
        timeout: float = 15.0,
    ) -> Future[list[SocketClient]]:
        """Like :meth:`connect_many` without waiting: the future holds the clients (or the error)."""
        return asyncio.run_coroutine_threadsafe(
            self._connect_many(list(specs), on_event, concurrency, timeout), self.loop
        )

    async def _connect_many(
        self, specs: list[Spec], on_event: EventCallback | None, concurrency: int, timeout: float
    ) -> list[SocketClient]:
        gate = asyncio.Semaphore(concurrency)

        async def one(url: str, join: dict[str, Any] | None, auth: dict[str, Any] | None, tag: Any) -> SocketClient:
            async with gate:
                client = self.client(url, auth=auth, on_event=on_event, tag=tag)
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
        """Close every client the swarm opened, waiting at most ``timeout``; the loop keeps running for new ones."""
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

        self.close_all()
        with contextlib.suppress(Exception):
            self.run(cancel_the_rest(), 10)
        if self._http is not None:
            with contextlib.suppress(Exception):
                self.run(self._http.close(), 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()

    def __enter__(self) -> Swarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
