"""Several real ``vuoro serve`` processes on one PostgreSQL database and one Redis channel, as deployed.

Each cluster gets its own Redis pub/sub channel (channels are not scoped by the Redis database number), so
concurrent test runs on one machine do not hear each other.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from queue_server.db import Database
from queue_server.models import Ticket, TicketEvent
from queue_server.services.accounts import add_user, create_token
from tests.live_server import LiveServer
from vuoro_tools.simulate.http import HttpClient
from vuoro_tools.simulate.sockets import SocketClient, Swarm

ADMIN = ("admin", "admin-password-1")


def prepare_database(url: str) -> dict[str, str]:
    """Migrate once (as ``vuoro db upgrade`` does on release), add an admin (no "first start" admin for the
    processes to race for) and the device tokens the tests use: kiosk k1 and a desk token."""
    db = Database(url)
    try:
        db.upgrade()
        add_user(db, *ADMIN, "admin")
        return {"kiosk": create_token(db, "kiosk", "k1"), "desk": create_token(db, "desk", "desks")}
    finally:
        db.dispose()


class Cluster:
    """``count`` server processes on one PostgreSQL database and one Redis channel."""

    def __init__(
        self,
        config: dict[str, Any],
        workdir: Path,
        db_url: str,
        redis_url: str,
        tokens: dict[str, str],
        *,
        count: int = 2,
        args: Sequence[str] = (),
        public_url: str | None = None,
    ) -> None:
        env = {
            "VUORO_DATABASE_URL": db_url,
            "VUORO_REDIS_URL": redis_url,
            "VUORO_SOCKETIO_CHANNEL": f"vuoro-test-{uuid.uuid4().hex[:12]}",
        }
        self.servers = [LiveServer(config, workdir, env=env, args=args, public_url=public_url) for _ in range(count)]
        self.db_url = db_url
        self.tokens = tokens
        self.swarm = Swarm()
        self._http: dict[str, HttpClient] = {}

    def http(self, server: LiveServer) -> HttpClient:
        """One keep-alive client per server, shared by the test's threads and closed at the end."""
        if server.url not in self._http:
            self._http[server.url] = HttpClient(server.url, timeout=10)
        return self._http[server.url]

    def start(self) -> Cluster:
        errors: list[BaseException] = []

        def start(server: LiveServer) -> None:
            try:
                server.start(timeout=60)
            except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(s,)) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.stop()
            raise errors[0]
        return self

    def stop(self) -> None:
        self.swarm.stop()
        for client in self._http.values():
            client.close()
        threads = [threading.Thread(target=s.stop) for s in self.servers]  # all shut down at once
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def board(self, server: LiveServer, zone: str) -> tuple[SocketClient, list[dict[str, Any]], threading.Event]:
        called: list[dict[str, Any]] = []
        arrived = threading.Event()

        def on_event(_client: SocketClient, event: str, data: Any, _at: float) -> None:
            if event == "called":
                called.append(data)
                arrived.set()

        client = self.swarm.connect(server.url, join={"board": zone}, on_event=on_event)
        return client, called, arrived

    def events(self) -> list[tuple[int, str, str]]:
        """(ticket id, number, event type) of the whole event log, oldest first."""
        db = Database(self.db_url)
        try:
            with db.reader() as session:
                return [
                    tuple(r)
                    for r in session.execute(  # type: ignore[misc]
                        sa.select(TicketEvent.ticket_id, Ticket.number, TicketEvent.type)
                        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                        .order_by(TicketEvent.id)
                    )
                ]
        finally:
            db.dispose()

    def numbers(self) -> list[str]:
        db = Database(self.db_url)
        try:
            with db.reader() as session:
                return list(session.scalars(sa.select(Ticket.number).order_by(Ticket.id)))
        finally:
            db.dispose()
