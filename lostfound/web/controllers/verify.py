"""Public page that confirms a printed receipt is genuine."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery

from lostfound import i18n
from lostfound.services.verification import verify
from lostfound.web.rate_limits import per_client
from lostfound.web.templating import render


class VerifyController(Controller):
    include_in_schema = False

    @get("/verify", middleware=[per_client("verify", "minute", 20)])
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
