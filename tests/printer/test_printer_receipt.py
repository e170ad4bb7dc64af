"""Receipts, fixed texts and the character-set fitting shared by the backends."""

from __future__ import annotations

from datetime import datetime

import pytest

from printer import LANGUAGES, sample_receipt
from printer.charset import fit_text, python_codec_encoder
from printer.strings import TEXTS, format_issued, format_wait
from tests.printer.printer_fakes import make_receipt


def test_sample_receipt() -> None:
    sample = sample_receipt()
    assert (sample.centre_name, sample.service_name, sample.where_to_wait, sample.number) == (
        "Iso Omenan palvelutori",
        "Kela – Kansaneläkelaitos",
        "Odotustila A, 2. kerros",
        "K042",
    )
    assert sample.issued_at.utcoffset() is not None
    for lang in LANGUAGES:
        assert sample_receipt(lang).language == lang


@pytest.mark.parametrize(
    "change",
    [
        {"issued_at": datetime(2026, 11, 28, 9, 5)},  # naive
        {"language": "de"},
        {"number": " "},
        {"estimated_wait_s": -1},
    ],
)
def test_receipt_rejects_bad_values(change) -> None:
    with pytest.raises(ValueError):
        make_receipt(**change)


def test_texts_complete_and_with_nordic_letters() -> None:
    assert set(TEXTS) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(TEXTS[lang]) == set(TEXTS["en"])
    assert TEXTS["fi"]["called_by_number"] == "Sinut kutsutaan vuoronumerollasi. Seuraa vuoroasi puhelimellasi:"
    assert "ö" in TEXTS["sv"]["your_number"] and "ä" in TEXTS["sv"]["estimated_wait"]
    assert TEXTS["en"]["called_by_number"] == ("You will be called by your number. Follow your turn on your phone:")


@pytest.mark.parametrize(
    ("lang", "seconds", "expected"),
    [
        ("en", None, None),
        ("en", 30, "under 1 min"),
        ("en", 12 * 60 + 20, "about 12 min"),
        ("fi", 12 * 60 + 40, "noin 13 min"),
        ("sv", 5 * 60, "cirka 5 min"),
        ("fi", 95 * 60, "noin 1 h 35 min"),
    ],
)
def test_format_wait(lang, seconds, expected) -> None:
    assert format_wait(lang, seconds) == expected


def test_format_issued() -> None:
    when = make_receipt().issued_at
    assert format_issued("fi", when) == "28.11.2026 09:05"
    assert format_issued("en", when) == "2026-11-28 09:05"


def test_fit_text() -> None:
    latin1 = python_codec_encoder("latin-1")
    assert fit_text("Kela – Kansaneläkelaitos", latin1) == "Kela - Kansaneläkelaitos"
    assert fit_text("Šiauliai “ok” €", latin1) == 'Siauliai "ok" EUR'
    assert fit_text("東京", latin1) == "??"
    assert fit_text("A\x1bi\x1dV\nB", latin1) == "A i V B"  # no printer commands from data
