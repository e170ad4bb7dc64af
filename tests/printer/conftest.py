"""Fixtures for the printer tests (the fake printer itself lives in printer_fakes.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from printer import Receipt
from tests.printer.printer_fakes import FakeEscposPrinter, make_receipt


@pytest.fixture
def fake_escpos() -> Iterator[Callable[[str], FakeEscposPrinter]]:
    """Factory: ``fake_escpos("ok")`` starts a fake printer, stopped after the test."""
    servers: list[FakeEscposPrinter] = []

    def make(mode: str = "ok") -> FakeEscposPrinter:
        server = FakeEscposPrinter(mode)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def receipt() -> Receipt:
    return make_receipt()
