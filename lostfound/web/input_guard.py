"""Refuse NUL characters in addresses and forms: no text field ever needs one, and databases reject them."""

from __future__ import annotations

from litestar.exceptions import ValidationException
from litestar.types import ASGIApp, Receive, Scope, Send


def has_nul(text: str) -> bool:
    return "\x00" in text


class RejectNulMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            has_nul(scope["path"]) or b"%00" in scope.get("query_string", b"").lower()
        ):
            raise ValidationException("NUL character in the address")
        await self.app(scope, receive, send)
