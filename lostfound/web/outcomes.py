"""Run a service call behind a form button: flash its refusal in the user's language, or what was done."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from litestar import Request
from litestar.plugins.flash import flash

from lostfound import i18n
from lostfound.services.errors import ServiceError
from lostfound.web.item_forms import form_errors

T = TypeVar("T")


async def attempt(
    request: Request, action: Awaitable[T], done: str = "", **params: Any
) -> tuple[bool, T | None]:
    """(True, result) after flashing ``done``; (False, None) after flashing why the service refused."""
    try:
        result = await action
    except ServiceError as exc:
        # A form's first field problem reads best; otherwise the refusal itself.
        message = next(iter(form_errors(exc).values()), None) or i18n.gettext(exc.message, **exc.params)
        flash(request, message, category="error")
        return False, None
    if done:
        flash(request, i18n.gettext(done, **params), category="success")
    return True, result
