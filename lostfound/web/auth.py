"""Who is asking: a staff session for pages, a bearer token for ``/api/v1``.

The API ignores session cookies on purpose: it is exempt from CSRF checks, so it must not
accept the ambient credentials a browser would send along with a forged request.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from lostfound.services import accounts

SESSION_USER = "uid"
SESSION_STAMP = "pw"


class StaffAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if connection.scope["path"].startswith("/api/"):
            header = connection.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                member = await accounts.member_for_token(token.strip())
                if member is not None:
                    return AuthenticationResult(user=member, auth="token")
            return AuthenticationResult(user=None, auth=None)
        session = connection.session if "session" in connection.scope else {}
        user_id = session.get(SESSION_USER) if isinstance(session, dict) else None
        if isinstance(user_id, int):
            member = await accounts.member_for_session(user_id, str(session.get(SESSION_STAMP, "")))
            if member is not None:
                return AuthenticationResult(user=member, auth="session")
        return AuthenticationResult(user=None, auth=None)
