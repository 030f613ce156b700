"""Errors a service raises for the user; the web layer translates and shows them."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal the user can act on. ``message`` is an untranslated (N_-marked) string."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class ServiceUnavailable(ServiceError):
    """Something the server needs is missing (a font, a service); the message says what to install."""

    status_code = 503
