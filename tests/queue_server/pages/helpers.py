"""Shared checks for page tests: what a strict Content-Security-Policy forbids, and QR codes read from SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script":
            src = dict(attrs).get("src")
            if not src:
                self.problems.append("inline <script>")
            else:
                self.scripts.append(src)
        if tag == "style":
            self.problems.append("inline <style>")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
        for name, value in attrs:
            if name in ("href", "src", "action") and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def inline_code(html: str) -> list[str]:
    """Everything in ``html`` that a CSP without 'unsafe-inline' would block."""
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def script_sources(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.scripts


def svg_qr_modules(svg: bytes) -> tuple[int, int, set[tuple[int, int]]]:
    """The dark modules of a segno SVG: its path draws each row's dark runs as horizontal strokes.

    Only the commands segno writes (M, m, h, H, z) are understood; anything else fails the test loudly.
    """
    root = ET.fromstring(svg)  # noqa: S314 - our own server's output
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    paths = [p for p in root.findall(f".//{SVG}path") if "stroke" in p.attrib]  # the other one: white background
    assert len(paths) == 1, "expected one path of dark modules"
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?", paths[0].attrib["d"])
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    i = 0
    while i < len(tokens):
        cmd = tokens[i]
        if cmd == "M":
            x, y = float(tokens[i + 1]), float(tokens[i + 2])
            i += 3
        elif cmd == "m":
            x, y = x + float(tokens[i + 1]), y + float(tokens[i + 2])
            i += 3
        elif cmd in ("h", "H"):
            end = x + float(tokens[i + 1]) if cmd == "h" else float(tokens[i + 1])
            row = int(y)  # a stroke of width 1 centred on y + 0.5
            for col in range(int(round(x)), int(round(end))):
                dark.add((col, row))
            x = end
            i += 2
        elif cmd in ("z", "Z"):
            i += 1
        else:
            raise AssertionError(f"unexpected SVG path command {cmd!r}")
    return int(width), int(height), dark


def decode_svg_qr(svg: bytes, scale: int = 8) -> str:
    """Rasterize the SVG's modules and decode them with zxing-cpp, as a phone's camera would read them."""
    import zxingcpp
    from PIL import Image

    width, height, dark = svg_qr_modules(svg)
    image = Image.new("L", (width * scale, height * scale), 255)
    pixels = image.load()
    assert pixels is not None
    for col, row in dark:
        for dx in range(scale):
            for dy in range(scale):
                pixels[col * scale + dx, row * scale + dy] = 0
    results = zxingcpp.read_barcodes(image)
    assert results, "zxing-cpp found no QR code"
    return str(results[0].text)
