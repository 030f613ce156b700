"""Found-property notices: officers compile, supervisors approve and withdraw; the public reads them.

The public side is the found-property board: searchable, redacted, and each item leads to the
report form ("this might be mine").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from lostfound import i18n
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role
from lostfound.services import found_notices
from lostfound.services.errors import ServiceError
from lostfound.services.found_notices import BoardFilter
from lostfound.settings import get_settings
from lostfound.web.access import current_member
from lostfound.web.forms import beijing_day, client_ip, page_number
from lostfound.web.item_forms import choices
from lostfound.web.outcomes import attempt
from lostfound.web.page_cache import board_pages
from lostfound.web.rate_limits import per_client
from lostfound.web.receipts import receipt_qr_svg
from lostfound.web.templating import render


class NoticesController(Controller):
    include_in_schema = False
    path = "/notices"

    @get("/")
    async def list_page(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        return render(
            request,
            "notices/list.html",
            notices=await found_notices.list_notices(member.station_code),
            page_title=i18n.gettext("Found-property notices"),
        )

    @get("/new")
    async def new_page(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        return render(
            request,
            "notices/new.html",
            items=await found_notices.eligible_items(member.station_code),
            page_title=i18n.gettext("New found-property notice"),
            **choices(),
        )

    @post("/new")
    async def create(self, request: Request) -> Redirect:
        member = current_member(request)
        assert member is not None
        form = await request.form()
        refs = [v for v in form.getall("items", []) if isinstance(v, str)][: found_notices.MAX_ITEMS + 1]
        try:
            ref = await found_notices.create(member.actor(client_ip(request)), member.station_code, refs)
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
            return Redirect(path="/notices/new", status_code=303)
        flash(
            request,
            i18n.gettext("Draft %(reference)s saved. A supervisor approves it.", reference=ref),
            category="success",
        )
        return Redirect(path=f"/notices/{ref}", status_code=303)

    @get("/{reference:str}")
    async def detail(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        notice = await found_notices.get_notice(reference)
        leaks = await found_notices.redaction_problems(notice)
        own = member.station_code == notice["station_code"]
        return render(
            request,
            "notices/detail.html",
            notice=notice,
            leaks=[
                (i18n.gettext(leak.message, name=leak.found) if leak.found else i18n.gettext(leak.message))
                for leak in leaks
            ],
            can_approve=own and member.role is Role.SUPERVISOR and notice["status"] == "draft" and not leaks,
            can_publish=own and notice["status"] == "approved",
            can_withdraw=own and member.role is Role.SUPERVISOR and notice["status"] != "withdrawn",
            page_title=notice["title"],
            **choices(),
        )

    @post("/{reference:str}/approve")
    async def approve(self, request: Request, reference: FromPath[str]) -> Redirect:
        return await self._act(
            request, reference, found_notices.approve, N_("Approved. It can be published now.")
        )

    @post("/{reference:str}/publish")
    async def publish(self, request: Request, reference: FromPath[str]) -> Redirect:
        return await self._act(
            request,
            reference,
            found_notices.publish,
            N_("Published. The one-year claim period of its items starts today."),
        )

    @post("/{reference:str}/withdraw")
    async def withdraw(self, request: Request, reference: FromPath[str]) -> Redirect:
        return await self._act(
            request, reference, found_notices.withdraw, N_("Withdrawn from the public board.")
        )

    @staticmethod
    async def _act(request: Request, reference: str, action: Any, done: str) -> Redirect:
        member = current_member(request)
        assert member is not None
        await attempt(request, action(member.actor(client_ip(request)), reference), done)
        board_pages(request).clear()  # this worker's board shows it at once; the others within seconds
        return Redirect(path=f"/notices/{reference.strip().upper()[:24]}", status_code=303)


class BoardController(Controller):
    """The public found-property board (招领公告栏)."""

    include_in_schema = False
    path = "/board"

    @get("/", middleware=[per_client("board", "minute", 120)])
    async def board(
        self,
        request: Request,
        q: FromQuery[str] = "",
        category: FromQuery[str] = "",
        found_from: FromQuery[str] = "",
        found_to: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Any:
        start, end = beijing_day(found_from), beijing_day(found_to)
        filters = BoardFilter(
            text=q[:60],
            category=category if category in dict(choices()["categories"]) else "",
            found_from=start,
            found_to=end + timedelta(days=1) if end else None,
        )

        async def page_now() -> Template:
            rows, has_next = await found_notices.board(filters, page_number(page))
            return render(
                request,
                "board/index.html",
                rows=rows,
                has_next=has_next,
                page=page_number(page),
                query={
                    "q": q[:60],
                    "category": filters.category,
                    "found_from": found_from[:10],
                    "found_to": found_to[:10],
                },
                page_title=i18n.gettext("Found-property board"),
                **choices(),
            )

        return await board_pages(request).serve(request, page_now)

    @get("/notices/{reference:str}")
    async def notice(self, request: Request, reference: FromPath[str]) -> Any:
        notice = await found_notices.published_notice(reference)
        base = get_settings().public_url or str(request.base_url).rstrip("/")
        verify_url = f"{base}/verify?code={notice['verification_code']}"
        return render(
            request,
            "board/notice.html",
            notice=notice,
            verify_url=verify_url,
            qr_svg=receipt_qr_svg(verify_url),
            page_title=notice["title"],
            **choices(),
        )

    @get("/photos/{photo_id:int}")
    async def photo(self, photo_id: FromPath[int]) -> Response[bytes]:
        data = await found_notices.public_photo(photo_id)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"})
