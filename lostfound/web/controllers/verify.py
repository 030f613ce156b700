"""Public page that confirms a printed receipt is genuine."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromQuery

from lostfound import i18n
from lostfound.services.verification import verify
from lostfound.web.forms import client_ip
from lostfound.web.templating import render


def _verify_rate_limit() -> RateLimitConfig:
    """Codes are long and random; the limit keeps anyone from trying many of them."""
    return RateLimitConfig(
        rate_limit=("minute", 20),
        identifier_for_request=lambda request: f"verify:{client_ip(request)}",
        store="rate_limit",
    )


class VerifyController(Controller):
    include_in_schema = False

    @get("/verify", middleware=[_verify_rate_limit().middleware])
    async def verify_page(self, request: Request, code: FromQuery[str] = "") -> Any:
        result = await verify(code) if code.strip() else None
        return render(
            request,
            "verify.html",
            code=code[:40],
            result=result,
            checked=bool(code.strip()),
            page_title=i18n.gettext("Check a document"),
        )
