"""Pick the request's language: the remembered choice, else Accept-Language, else Chinese."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send

from lostfound import i18n
from lostfound.settings import get_settings

LANGUAGE_COOKIE = "lang"


def resolve_locale(connection: ASGIConnection) -> str:
    chosen = i18n.from_tag(connection.cookies.get(LANGUAGE_COOKIE))
    default = i18n.from_tag(get_settings().default_locale) or i18n.DEFAULT
    return chosen or i18n.negotiate(connection.headers.get("accept-language"), default)


class LocaleMiddleware:
    """Sets the locale for everything this request renders, including error pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            i18n.set_locale(resolve_locale(ASGIConnection(scope)))
        await self.app(scope, receive, send)
