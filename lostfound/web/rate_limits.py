"""Per-client rate limits for single handlers, all kept in the shared ``rate_limit`` store."""

from __future__ import annotations

from litestar import Request
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import DurationUnit, RateLimitConfig

from lostfound.web.forms import client_ip


def _posts_only(request: Request) -> bool:
    return request.method == "POST"


def per_client(name: str, unit: DurationUnit, limit: int, posts_only: bool = False) -> DefineMiddleware:
    """Middleware allowing ``limit`` requests per ``unit`` from one client address to this handler.

    ``name`` keeps the counters of different handlers apart; ``posts_only`` leaves the GET of a
    form page uncounted so that only submissions use up the allowance.
    """
    return RateLimitConfig(
        rate_limit=(unit, limit),
        identifier_for_request=lambda request: f"{name}:{client_ip(request)}",
        check_throttle_handler=_posts_only if posts_only else None,
        store="rate_limit",
    ).middleware
