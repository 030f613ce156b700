"""A few seconds' memory of a busy public page, for visitors with no session.

The public board is the same for every visitor without a session in a given language and query,
and it is the busiest page there is; rendering 40 rows through the template cost more than all
the rest of a request. A rendering is kept for ``SECONDS`` per worker, so a notice published or
withdrawn shows there within that time. Each visitor's own CSRF token is put into the kept page
as it is served: the token is never shared. Signed-in staff and visitors with a session (who may
have a message waiting) always get a fresh page.
"""

from __future__ import annotations

import html
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from litestar import Request
from litestar.enums import MediaType
from litestar.response import Response, Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from lostfound import i18n
from lostfound.web.access import current_member
from lostfound.web.sessions import SESSION_COOKIE

SECONDS = 5.0
ENTRIES = 256


class PageCache:
    def __init__(self, seconds: float = SECONDS, entries: int = ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._pages: OrderedDict[tuple[str, str, str], tuple[float, int, str]] = OrderedDict()
        # Stands where the token goes; random, so no text on the page can ask for the token.
        self._mark = secrets.token_hex(16)

    def clear(self) -> None:
        self._pages.clear()

    async def serve(self, request: Request, build: Callable[[], Awaitable[Template]]) -> Response | Template:
        if SESSION_COOKIE in request.cookies or current_member(request) is not None:
            return await build()
        key = (request.url.path, request.url.query, i18n.get_locale())
        now = time.monotonic()
        kept = self._pages.get(key)
        if kept is None or kept[0] < now:
            template = await build()
            context = {
                **template.create_template_context(request),
                "csrf_input": f'<input type="hidden" name="_csrf_token" value="{self._mark}" />',
            }
            body = request.app.template_engine.get_template(template.template_name).render(**context)
            kept = (now + self.seconds, template.status_code or 200, body)
            self._pages[key] = kept
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)
        token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
        return Response(
            kept[2].replace(self._mark, html.escape(token)), status_code=kept[1], media_type=MediaType.HTML
        )


def board_pages(request: Request) -> PageCache:
    """The board's kept pages, one memory per application (and so per worker)."""
    state = request.app.state
    if "board_pages" not in state:
        state["board_pages"] = PageCache()
    return state["board_pages"]
