"""Watching the service run: a request id on every request and log line, one access line per
request, structured (JSON) logs, and Prometheus metrics.

Log lines never carry a query string or a body: claim codes, references and names travel there.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from lostfound.settings import Settings

request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("lostfound.access")

REQUEST_ID_HEADER = b"x-request-id"
# An id a proxy in front already gave the request is kept when it looks like one; anything else is replaced.
_GIVEN_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")
# Probes would drown the access log: they are logged at DEBUG.
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestContextMiddleware:
    """Gives each request an id (echoed in ``X-Request-ID``) and logs one line when it is answered.

    It wraps the whole application (``create_served_app``), outside Litestar's per-route middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(REQUEST_ID_HEADER, b"")
        rid = given.decode() if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            access_log.log(
                logging.DEBUG if path in PROBES else logging.INFO,
                "%s %s %d",
                scope.get("method", ""),
                path,
                status,
                extra={
                    "method": scope.get("method", ""),
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id of the request it was written for ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


# Fields every record has, and uvicorn's coloured copy of its message: not repeated as extra fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(settings: Settings) -> None:
    """Root logging to standard error, as text or JSON lines (``LOSTFOUND_LOG_FORMAT``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "lostfound", False)]:
        root.removeHandler(old)
    handler.lostfound = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # The server's own access log would repeat ours, without the request id.
    logging.getLogger("uvicorn.access").disabled = True
