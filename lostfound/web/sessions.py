"""Server-side sessions that are only written when they change.

On top of Litestar's server-side backend:
- the session ID changes at sign-in (no session fixation);
- a visitor with nothing in their session gets no stored session and no cookie, so health
  probes, API calls and anonymous pages do not fill the store;
- an unchanged session is not written back, so a session lasts ``max_age`` from sign-in
  (an absolute limit) and a page view costs no store write.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message

SESSION_COOKIE = "lf_session"
_ROTATE = "lostfound_rotate_session"
_NEW_ID = "lostfound_new_session_id"
_LOADED = "lostfound_loaded_session"


def rotate_session_id(connection: ASGIConnection) -> None:
    """Ask for a fresh session ID when this response is sent; the old one is deleted."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


class SessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        new_id = connection.scope.get("state", {}).get(_NEW_ID)
        return new_id or super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope.setdefault("state", {})[_LOADED] = self.serialize_data(data) if data else None
        return data

    async def store_in_message(
        self, scope_session: Any, message: Message, connection: ASGIConnection
    ) -> None:
        state = connection.scope.setdefault("state", {})
        had_cookie = bool(connection.cookies.get(self.config.key))
        rotate = bool(state.get(_ROTATE))
        if not scope_session:
            if had_cookie:
                await super().store_in_message(Empty, message, connection)  # deletes it, expires the cookie
            return
        if (
            not rotate
            and had_cookie
            and state.get(_LOADED) == self.serialize_data(scope_session, connection.scope)
        ):
            return
        if rotate and not state.get(_NEW_ID):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
            state[_NEW_ID] = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)


class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend
