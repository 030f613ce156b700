"""QR codes for printed papers (segno), as inline SVG that prints sharply."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def receipt_qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="QR", svgclass="qr")
    return Markup(buffer.getvalue().decode())
