"""Finding a CJK font on the system, for posters and PDFs; says what to install when none is there."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("lostfound.fonts")

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

INSTALL_HINT = "No CJK font found. Install one: apt-get install fonts-noto-cjk (or fonts-wqy-microhei)."


def find_cjk_font() -> Path | None:
    for candidate in CANDIDATES:
        path = Path(candidate)
        if path.exists():
            return path
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                name = path.name.lower()
                if path.suffix.lower() in {".ttc", ".otf", ".ttf"} and ("cjk" in name or "wqy" in name):
                    return path
    return None


def warn_if_no_cjk_font() -> None:
    if find_cjk_font() is None:
        log.warning(INSTALL_HINT)
        print(INSTALL_HINT)


class FontMissing(RuntimeError):
    """No CJK font is installed; the message says which package to install."""


@dataclass(frozen=True)
class Face:
    """One face of a font file (a .ttc holds several): where it is and which characters it has."""

    path: Path
    index: int
    characters: frozenset[int]

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` this face cannot draw (they would come out as empty boxes)."""
        return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in self.characters})


def _bold_sibling(path: Path) -> Path:
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    return bold if bold.exists() else path


@lru_cache(maxsize=4)
def cjk_face(bold: bool = False) -> Face:
    """The Simplified Chinese face of the installed CJK font (the SC face of a Noto collection)."""
    from fontTools.ttLib import TTCollection, TTFont

    path = find_cjk_font()
    if path is None:
        raise FontMissing(INSTALL_HINT)
    if bold:
        path = _bold_sibling(path)
    if path.suffix.lower() == ".ttc":
        fonts = TTCollection(str(path)).fonts
        names = [str(font["name"].getDebugName(1) or "") for font in fonts]
        index = next((i for i, name in enumerate(names) if name.endswith(" SC") and "Mono" not in name), 0)
        cmap = fonts[index].getBestCmap()
    else:
        index, cmap = 0, TTFont(str(path)).getBestCmap()
    return Face(path, index, frozenset(cmap))
