"""Receipts (every text given, none made here) and the character-set fitting shared by the backends."""

from __future__ import annotations

from datetime import datetime

import pytest

from printer import SAMPLE_TEXTS, sample_receipt
from printer.charset import fit_text, python_codec_encoder
from tests.printer.printer_fakes import make_receipt


def test_sample_receipt_for_a_print_without_a_server() -> None:
    sample = sample_receipt()
    assert (sample.centre_name, sample.number, sample.texts) == ("Iso Omenan palvelutori", "K042", SAMPLE_TEXTS)
    assert sample.issued_at.utcoffset() is not None
    assert sample.issued_text.startswith(f"{sample.issued_at:%Y-%m-%d}")


@pytest.mark.parametrize(
    "change",
    [
        {"issued_at": datetime(2026, 11, 28, 9, 5)},  # naive
        {"language": ""},
        {"language": "f1"},
        {"number": " "},
    ],
)
def test_receipt_rejects_bad_values(change) -> None:
    with pytest.raises(ValueError):
        make_receipt(**change)


def test_fit_text() -> None:
    latin1 = python_codec_encoder("latin-1")
    assert fit_text("Kela – Kansaneläkelaitos", latin1) == "Kela - Kansaneläkelaitos"
    assert fit_text("Šiauliai “ok” €", latin1) == 'Siauliai "ok" EUR'
    assert fit_text("東京", latin1) == "??"
    assert fit_text("A\x1bi\x1dV\nB", latin1) == "A i V B"  # no printer commands from data
