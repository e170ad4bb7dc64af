"""The chime that boards (and phones) play before a call: a soft two-tone "ding-dong", made here, no network.

``python -m queue_server.pages.sounds`` writes ``static/sounds/chime.wav``; the output is deterministic, and
a test checks that the shipped file is exactly what this code makes.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

CHIME_PATH = Path(__file__).parent / "static" / "sounds" / "chime.wav"
RATE = 22050
#: (frequency Hz, start s, length s): E5 then C5, the second overlapping the first's decay
TONES = ((659.25, 0.0, 0.9), (523.25, 0.42, 1.1))
PEAK = 0.32  # of full scale: soft, never clipping


def _tone(t: float, frequency: float, length: float) -> float:
    if t < 0 or t >= length:
        return 0.0
    attack = min(1.0, t / 0.012)  # 12 ms fade-in: no click
    release = min(1.0, (length - t) / 0.05)  # 50 ms fade-out at the end
    decay = math.exp(-3.2 * t)  # a bell's fall-off
    wave_value = (
        math.sin(2 * math.pi * frequency * t)
        + 0.25 * math.sin(2 * math.pi * 2 * frequency * t)
        + 0.08 * math.sin(2 * math.pi * 3 * frequency * t)
    ) / 1.33
    return attack * release * decay * wave_value


def chime_wav(rate: int = RATE) -> bytes:
    """The chime as a 16-bit mono WAV file."""
    total = max(start + length for _, start, length in TONES)
    frames = bytearray()
    for i in range(int(total * rate)):
        t = i / rate
        value = sum(_tone(t - start, f, length) for f, start, length in TONES) * PEAK
        frames += struct.pack("<h", int(round(max(-1.0, min(1.0, value)) * 32767)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def main() -> None:
    """Write the chime to ``static/sounds/chime.wav`` (``python -m queue_server.pages.sounds``)."""
    CHIME_PATH.parent.mkdir(parents=True, exist_ok=True)
    CHIME_PATH.write_bytes(chime_wav())


if __name__ == "__main__":
    main()
