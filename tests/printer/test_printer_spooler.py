"""PrintSpooler: submit never blocks, failures come back as results with the right code."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from printer import (
    Delivery,
    EscposPrinterConfig,
    FakePrinter,
    PrinterUnavailable,
    PrintResult,
    PrintSpooler,
    build_printer,
)
from tests.printer.printer_fakes import ResultLog, elapsed, escpos_config, make_receipt


class GatedPrinter(FakePrinter):
    """Blocks in print_receipt until the test opens the gate."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.started = threading.Event()
        self.gate = threading.Event()

    def print_receipt(self, receipt) -> None:
        self.started.set()
        assert self.gate.wait(10)
        super().print_receipt(receipt)


class FlakyPrinter(FakePrinter):
    """Offline for the first ``failures`` attempts."""

    def __init__(self, key: str, failures: int, retries: int) -> None:
        super().__init__(key, retries=retries)
        self.failures = failures

    def print_receipt(self, receipt) -> None:
        if self.attempts < self.failures:
            self.attempts += 1
            raise PrinterUnavailable("not yet")
        super().print_receipt(receipt)


@pytest.fixture
def spooler_factory():
    spoolers: list[PrintSpooler] = []

    def make(printers, **kwargs) -> tuple[PrintSpooler, ResultLog]:
        log = ResultLog()
        spooler = PrintSpooler(printers, on_result=log, **kwargs)
        spooler.start()
        spoolers.append(spooler)
        return spooler, log

    yield make
    for spooler in spoolers:
        spooler.close(timeout=10)


def test_ok_printer_reports_printed(fake_escpos, spooler_factory) -> None:
    server = fake_escpos("ok")
    spooler, log = spooler_factory({"p1": build_printer(escpos_config(server))})
    seconds, _ = elapsed(lambda: spooler.submit("p1", make_receipt(), {"ticket_id": 7}))
    assert seconds < 0.2
    (result,) = log.wait(1)
    assert result == PrintResult("p1", "K042", True, None, None, 1, {"ticket_id": 7}, Delivery.PRINTED)
    assert b"K042" in server.received
    assert log.threads[0] != threading.current_thread().name


@pytest.mark.parametrize(
    ("mode", "code", "attempts"), [("refuse", "offline", 2), ("silent", "offline", 1), ("paper_out", "paper_out", 1)]
)
def test_failing_printer_reports_failure(fake_escpos, spooler_factory, mode, code, attempts) -> None:
    server = fake_escpos(mode)
    retries = attempts - 1 if mode != "paper_out" else 2  # paper out is never retried
    printer = build_printer(escpos_config(server, retries=retries, timeout_s=0.5))  # short status wait
    spooler, log = spooler_factory({"p1": printer}, backoff_s=0.05)
    seconds, _ = elapsed(lambda: spooler.submit("p1", make_receipt(), {"ticket_id": 8}))
    assert seconds < 0.2
    (result,) = log.wait(1)
    assert (result.ok, result.error_code, result.attempts) == (False, code, attempts)
    assert result.context == {"ticket_id": 8} and result.number == "K042" and result.message
    assert b"K042" not in server.received


def test_silent_printer_does_not_hold_up_another(fake_escpos, spooler_factory) -> None:
    silent, ok = fake_escpos("silent"), fake_escpos("ok")
    printers = {
        "slow": build_printer(escpos_config(silent, key="slow", retries=1, timeout_s=0.5)),
        "fast": build_printer(escpos_config(ok, key="fast")),
    }
    spooler, log = spooler_factory(printers, backoff_s=0.05)
    start = time.monotonic()
    spooler.submit("slow", make_receipt(number="S001"))
    spooler.submit("fast", make_receipt(number="F001"))
    first = log.wait(1)[0]
    assert first.number == "F001" and first.ok
    assert time.monotonic() - start < 1.0
    second = log.wait(2)[1]
    assert (second.number, second.ok, second.error_code, second.attempts) == ("S001", False, "offline", 2)


def test_unknown_printer_and_driver_missing(monkeypatch, spooler_factory) -> None:
    monkeypatch.setitem(__import__("sys").modules, "serial", None)
    serial = build_printer(
        EscposPrinterConfig(key="s1", type="escpos", connection="serial", device="/dev/ttyS9", retries=3)
    )
    spooler, log = spooler_factory({"s1": serial})
    spooler.submit("nope", make_receipt(number="N001"))
    spooler.submit("s1", make_receipt(number="S001"))
    results = {r.number: r for r in log.wait(2)}
    assert (results["N001"].error_code, results["N001"].attempts) == ("unknown_printer", 0)
    assert (results["S001"].error_code, results["S001"].attempts) == ("driver_missing", 1)
    assert "vuoro[serial]" in results["S001"].message
    assert all(name == "print-results" for name in log.threads)  # never on the submitting thread


def test_retries_then_success_and_offline_gives_up(spooler_factory) -> None:
    flaky = FlakyPrinter("flaky", failures=2, retries=2)
    dead = FakePrinter("dead", fail="offline", retries=2)
    spooler, log = spooler_factory({"flaky": flaky, "dead": dead}, backoff_s=0.01)
    spooler.submit("flaky", make_receipt(number="A001"))
    spooler.submit("dead", make_receipt(number="B001"))
    log.wait(2)
    results = log.by_number()
    assert (results["A001"].ok, results["A001"].attempts) == (True, 3)
    assert (results["B001"].ok, results["B001"].error_code, results["B001"].attempts) == (False, "offline", 3)
    assert [r.number for r in flaky.printed] == ["A001"] and dead.printed == []


def test_full_queue_fails_at_once(spooler_factory) -> None:
    gated = GatedPrinter("g")
    spooler, log = spooler_factory({"g": gated}, queue_size=1)
    spooler.submit("g", make_receipt(number="G001"))
    assert gated.started.wait(5)  # G001 is being printed, the queue is empty again
    spooler.submit("g", make_receipt(number="G002"))  # fills the queue
    seconds, _ = elapsed(lambda: spooler.submit("g", make_receipt(number="G003")))
    assert seconds < 0.2
    (rejected,) = log.wait(1)
    assert (rejected.number, rejected.error_code) == ("G003", "error") and "full" in rejected.message
    gated.gate.set()
    log.wait(3)
    assert {n: r.ok for n, r in log.by_number().items()} == {"G001": True, "G002": True, "G003": False}


def test_stale_job_is_not_printed_for_the_next_person(spooler_factory) -> None:
    slow = FakePrinter("slow", delay_s=0.3)
    spooler, log = spooler_factory({"slow": slow}, max_age_s=0.1)
    spooler.submit("slow", make_receipt(number="A001"))
    spooler.submit("slow", make_receipt(number="A002"))
    log.wait(2)
    results = log.by_number()
    assert results["A001"].ok and not results["A002"].ok and "waited" in results["A002"].message
    assert [r.number for r in slow.printed] == ["A001"]


def test_callback_errors_are_logged_not_fatal(caplog, spooler_factory) -> None:
    seen: list[str] = []

    def on_result(result: PrintResult) -> None:
        seen.append(result.number)
        if result.number == "X001":
            raise RuntimeError("callback broke")

    spooler = PrintSpooler({"f": FakePrinter("f")}, on_result=on_result)
    spooler.start()
    with caplog.at_level(logging.ERROR, logger="printer.spooler"):
        spooler.submit("f", make_receipt(number="X001"))
        spooler.submit("f", make_receipt(number="X002"))
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        spooler.close()
    assert seen == ["X001", "X002"]
    assert "callback broke" in caplog.text


def test_close_fails_queued_jobs_and_rejects_new_ones() -> None:
    gated = GatedPrinter("g")
    log = ResultLog()
    spooler = PrintSpooler({"g": gated}, on_result=log)
    spooler.start()
    spooler.submit("g", make_receipt(number="G001"))
    assert gated.started.wait(5)
    spooler.submit("g", make_receipt(number="G002"))
    threading.Timer(0.2, gated.gate.set).start()
    spooler.close(timeout=5)
    results = log.by_number()
    assert results["G001"].ok  # the ticket being printed is finished
    assert not results["G002"].ok and "closed" in results["G002"].message
    with pytest.raises(RuntimeError):
        spooler.submit("g", make_receipt())


def test_jobs_submitted_before_start_are_printed() -> None:
    fake = FakePrinter("f")
    log = ResultLog()
    spooler = PrintSpooler({"f": fake}, on_result=log)
    spooler.submit("f", make_receipt(number="E001"))
    assert fake.printed == []
    spooler.start()
    assert log.wait(1)[0].ok
    spooler.close()
