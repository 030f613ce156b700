"""Posters of published notices: the right sizes, the text really drawn, never a missing-glyph box."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from lostfound import posters
from lostfound.fonts import find_cjk_font
from lostfound.posters import PosterSize, PosterText, wrap
from lostfound.services import deed_notices
from tests.factories import SYSTEM
from tests.test_deed_notices import _demo

pytestmark = pytest.mark.skipif(
    find_cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)"
)

TEXT = PosterText(
    station="东城派出所",
    title="关于对实习学警吴一帆予以通报表扬的决定",
    paragraphs=[
        "凌晨，有群众不慎落水，实习学警吴一帆跳入江中，将落水者救上岸。",
        "东城派出所",
        "2026年4月9日",
    ],
    footer="BY-DC-2026-001 · 2026-04-09 · 核验码 ABCD-EFGH-JKMN",
    verify_url="https://lostfound.example.gov.cn/verify?code=ABCDEFGHJKMN",
)


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


@pytest.mark.parametrize("size", list(PosterSize))
def test_a_poster_has_its_size_and_its_words_are_really_drawn(size: PosterSize) -> None:
    full = _image(posters.render(TEXT, size))
    assert full.size == size.value
    # Dropping the body's words changes the pixels where the body is: the text is drawn, not boxes.
    empty = _image(posters.render(PosterText(**{**TEXT.__dict__, "paragraphs": ["东城派出所"]}), size))
    difference = ImageChops.difference(full, empty).getbbox()
    assert difference is not None and difference[3] - difference[1] > 30


def test_a_character_the_font_lacks_is_refused_before_drawing() -> None:
    with pytest.raises(posters.GlyphsMissing) as refused:
        posters.render(PosterText(**{**TEXT.__dict__, "title": "表扬😀"}), PosterSize.PORTRAIT)
    assert refused.value.characters == ["😀"]


def test_chinese_wraps_at_any_character_and_keeps_punctuation_off_the_start_of_a_line() -> None:
    font = posters._font(posters.cjk_face(), 40)
    lines = wrap(
        "民警郑建明、实习学警吴一帆、东城蓝天救援队闻警而动，奋力施救，将落水者安全救上岸。" * 3, font, 400
    )
    assert len(lines) > 3 and all(font.getlength(line) <= 440 for line in lines)
    assert not any(line[0] in "，。、" for line in lines)
    english = wrap("a person fell into the water and trainee officers went to the rescue", font, 300)
    assert all(not line.startswith(" ") for line in english) and "rescue" in english[-1]


async def test_the_public_gets_posters_of_published_notices_only(client: httpx.AsyncClient) -> None:
    stories = await _demo()
    ref = await deed_notices.create_draft(SYSTEM, stories["rescue"], "commendation", "zh_Hans")
    assert (await client.get(f"/commendations/{ref}/poster.png")).status_code == 404
    await deed_notices.approve(SYSTEM, ref)
    await deed_notices.publish(SYSTEM, ref)
    for size, pixels in (("portrait", (1080, 1920)), ("a4", (1240, 1754))):
        response = await client.get(f"/commendations/{ref}/poster.png", params={"size": size})
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).size == pixels
    assert (await client.get(f"/commendations/{ref}/poster.png", params={"size": "huge"})).status_code == 404


def test_a_draft_poster_carries_no_qr_code_and_says_it_is_a_draft() -> None:
    def qr_corner(draft: bool) -> float:
        image = _image(posters.render(PosterText(**{**TEXT.__dict__, "draft": draft}), PosterSize.PORTRAIT))
        width, height = image.size
        margin, side = width // 12, width // 4
        corner = image.crop((margin, height - margin - side, margin + side, height - margin))
        return ImageStat.Stat(corner).mean[0]

    assert qr_corner(draft=False) < 200 and qr_corner(draft=True) > 245
