"""Bar charts of the monthly figures as PNG images, drawn with Pillow in the installed CJK font."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from lostfound.fonts import cjk_face
from lostfound.posters import GlyphsMissing

WIDTH, HEIGHT = 1200, 675  # 16:9, as social media and slides want it
INK = (30, 30, 30)
GRID = (225, 225, 225)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: tuple[int, int, int]


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    face = cjk_face(bold)
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _nice_top(value: float) -> int:
    """A round upper end for the axis that four grid steps divide into whole numbers: 4, 8, 20, 40, 80, 200, …"""
    top, factors = 4, (2, 2.5)
    step = 0
    while top < value:
        top = int(top * factors[step % 2])
        step += 1
    return top


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> bytes:
    missing = cjk_face().missing(title + "".join(labels) + "".join(s.name for s in series))
    if missing:
        raise GlyphsMissing(missing)
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((40, 28), title, font=_font(34, bold=True), fill=INK)
    # Legend, top right.
    legend = _font(22)
    x = WIDTH - 40
    for item in reversed(series):
        x -= int(legend.getlength(item.name)) + 10
        draw.text((x, 36), item.name, font=legend, fill=INK)
        x -= 28
        draw.rectangle((x, 38, x + 20, 58), fill=item.colour)
        x -= 24
    left, right, top, bottom = 90, WIDTH - 40, 110, HEIGHT - 80
    peak = _nice_top(max([1, *(v for s in series for v in s.values)]))
    small = _font(20)
    for step in range(5):
        value = peak * step / 4
        y = bottom - (bottom - top) * step / 4
        draw.line((left, y, right, y), fill=GRID, width=1)
        draw.text((left - 12, y), f"{value:g}", font=small, fill=INK, anchor="rm")
    slot = (right - left) / max(1, len(labels))
    bar = slot * 0.7 / max(1, len(series))
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.15
        for j, item in enumerate(series):
            value = item.values[i]
            height = (bottom - top) * value / peak
            box = (x0 + bar * j, bottom - height, x0 + bar * (j + 1) - 2, bottom)
            draw.rectangle(box, fill=item.colour)
            if value:
                draw.text(
                    ((box[0] + box[2]) / 2, box[1] - 4), f"{value:g}", font=_font(16), fill=INK, anchor="mb"
                )
        draw.text((left + slot * (i + 0.5), bottom + 12), label, font=small, fill=INK, anchor="ma")
    draw.line((left, bottom, right, bottom), fill=INK, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
