"""QR codes as SVG: the ticket's tracking address, a booking's code, a pairing code, the join poster."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> bytes:
    """A scalable QR code (dark on white, quiet zone included) that encodes ``url`` and nothing else."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        border=4,
        xmldecl=False,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue()
