"""Small helpers shared by the HTML form controllers."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ValidationException

from lostfound import i18n
from lostfound.services.errors import ServiceError
from lostfound.web.input_guard import has_nul


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (the last value wins for repeated keys)."""
    data = await request.form()
    values = {key: value if isinstance(value, str) else "" for key, value in data.items()}
    if any(has_nul(value) for value in values.values()):
        raise ValidationException("NUL character in a form field")
    return values


def field_errors(exc: ServiceError) -> dict[str, str]:
    """Map a service refusal to ``{field: message}``; ``_form`` when it concerns no field."""
    return {exc.field or "_form": i18n.gettext(exc.message, **exc.params)}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(target: Any, default: str = "/") -> str:
    """Only local paths: a sign-in link must not send anyone to another site."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return default
