"""Signatures drawn on the handover screen: a PNG data URL from the canvas, checked and re-encoded."""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, ImageOps, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_ENCODED = 400_000  # characters of base64: a canvas of a few hundred pixels is far below this
MAX_SIDE = 2000
MIN_INK_PIXELS = 40  # a tap or a dot is not a signature


class SignatureRejected(ValueError):
    """The drawing could not be read or holds no signature."""


def clean_signature(data_url: str) -> bytes:
    """A small black-on-white PNG of the strokes, or ``SignatureRejected``.

    The browser's PNG is decoded and drawn again, so nothing but pixels is kept.
    """
    if not data_url.startswith(PREFIX) or len(data_url) > MAX_ENCODED:
        raise SignatureRejected("not a PNG data URL of a sensible size")
    try:
        raw = base64.b64decode(data_url[len(PREFIX) :], validate=True)
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as image:
            if max(image.size) > MAX_SIDE:
                raise SignatureRejected("too large")
            image.load()
            rgba = image.convert("RGBA")
    except (
        binascii.Error,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        # Pillow reports a damaged PNG as SyntaxError or ValueError as well as OSError.
        raise SignatureRejected(str(exc)) from None
    # Strokes on a transparent canvas: flatten onto white, then keep the grey levels only.
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    ink = sum(grey.point(lambda v: 255 if v < 128 else 0).histogram()[255:])
    if ink < MIN_INK_PIXELS:
        raise SignatureRejected("blank")
    box = ImageOps.invert(grey).getbbox()
    if box is not None:
        pad = 8
        grey = grey.crop(
            (
                max(0, box[0] - pad),
                max(0, box[1] - pad),
                min(grey.width, box[2] + pad),
                min(grey.height, box[3] + pad),
            )
        )
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    return out.getvalue()
