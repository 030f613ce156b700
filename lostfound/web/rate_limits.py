"""Per-client rate limits for single handlers, all kept in the shared ``rate_limit`` store."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Request
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import DurationUnit, RateLimitConfig

from lostfound.web.access import current_member
from lostfound.web.forms import client_ip


def _signed_in(request: Request) -> bool:
    # Handler middleware runs inside the app-level StaffAuthenticationMiddleware, so the scope's user
    # is already the member behind a valid session or bearer token, and None for a forged or stale one.
    return current_member(request) is not None


def _counts(posts_only: bool, staff_exempt: bool) -> Callable[[Request], bool] | None:
    """Which requests use up the allowance: ``None`` means every one."""
    if not (posts_only or staff_exempt):
        return None

    def counted(request: Request) -> bool:
        if posts_only and request.method != "POST":
            return False
        return not (staff_exempt and _signed_in(request))

    return counted


def per_client(
    name: str, unit: DurationUnit, limit: int, posts_only: bool = False, staff_exempt: bool = False
) -> DefineMiddleware:
    """Middleware allowing ``limit`` requests per ``unit`` from one client address to this handler.

    ``name`` keeps the counters of different handlers apart; ``posts_only`` leaves the GET of a
    form page uncounted so that only submissions use up the allowance. ``staff_exempt`` neither
    counts nor refuses signed-in staff: a whole police station reaches the service from one
    address, and the limit is there against anonymous abuse, not against officers at the desk.
    """
    return RateLimitConfig(
        rate_limit=(unit, limit),
        identifier_for_request=lambda request: f"{name}:{client_ip(request)}",
        check_throttle_handler=_counts(posts_only, staff_exempt),
        store="rate_limit",
    ).middleware
