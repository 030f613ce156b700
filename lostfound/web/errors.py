"""Error responses: a page in the user's language for people, problem JSON for the API.

No stack trace ever reaches a user; unexpected errors are logged with their traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from lostfound import i18n
from lostfound.domain.i18n_markers import N_
from lostfound.services.errors import ServiceError
from lostfound.web.access import PasswordChangeRequired
from lostfound.web.locale import resolve_locale
from lostfound.web.security_headers import hardening_headers
from lostfound.web.templating import render
from lostfound.web.validation_messages import field_errors

log = logging.getLogger("lostfound.web")

_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("Access denied"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
    409: N_("Conflict"),
    413: N_("The upload is too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is briefly unavailable"),
}

_MESSAGES = {
    400: N_("Check what you entered and try again."),
    401: N_("Sign in with your staff account to continue."),
    403: N_("Your account does not have access to this page. Ask your supervisor if you need it."),
    404: N_("There is nothing at this address. Check the link or go back to the start page."),
    405: N_("This action is not available here."),
    413: N_("The upload is larger than allowed."),
    429: N_("Too many requests. Wait a while and try again."),
    500: N_("The error has been logged. Try again; if it keeps happening, tell your administrator."),
    503: N_("The service is briefly unavailable. Try again in a moment."),
}

CSRF_MESSAGE = N_("This form has expired or was sent from somewhere else. Reload the page and try again.")


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _title(status: int) -> str:
    return i18n.gettext(_TITLES.get(status, _TITLES[400 if status < 500 else 500]))


def _message(status: int) -> str:
    return i18n.gettext(_MESSAGES.get(status, _MESSAGES[400 if status < 500 else 500]))


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = {"status": status, "title": _title(status), "detail": detail, **extra}
    return Response(content=body, status_code=status, media_type="application/problem+json", headers=headers)


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    # Routing errors (404, 405) are answered before the middleware stack, so add the headers here.
    headers = hardening_headers(request.url.path)
    if is_api(request):
        return problem(status, message or _message(status), headers=headers)
    page = render(
        request,
        "errors/error.html",
        status_code=status,
        status=status,
        title=_title(status),
        message=message or _message(status),
        page_title=_title(status),
    )
    page.headers.update(headers)
    return page


def _localise(request: Request) -> None:
    # Routing errors happen before the locale middleware runs.
    i18n.set_locale(resolve_locale(request))


def on_not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    _localise(request)
    if is_api(request):
        return problem(401, _message(401), headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path="/login?" + urlencode({"next": target}), status_code=303)


def on_permission_denied(request: Request, exc: PermissionDeniedException) -> Response:
    _localise(request)
    if "csrf" in str(exc.detail).lower():
        return error_page(request, 403, i18n.gettext(CSRF_MESSAGE))
    return error_page(request, 403)


def on_password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
    _localise(request)
    if is_api(request):
        return problem(403, i18n.gettext(N_("Change your temporary password before using the API.")))
    return Redirect(path="/account/password", status_code=303)


def wait_message(seconds: int) -> str:
    """How long to wait before trying again, rounded as a person would say it."""
    if seconds <= 30:
        return i18n.gettext(N_("Too many requests. Try again in a few seconds."))
    minutes = max(1, int(seconds / 60 + 0.5))
    if minutes < 90:
        return i18n.ngettext(
            "Too many requests. Try again in about %(num)d minute.",
            "Too many requests. Try again in about %(num)d minutes.",
            minutes,
        )
    return i18n.ngettext(
        "Too many requests. Try again in about %(num)d hour.",
        "Too many requests. Try again in about %(num)d hours.",
        int(seconds / 3600 + 0.5),
    )


def _seconds_to_reset(headers: dict[str, str]) -> int | None:
    """Seconds until the limit's window resets, from the headers the rate-limit middleware sets."""
    for name in ("RateLimit-Reset", "Retry-After"):
        value = headers.get(name, "")
        if value.strip().isdigit():
            return int(value)
    return None


def on_too_many_requests(request: Request, exc: TooManyRequestsException) -> Response:
    _localise(request)
    headers = dict(exc.headers or {})
    seconds = _seconds_to_reset(headers)
    if seconds is not None:
        headers.setdefault("Retry-After", str(seconds))
    response = error_page(request, 429, wait_message(seconds) if seconds is not None else None)
    response.headers.update(headers)
    return response


def on_validation(request: Request, exc: ValidationException) -> Response:
    _localise(request)
    if is_api(request):
        errors = field_errors(exc.extra if isinstance(exc.extra, list) else None)
        if not errors:
            return problem(400, _message(400))
        # Shaped as the service's own refusals: the first problem said, then each by its field.
        return problem(400, errors[0]["message"], field=errors[0]["field"], errors=errors)
    return error_page(request, 400)


def on_service_error(request: Request, exc: ServiceError) -> Response:
    _localise(request)
    message = i18n.gettext(exc.message, **exc.params)
    if is_api(request):
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        problems = getattr(exc, "problems", None)
        if problems is not None:
            extra["errors"] = [
                {"field": name, "message": i18n.gettext(text, **params)}
                for name, (text, params) in problems.items.items()
            ]
        return problem(exc.status_code, message, **extra)
    return error_page(request, exc.status_code, message)


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    _localise(request)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def on_unexpected(request: Request, exc: Exception) -> Response:
    if _collided(exc):
        # PostgreSQL broke a deadlock, or a serializable transaction lost: the transaction was rolled
        # back whole, so the user only has to try again.
        log.warning("transaction collided on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        _localise(request)
        return error_page(request, 409, i18n.gettext(_COLLIDED))
    if database_unavailable(exc):
        # Not a fault of this request: the database is restarting, unreachable or full. The pool
        # replaces its broken connections, so the next requests succeed once it is back.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        _localise(request)
        response = error_page(request, 503)
        response.headers["Retry-After"] = "5"
        return response
    if _is_database_error(exc):
        # Database messages can quote the failing row (ciphertext, names); log where, not what.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        state = getattr(exc, "sqlstate", "")
        log.error(
            "database error %s %s on %s %s\n%s",
            type(exc).__name__,
            state,
            request.method,
            request.url.path,
            frames,
        )
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
    _localise(request)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


# PostgreSQL error classes that mean "cannot serve now" rather than "this request is wrong":
# connection exceptions, insufficient resources, operator intervention (shutdown, restart), and
# 55000, which a database that does not accept connections answers.
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P", "55000")


def database_unavailable(exc: BaseException | None, depth: int = 0) -> bool:
    """Whether the database could not be reached or would not serve, as opposed to a failed query.

    The exceptions it was raised from count too: a pool connection that failed to reconnect
    surfaces as asyncpg's InternalClientError, caused by the refusal.
    """
    if exc is None or depth > 5:
        return False
    if _unavailable(exc):
        return True
    return database_unavailable(exc.__cause__ or exc.__context__, depth + 1)


_COLLIDED = N_("Someone else changed the same records at the same moment, and nothing was saved. Try again.")
_COLLISION_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure


def _collided(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("asyncpg") and getattr(exc, "sqlstate", "") in _COLLISION_SQLSTATES


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):  # refused, reset, or no pool connection in time
        return True
    module = type(exc).__module__
    if module.startswith("asyncpg"):
        state = getattr(exc, "sqlstate", "") or ""
        # A connection the server dropped: noticed as such, or as a protocol left in a broken state
        # (InternalClientError) when the drop arrived mid-query. Other interface errors are bugs.
        name = type(exc).__name__
        dropped = name in {"ConnectionDoesNotExistError", "InternalClientError"} or (
            name == "InterfaceError" and "closed" in str(exc)
        )
        return dropped or state.startswith(_UNAVAILABLE_SQLSTATES)
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        return "locked" in text or "unable to open" in text
    return False


def _is_database_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("asyncpg", "sqlite3")) or isinstance(exc, sqlite3.Error)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotAuthorizedException: on_not_authorized,
    PermissionDeniedException: on_permission_denied,
    PasswordChangeRequired: on_password_change_required,
    TooManyRequestsException: on_too_many_requests,
    ValidationException: on_validation,
    ServiceError: on_service_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
