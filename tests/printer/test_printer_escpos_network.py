"""ESC/POS over TCP against the fake Epson: bytes on the wire, status handling, failures."""

from __future__ import annotations

import select
import socket
import threading
import time

import pytest
from escpos.printer import Network

from printer import PaperOut, PrinterState, PrinterUnavailable, build_printer
from printer.escpos_connection import close_connection
from tests.printer.printer_fakes import elapsed, escpos_config, make_receipt, swedish_receipt

DLE_EOT = b"\x10\x04"
GS_K = b"\x1d\x28\x6b"  # GS ( k: 2D code (QR) commands
ESC_T_CP858 = b"\x1bt\x13"  # ESC t 19: code page PC858 on Epson TM printers


def _print_and_capture(fake_escpos, receipt) -> bytes:
    server = fake_escpos("ok")
    build_printer(escpos_config(server)).print_receipt(receipt)
    (data,) = server.wait_closed(1)
    assert server.resets == 0  # closed cleanly, not reset
    return data


def test_job_bytes_have_number_qr_finnish_letters_and_cut(fake_escpos, receipt) -> None:
    data = _print_and_capture(fake_escpos, receipt)

    # Status is asked first (printer status, then paper sensor), on the same connection.
    assert data.startswith(DLE_EOT + b"\x01" + DLE_EOT + b"\x04")
    job = data[6:]
    assert job.startswith(b"\x1b@")  # ESC @ initialise

    # The number, very large: GS ! with both width and height multipliers > 1 right before it.
    number_at = job.index(b"K042\n")
    size_at = job.rindex(b"\x1d!", 0, number_at)
    size = job[size_at + 2]
    assert size >> 4 >= 2 and size & 0x0F >= 2, hex(size)

    # Native QR code: store data (fn 80 'P') with the tracking URL, then print (fn 81 'Q').
    url = receipt.track_url.encode()
    store = GS_K + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    assert store in job
    assert job.index(store) < job.index(GS_K + b"\x03\x001Q0")

    # Finnish letters in code page 858 (ä=0x84, Ä=0x8E, Ö=0x99, Å=0x8F), never UTF-8,
    # with the one code page select before any of them.
    assert job.count(b"\x1bt") == 1
    cp_at = job.index(ESC_T_CP858)
    service_at = job.index("Kansaneläkelaitos".encode("cp858"))
    where_at = job.index("Odotustila Ä/Ö/Å".encode("cp858"))
    assert b"Kansanel\x84kelaitos" in job and b"\x8e/\x99/\x8f" in job
    assert cp_at < service_at and cp_at < where_at
    assert "ä".encode() not in job and "Ä".encode() not in job
    # The en dash is not in CP858: it becomes a plain hyphen rather than "?".
    assert b"Kela - Kansanel" in job

    # Texts in the ticket's language, and the cut at the very end (GS V).
    assert "Arvioitu odotusaika: noin 12 min".encode("cp858") in job
    assert b"Sinut kutsutaan vuoronumerollasi." in job
    assert job.rindex(b"\x1dV") > job.index(GS_K + b"\x03\x001Q0")
    assert job.endswith(b"\x1dV\x00")


def test_issued_time_and_optional_wait_line(fake_escpos) -> None:
    data = _print_and_capture(fake_escpos, swedish_receipt())
    assert b"Utskriven: 28.11.2026 09:05" in data
    assert "Beräknad väntetid".encode("cp858") not in data
    assert "Väntplats".encode("cp858") in data


def test_long_centre_name_is_wrapped_not_cut(fake_escpos) -> None:
    name = "Espoon keskuksen yhteispalvelupiste ja kirjasto"
    data = _print_and_capture(fake_escpos, make_receipt(centre_name=name))
    for word in name.split():
        assert word.encode() in data


def test_paper_out_raises_and_sends_no_job(fake_escpos, receipt) -> None:
    server = fake_escpos("paper_out")
    with pytest.raises(PaperOut, match="paper"):
        build_printer(escpos_config(server)).print_receipt(receipt)
    (data,) = server.wait_closed(1)
    assert data == DLE_EOT + b"\x01" + DLE_EOT + b"\x04"  # only the status queries, nothing printed


def test_cover_open_is_unavailable(fake_escpos, receipt) -> None:
    server = fake_escpos("cover_open")
    with pytest.raises(PrinterUnavailable, match="offline"):
        build_printer(escpos_config(server)).print_receipt(receipt)
    assert b"K042" not in server.received


def test_near_end_still_prints(fake_escpos, receipt) -> None:
    server = fake_escpos("near_end")
    build_printer(escpos_config(server)).print_receipt(receipt)
    (data,) = server.wait_closed(1)
    assert b"K042" in data


def test_silent_printer_fails_quickly_without_sending(fake_escpos, receipt) -> None:
    server = fake_escpos("silent")
    seconds, result = elapsed(lambda: build_printer(escpos_config(server)).print_receipt(receipt))
    assert isinstance(result, PrinterUnavailable), result
    assert "no answer" in str(result)
    assert seconds < 4
    server.wait_closed(1)
    assert b"K042" not in server.received


def test_refused_connection_fails_at_once(fake_escpos, receipt) -> None:
    server = fake_escpos("refuse")
    seconds, result = elapsed(lambda: build_printer(escpos_config(server)).print_receipt(receipt))
    assert isinstance(result, PrinterUnavailable), result
    assert f"127.0.0.1:{server.port}" in str(result)
    assert seconds < 2


def test_status_query_off_prints_to_a_printer_that_never_answers(fake_escpos, receipt) -> None:
    server = fake_escpos("silent")
    printer = build_printer(escpos_config(server, status_query=False))
    printer.print_receipt(receipt)
    server.wait_closed(1)
    assert server.received.startswith(b"\x1b@")
    assert printer.status().state is PrinterState.UNKNOWN


@pytest.mark.parametrize(
    ("mode", "state"),
    [
        ("ok", PrinterState.ONLINE),
        ("near_end", PrinterState.PAPER_NEAR_END),
        ("paper_out", PrinterState.PAPER_OUT),
        ("cover_open", PrinterState.OFFLINE),
        ("silent", PrinterState.OFFLINE),
        ("refuse", PrinterState.OFFLINE),
    ],
)
def test_status(fake_escpos, mode: str, state: PrinterState) -> None:
    server = fake_escpos(mode)
    seconds, status = elapsed(lambda: build_printer(escpos_config(server)).status())
    assert status.state is state, status
    assert seconds < 4
    if mode not in ("refuse", "silent"):
        assert server.queries == [1, 4]


@pytest.mark.parametrize("flush", [True, False])
def test_closing_after_a_ticket_with_unread_input(flush: bool) -> None:
    """A printer that sent something we did not read (automatic status back, say).

    Closing a socket with unread input makes Linux reset the connection, dropping whatever
    was still queued for the printer. After a ticket the backend therefore half-closes and
    reads until the printer closes (``flush``). The False case shows the test can tell.
    """
    payload = b"ticket-data " * 100_000  # ~1.2 MB: more than the printer's socket buffer holds
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = bytearray()
    outcome: list[str] = []

    def printer_side() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"\x14\x00\x00\x0f")  # unsolicited status bytes
            time.sleep(0.2)  # busy: starts reading the ticket a little later
            try:
                while chunk := conn.recv(65536):
                    received.extend(chunk)
                outcome.append("closed")
            except ConnectionResetError:
                outcome.append("reset")

    thread = threading.Thread(target=printer_side, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    cfg = escpos_config(type("Where", (), {"host": "127.0.0.1", "port": port})())
    device = Network(host=cfg.host, port=port, timeout=5)
    device.device = socket.create_connection((cfg.host, port), timeout=5)
    assert select.select([device.device], [], [], 5)[0]  # the unsolicited bytes have arrived
    device._raw(payload)
    close_connection(cfg, device, flush=flush)
    thread.join(10)
    listener.close()
    if flush:
        assert outcome == ["closed"] and bytes(received) == payload
    else:
        assert outcome == ["reset"] or len(received) < len(payload)
