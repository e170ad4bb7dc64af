"""The pages' texts, colours, chime and vendored client: complete, readable, and what the code expects."""

from __future__ import annotations

import re
import wave
from pathlib import Path

from queue_server.pages import sounds
from tests.conftest import ROOT

PAGES = ROOT / "queue_server" / "pages"


# -- colours ---------------------------------------------------------------------------------------------------


def _tokens() -> dict[str, str]:
    css = (PAGES / "static" / "vuoro.css").read_text(encoding="utf-8")
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    return dict(re.findall(r"--(c-[a-z-]+):\s*(#[0-9a-fA-F]{6});", root))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (text, background) pairs the CSS uses for normal-size text: WCAG AA needs 4.5:1
PAIRS = [
    ("c-text", "c-bg"),
    ("c-text", "c-surface"),
    ("c-muted", "c-surface"),
    ("c-muted", "c-bg"),
    ("c-on-primary", "c-primary"),
    ("c-on-primary", "c-primary-hover"),
    ("c-primary", "c-surface"),
    ("c-primary", "c-bg"),
    ("c-primary-hover", "c-primary-soft"),
    ("c-on-ok", "c-ok"),
    ("c-ok", "c-ok-soft"),
    ("c-on-warn-soft", "c-warn-soft"),
    ("c-on-danger", "c-danger"),
    ("c-danger", "c-surface"),
    ("c-text", "c-danger-soft"),
    ("c-danger", "c-danger-soft"),
    ("c-disabled-text", "c-disabled-bg"),
    ("c-text", "c-primary-soft"),
    ("c-text", "c-ok-soft"),
    ("c-on-dark", "c-dark"),
    ("c-on-dark-muted", "c-dark"),
    ("c-on-dark-muted", "c-dark-surface"),
    ("c-accent", "c-dark"),
    ("c-dark", "c-accent"),
    ("c-text", "c-focus"),
]


def test_colour_pairs_meet_wcag_aa() -> None:
    tokens = _tokens()
    low = {
        f"{a} on {b}": round(contrast(tokens[a], tokens[b]), 2)
        for a, b in PAIRS
        if contrast(tokens[a], tokens[b]) < 4.5
    }
    assert low == {}


def test_contrast_formula() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#777777", "#ffffff") < 4.5


# -- the chime and the vendored Socket.IO client ---------------------------------------------------------------


def test_shipped_chime_is_what_the_generator_makes() -> None:
    shipped = sounds.CHIME_PATH.read_bytes()
    made = sounds.chime_wav()
    assert shipped[:44] == made[:44] and len(shipped) == len(made)  # same header and length
    a = memoryview(shipped[44:]).cast("h")
    b = memoryview(made[44:]).cast("h")
    assert max(abs(x - y) for x, y in zip(a, b, strict=True)) <= 1  # same samples (libm rounding aside)


def test_chime_is_short_and_soft(tmp_path: Path) -> None:
    with wave.open(str(sounds.CHIME_PATH)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        seconds = w.getnframes() / w.getframerate()
        samples = memoryview(w.readframes(w.getnframes())).cast("h")
    assert 0.8 <= seconds <= 2.0
    peak = max(abs(s) for s in samples) / 32767
    assert 0.1 < peak < 0.5  # audible, never harsh
    assert abs(samples[0]) < 200 and abs(samples[-1]) < 200  # fades in and out: no clicks


def test_socket_io_client_is_vendored_with_its_licence() -> None:
    vendor = PAGES / "static" / "vendor"
    client = (vendor / "socket.io.min.js").read_text(encoding="utf-8")
    assert re.match(r"/\*!\n \* Socket\.IO v4\.\d+\.\d+", client)
    assert "MIT" in (vendor / "socket.io.LICENSE").read_text(encoding="utf-8")
