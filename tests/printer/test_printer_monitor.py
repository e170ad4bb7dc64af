"""PrinterMonitor against the fake ESC/POS printer in every mode."""

from __future__ import annotations

import logging
import time

from printer import FakePrinter, PrinterMonitor, PrinterState, PrinterStatus, build_printer
from tests.printer.printer_fakes import escpos_config


def test_poll_once_in_every_mode(fake_escpos) -> None:
    expected = {
        "ok": PrinterState.ONLINE,
        "paper_out": PrinterState.PAPER_OUT,
        "near_end": PrinterState.PAPER_NEAR_END,
        "silent": PrinterState.OFFLINE,
        "refuse": PrinterState.OFFLINE,
    }
    servers = {mode: fake_escpos(mode) for mode in expected}
    printers = {mode: build_printer(escpos_config(server, key=mode, timeout_s=0.5)) for mode, server in servers.items()}
    changes: list[tuple[str, PrinterStatus]] = []
    monitor = PrinterMonitor(printers, interval_s=60, on_change=lambda k, s: changes.append((k, s)))

    snapshot = monitor.poll_once()
    assert {key: status.state for key, status in snapshot.items()} == expected
    assert "no answer" in snapshot["silent"].detail
    assert [key for key, _ in changes] == list(expected)  # the first reading counts as a change

    monitor.poll_once()
    assert len(changes) == len(expected)  # nothing changed, nothing reported

    servers["ok"].mode = "paper_out"
    monitor.poll_once()
    assert [(k, s.state) for k, s in changes[len(expected) :]] == [("ok", PrinterState.PAPER_OUT)]
    assert monitor.snapshot()["ok"].state is PrinterState.PAPER_OUT


def test_background_polling_and_robustness(caplog) -> None:
    class Broken(FakePrinter):
        def status(self) -> PrinterStatus:
            raise RuntimeError("boom")

    fake = FakePrinter("f")

    def on_change(key: str, status: PrinterStatus) -> None:
        if key == "f" and status.state is PrinterState.PAPER_OUT:
            raise ValueError("listener broke")

    monitor = PrinterMonitor({"f": fake, "b": Broken("b")}, interval_s=0.02, on_change=on_change)
    with caplog.at_level(logging.ERROR, logger="printer.monitor"):
        monitor.start()
        try:
            deadline = time.monotonic() + 5
            while len(monitor.snapshot()) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert monitor.snapshot()["f"].state is PrinterState.ONLINE
            assert monitor.snapshot()["b"].state is PrinterState.UNKNOWN
            fake.fail = "paper_out"
            while monitor.snapshot()["f"].state is not PrinterState.PAPER_OUT and time.monotonic() < deadline:
                time.sleep(0.01)
            assert monitor.snapshot()["f"].state is PrinterState.PAPER_OUT
            fake.fail = None
            while monitor.snapshot()["f"].state is not PrinterState.ONLINE and time.monotonic() < deadline:
                time.sleep(0.01)
            assert monitor.snapshot()["f"].state is PrinterState.ONLINE  # still polling after the errors
        finally:
            monitor.close()
    assert "boom" in caplog.text and "listener broke" in caplog.text
