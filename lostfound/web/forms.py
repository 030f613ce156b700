"""Small helpers shared by the HTML form controllers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.exceptions import ValidationException

from lostfound import i18n
from lostfound.services.errors import ServiceError
from lostfound.settings import TIMEZONE
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


MAX_PAGE = 10_000


def beijing_day(value: str) -> datetime | None:
    """A date typed as ``YYYY-MM-DD``, as the start of that day in Beijing; None if empty or implausible."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=ZoneInfo(TIMEZONE))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def page_number(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)
