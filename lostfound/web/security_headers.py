"""Browser hardening headers on every response.

Pages use only their own scripts, styles and images; the API viewer under /api/docs loads its
assets from a CDN, so the content policy is left off there.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "geolocation=(), microphone=(), camera=(self)",
}


def hardening_headers(path: str) -> dict[str, str]:
    headers = dict(_ALWAYS)
    if not path.startswith("/api/docs"):
        headers["content-security-policy"] = CONTENT_SECURITY_POLICY
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers to routed responses; error responses get them in ``web.errors``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = hardening_headers(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
                if scope.get("user") is not None:
                    # A shared phone's back button must not show staff pages after sign-out.
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
