"""Posters of published notices, drawn with Pillow: for community notice boards and social media.

Two sizes: a phone-screen portrait (1080×1920) and an A4 sheet at 150 dpi (1240×1754). Every
character is checked against the font before anything is drawn, so a poster never carries the
empty boxes of missing glyphs; Chinese text wraps at any character, keeping closing punctuation
off the start of a line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from enum import Enum

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps

from lostfound.fonts import Face, cjk_face

BLUE = (12, 60, 140)
INK = (25, 25, 25)
GREY = (95, 95, 95)
PAPER = (255, 255, 255)
# Never at the start of a line (Chinese line-breaking rules), never at the end of one.
_NO_START = set("，。、；：！？）》」』】’”,.;:!?)")
_NO_END = set("（《「『【‘“(")


_DATE_LINE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2} [A-Z][a-z]+ \d{4}")


class PosterSize(Enum):
    PORTRAIT = (1080, 1920)
    A4 = (1240, 1754)  # 210 × 297 mm at 150 dpi


@dataclass(frozen=True)
class PosterText:
    station: str
    title: str
    paragraphs: list[str]
    footer: str  # reference, date and verification code
    verify_url: str
    photo: bytes | None = None  # a JPEG marked fit to publish
    draft: bool = False  # not yet published: no QR code, no code to verify, stamped as a draft


class GlyphsMissing(ValueError):
    def __init__(self, characters: list[str]) -> None:
        super().__init__("".join(characters))
        self.characters = characters


def _tokens(text: str) -> list[str]:
    """Latin words stay whole; every CJK character may break."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        candidate = line + token
        if font.getlength(candidate) <= width or not line.strip():
            line = candidate
            continue
        if token in _NO_START:  # pull the punctuation up, or take the last character down with it
            line = candidate
            continue
        if line and line[-1] in _NO_END:
            lines.append(line[:-1].rstrip())
            line = line[-1] + token
            continue
        lines.append(line.rstrip())
        line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _signature_line(paragraph: str, station: str) -> bool:
    """The issuing station's name or the date at the foot of a notice, set to the right."""
    return paragraph == station or bool(_DATE_LINE.fullmatch(paragraph))


def _font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _qr(url: str, side: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return (
        Image.open(io.BytesIO(buffer.getvalue()))
        .convert("RGB")
        .resize((side, side), Image.Resampling.NEAREST)
    )


def _photo(data: bytes, box: tuple[int, int]) -> Image.Image | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return ImageOps.fit(image.convert("RGB"), box, Image.Resampling.LANCZOS)
    except (OSError, ValueError, SyntaxError):
        return None


DRAFT_MARK = "草稿 · 未经审批 DRAFT"


def _stamp(image: Image.Image, font: ImageFont.FreeTypeFont) -> None:
    """「草稿 DRAFT」 across the middle of the page, at an angle, in translucent red."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        (image.width // 2, image.height // 2), "草稿 DRAFT", font=font, fill=(200, 30, 30, 90), anchor="mm"
    )
    rotated = layer.rotate(30, resample=Image.Resampling.BICUBIC)
    image.paste(rotated, (0, 0), rotated)


def render(text: PosterText, size: PosterSize) -> bytes:
    """The poster as PNG bytes. Raises ``GlyphsMissing`` (or ``FontMissing``) instead of drawing boxes."""
    regular, bold = cjk_face(), cjk_face(bold=True)
    everything = "".join([text.station, text.footer, "扫码核验真伪", DRAFT_MARK, *text.paragraphs])
    missing = sorted(set(regular.missing(everything)) | set(bold.missing(text.title)))
    if missing:
        raise GlyphsMissing(missing)
    width, height = size.value
    margin = width // 12
    inner = width - 2 * margin
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)

    # Header band: the station's name on police blue.
    band = height // 11
    draw.rectangle((0, 0, width, band), fill=BLUE)
    station_font = _font(bold, band // 3)
    draw.text((width // 2, band // 2), text.station, font=station_font, fill=PAPER, anchor="mm")

    # Title, centred, as many lines as it needs.
    y = band + margin // 2
    title_font = _font(bold, width // 16)
    for line in wrap(text.title, title_font, inner):
        draw.text((width // 2, y), line, font=title_font, fill=INK, anchor="ma")
        y += int(title_font.size * 1.35)
    y += margin // 3

    # The photo, when there is one fit to publish.
    if text.photo:
        picture = _photo(text.photo, (inner, int(height * 0.28)))
        if picture is not None:
            image.paste(picture, (margin, y))
            y += picture.height + margin // 3

    # The body, at the largest size that fits above the footer.
    qr_side = width // 4
    bottom = height - margin - qr_side - margin // 3
    for body_size in range(width // 26, width // 48, -2):
        body_font = _font(regular, body_size)
        lines: list[tuple[str, bool]] = []  # (line, set right as a signature)
        for paragraph in text.paragraphs:
            if _signature_line(paragraph, text.station):
                lines.append((paragraph, True))
                continue
            lines += [(line, False) for line in wrap("\u3000\u3000" + paragraph, body_font, inner)]
            lines.append(("", False))
        step = int(body_size * 1.6)
        if y + step * len(lines) <= bottom:
            break
    else:
        keep = max(1, (bottom - y) // step - 1)
        lines = [*lines[:keep], ("……", False)]
    for line, right in lines:
        if right:
            draw.text((width - margin, y), line, font=body_font, fill=INK, anchor="ra")
        elif line:
            draw.text((margin, y), line, font=body_font, fill=INK)
        y += step if line else step // 2

    # Footer: the QR code to check the poster, the reference, the date and the code.
    top = height - margin - qr_side
    draw.line((margin, top - margin // 4, width - margin, top - margin // 4), fill=(210, 210, 210), width=2)
    small = _font(regular, width // 40)
    x = margin + qr_side + margin // 2
    if text.draft:
        # A preview must never pass for the real thing: no QR code, and a stamp across the page.
        draw.text((x, top + small.size), DRAFT_MARK, font=_font(bold, width // 34), fill=(170, 30, 30))
        _stamp(image, _font(bold, width // 9))
    else:
        image.paste(_qr(text.verify_url, qr_side), (margin, top))
        draw.text((x, top + small.size), "扫码核验真伪", font=_font(bold, width // 34), fill=BLUE)
    for i, line in enumerate(wrap(text.footer, small, width - margin - x)):
        draw.text((x, top + small.size * (3 + int(i * 1.5))), line, font=small, fill=GREY)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
