"""Prometheus metrics at ``/metrics``: request counts and durations by route template, per method and status.

Routes are grouped by their template (``/items/{reference}``), never by the path itself, so no
reference or name reaches the metrics. Several workers write to ``PROMETHEUS_MULTIPROC_DIR``
(``lostfound serve`` sets it) and any of them answers for all.
"""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from lostfound.settings import get_settings

LOOPBACK = frozenset({"127.0.0.1", "::1"})

prometheus = PrometheusConfig(
    app_name="lostfound",
    prefix="lostfound",
    group_path=True,
    exclude=["^/static/", "^/metrics$"],
)


async def scraper_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """The scraper's bearer token when one is set; otherwise only a client on this host."""
    token = get_settings().metrics_token
    if token:
        given = connection.headers.get("authorization", "")
        allowed = hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    else:
        allowed = connection.client is not None and connection.client.host in LOOPBACK
    if not allowed:
        raise NotFoundException()


class MetricsController(PrometheusController):
    path = "/metrics"
    guards = [scraper_only]
    include_in_schema = False
