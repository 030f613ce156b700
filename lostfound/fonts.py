"""Finding a CJK font on the system, for posters and PDFs; says what to install when none is there."""

from __future__ import annotations

import logging
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
