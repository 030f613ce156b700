"""Drawing a poster or a chart in a worker thread, with the font's limits as clear refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from lostfound.domain.i18n_markers import N_
from lostfound.fonts import FontMissing
from lostfound.posters import GlyphsMissing
from lostfound.services.errors import ServiceError, ServiceUnavailable


async def draw(function: Callable[..., bytes], *args: Any, missing: str) -> bytes:
    """``function(*args)`` off the event loop. ``missing`` is the message (with ``%(characters)s``) for
    characters the font cannot draw; no font at all answers 503 with the package to install."""
    try:
        return await asyncio.to_thread(function, *args)
    except GlyphsMissing as exc:
        raise ServiceError(missing, characters=" ".join(exc.characters)) from None
    except FontMissing as exc:
        raise ServiceUnavailable(
            N_("No font for Chinese is installed on the server: %(hint)s"), hint=str(exc)
        ) from None
