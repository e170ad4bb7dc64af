"""Test helpers: a fake ESC/POS network printer on 127.0.0.1, receipts, configs.

The fake records every byte it receives (one entry per TCP connection) and
answers real-time status requests (DLE EOT n = 0x10 0x04 n) with the bytes an
Epson TM printer sends, so the status logic is tested against the protocol
rather than against our own parser.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from printer import EscposPrinterConfig, Receipt, ReceiptTexts

# Epson DLE EOT replies. Fixed bits: 1 and 4 set (0x12). n=1 bit 3 = offline,
# n=4 bits 2+3 = paper near end, bits 5+6 = paper end. 0x16 has the drawer bit
# set too, as real printers often do, so the parser must mask properly.
REPLIES: dict[str, dict[int, int]] = {
    "ok": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1E, 2: 0x16, 3: 0x12, 4: 0x12},
}
MODES = ("ok", "near_end", "paper_out", "cover_open", "silent", "refuse")


class FakeEscposPrinter:
    """A TCP server speaking just enough ESC/POS; ``mode`` may be changed at any time."""

    def __init__(self, mode: str = "ok") -> None:
        assert mode in MODES, mode
        self.mode = mode
        self.connections: list[bytearray] = []
        self.queries: list[int] = []
        self.resets = 0  # connections that ended in a TCP reset instead of a clean close
        self._closed_count = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.host, self.port = self._listener.getsockname()
        if mode == "refuse":
            self._listener.close()  # nothing listens on the port any more: connect is refused
            return
        self._listener.listen(8)
        self._listener.settimeout(0.1)
        self._spawn(self._accept_loop)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._cond:
                record = bytearray()
                self.connections.append(record)
            self._spawn(self._serve, conn, record)

    def _serve(self, conn: socket.socket, record: bytearray) -> None:
        pos = 0
        with conn:
            conn.settimeout(0.1)
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    with self._cond:
                        self.resets += 1
                    break
                if not chunk:
                    break
                with self._cond:
                    record.extend(chunk)
                while (idx := record.find(b"\x10\x04", pos)) != -1 and idx + 2 < len(record):
                    n = record[idx + 2]
                    pos = idx + 3
                    with self._cond:
                        self.queries.append(n)
                    reply = REPLIES.get(self.mode, {}).get(n)
                    if reply is not None:
                        conn.sendall(bytes([reply]))
        with self._cond:
            self._closed_count += 1
            self._cond.notify_all()

    def wait_closed(self, count: int = 1, timeout: float = 5.0) -> list[bytes]:
        """Wait until ``count`` connections have been closed by the client; return all connections' bytes."""
        with self._cond:
            assert self._cond.wait_for(lambda: self._closed_count >= count, timeout), (
                f"only {self._closed_count} of {count} connections closed"
            )
            return [bytes(c) for c in self.connections]

    @property
    def received(self) -> bytes:
        with self._cond:
            return b"".join(bytes(c) for c in self.connections)

    def close(self) -> None:
        self._stop.set()
        if self.mode != "refuse":
            self._listener.close()
        for thread in self._threads:
            thread.join(2)


def escpos_config(server: FakeEscposPrinter, key: str = "p1", **overrides: Any) -> EscposPrinterConfig:
    """A network printer config pointing at a fake printer (no retries unless asked)."""
    data: dict[str, Any] = {
        "key": key,
        "type": "escpos",
        "connection": "network",
        "host": server.host,
        "port": server.port,
        "retries": 0,
    }
    data.update(overrides)
    return EscposPrinterConfig(**data)


#: the fixed texts as the server's Finnish catalogue gives them (tests/queue_server checks the catalogue's)
FINNISH = ReceiptTexts(
    your_number="Vuoronumerosi",
    issued="Tulostettu",
    where_to_wait="Odotuspaikka",
    estimated_wait="Arvioitu odotusaika",
    called_by_number="Sinut kutsutaan vuoronumerollasi. Seuraa vuoroasi puhelimellasi:",
)


SWEDISH = ReceiptTexts(
    your_number="Ditt könummer",
    issued="Utskriven",
    where_to_wait="Väntplats",
    estimated_wait="Beräknad väntetid",
    called_by_number="Du ropas upp med ditt nummer. Följ din tur i telefonen:",
)


def make_receipt(**overrides: Any) -> Receipt:
    """The receipt the encoding tests print: Finnish letters in service name and waiting place."""
    data: dict[str, Any] = {
        "centre_name": "Iso Omenan palvelutori",
        "service_name": "Kela – Kansaneläkelaitos",
        "number": "K042",
        "issued_at": datetime(2026, 11, 28, 9, 5, tzinfo=ZoneInfo("Europe/Helsinki")),
        "issued_text": "28.11.2026 09:05",
        "where_to_wait": "Odotustila Ä/Ö/Å",
        "wait_text": "noin 12 min",
        "track_url": "https://vuoro.example/t/7QX2M9K042",
        "language": "fi",
        "texts": FINNISH,
    }
    data.update(overrides)
    return Receipt(**data)


def swedish_receipt() -> Receipt:
    """A Swedish ticket without a wait estimate (the estimated-wait line is left out)."""
    return make_receipt(wait_text=None, language="sv", texts=SWEDISH, issued_text="28.11.2026 09:05")


def elapsed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``func``; return (seconds, result or the exception it raised)."""
    start = time.monotonic()
    try:
        result: Any = func()
    except Exception as exc:
        result = exc
    return time.monotonic() - start, result


class ResultLog:
    """Collects PrintSpooler results (and the thread each arrived on) for assertions."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.threads: list[str] = []
        self._cond = threading.Condition()

    def __call__(self, result: Any) -> None:
        with self._cond:
            self.results.append(result)
            self.threads.append(threading.current_thread().name)
            self._cond.notify_all()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.results) >= count, timeout), self.results
            return list(self.results)

    def by_number(self) -> dict[str, Any]:
        with self._cond:
            return {r.number: r for r in self.results}
