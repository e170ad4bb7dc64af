"""The load of bench/workers.py: the phones' tickets it issues and the boards that time each call."""

from __future__ import annotations

import threading
import time
from typing import Any

from vuoro_tools.simulate.http import HttpClient
from vuoro_tools.simulate.sockets import SocketClient

SERVICES = ["library", "kela", "health", "service_point", "lab", "maternity", "youth", "kohtaamo", "mental"]
OBSERVERS = 2
WAITING_TICKETS = 300


def issue_tickets(http: HttpClient, token: str, phones: int, calls: int) -> list[str]:
    """The phones' tickets (spread over the services, 8 kiosks at once), then the kela tickets to call."""
    tokens: list[str] = []
    lock = threading.Lock()

    def kiosk(k: int) -> None:
        for i in range(k, min(phones, WAITING_TICKETS), 8):
            try:
                reply = http.post("/api/tickets", {"services": [SERVICES[i % len(SERVICES)]]}, token=token)
            except OSError:  # no answer in time: that phone shares another's ticket
                continue
            if reply.status == 201:
                with lock:
                    tokens.append(reply.body["ticket"]["token"])

    kiosks = [threading.Thread(target=kiosk, args=(k,)) for k in range(8)]
    for t in kiosks:
        t.start()
    for t in kiosks:
        t.join(600)
    for _ in range(calls):
        http.post("/api/tickets", {"services": ["kela"]}, token=token)
    return tokens


class Observers:
    """When each observing board (tagged 0 .. OBSERVERS-1) received ``called`` for a number."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[int, float]] = {}
        self.lock = threading.Lock()

    def on_event(self, client: SocketClient, event: str, data: Any, at: float) -> None:
        if event == "called" and isinstance(data, dict) and client.tag is not None:
            with self.lock:
                self.seen.setdefault(str(data.get("number")), {})[client.tag] = at

    def wait(self, number: str, timeout: float = 10.0) -> dict[int, float]:
        deadline = time.perf_counter() + timeout
        while True:
            with self.lock:
                got = dict(self.seen.get(number, {}))
            if len(got) == OBSERVERS or time.perf_counter() > deadline:
                return got
            time.sleep(0.002)
