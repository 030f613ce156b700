"""The outbox page: what was sent to owners, what waits, what could not be delivered."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.domain.notifications import DeliveryStatus
from lostfound.domain.roles import Role
from lostfound.services import notifications
from lostfound.web.access import current_member
from lostfound.web.forms import page_number
from lostfound.web.templating import render


def _scope(request: Request) -> str | None:
    member = current_member(request)
    assert member is not None  # the access table lets only signed-in staff here
    return None if member.role is Role.ADMIN else member.station_code


class OutboxController(Controller):
    include_in_schema = False
    path = "/outbox"

    @get("/")
    async def outbox(self, request: Request, status: FromQuery[str] = "", page: FromQuery[int] = 1) -> Any:
        status = status if status in {s.value for s in DeliveryStatus} else ""
        page = page_number(page)
        rows, has_next = await notifications.list_outbox(_scope(request), status, page)
        return render(
            request,
            "outbox.html",
            messages=rows,
            status=status,
            statuses=list(DeliveryStatus),
            page=page,
            has_next=has_next,
            page_title=i18n.gettext("Messages to owners"),
        )

    @post("/{message_id:int}/retry")
    async def retry(self, request: Request, message_id: FromPath[int]) -> Redirect:
        if await notifications.retry_now(message_id, _scope(request)):
            flash(request, i18n.gettext("The message will be sent again shortly."), category="success")
        else:
            flash(request, i18n.gettext("This message cannot be sent again."), category="error")
        return Redirect(path="/outbox", status_code=303)
