"""The review queue: officers compare suggested matches side by side and confirm or reject them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.domain.found_items import ItemStatus
from lostfound.services import match_review
from lostfound.services.errors import NotFound, ServiceError
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, form_data, page_number
from lostfound.web.templating import render


class MatchesController(Controller):
    include_in_schema = False
    path = "/matches"

    @get("/")
    async def queue(self, request: Request, decision: FromQuery[str] = "", page: FromQuery[int] = 1) -> Any:
        member = current_member(request)
        assert member is not None
        result = await match_review.queue(member.station_code, decision, page_number(page))
        return render(
            request,
            "matches/queue.html",
            result=result,
            decision=decision if decision in ("auto", "review") else "",
            page_title=i18n.gettext("Matches to review"),
        )

    @get("/{match_id:int}")
    async def compare(self, request: Request, match_id: FromPath[int]) -> Any:
        pair = await match_review.get_pair(match_id)
        member = current_member(request)
        in_transit = pair["item"]["status"] == ItemStatus.TRANSFERRED
        receiver = await match_review.receiving_station(pair["item"]["id"]) if in_transit else None
        holding = member is not None and member.station_code == pair["item"]["station_code"]
        return render(
            request,
            "matches/compare.html",
            pair=pair,
            coming_here=member is not None and receiver == member.station_code,
            can_decide=holding and pair["state"] == "suggested" and not in_transit,
            # A confirmation found wrong before the handover can be taken back.
            can_undo=holding
            and pair["state"] == "confirmed"
            and pair["item"]["status"] == ItemStatus.OWNER_FOUND,
            page_title=i18n.gettext(
                "Compare %(item)s with %(report)s",
                item=pair["item_reference"],
                report=pair["report_reference"],
            ),
        )

    @post("/{match_id:int}/confirm")
    async def confirm(self, request: Request, match_id: FromPath[int]) -> Redirect:
        return await self._decide(request, match_id, confirm=True)

    @post("/{match_id:int}/reject")
    async def reject(self, request: Request, match_id: FromPath[int]) -> Redirect:
        return await self._decide(request, match_id, confirm=False)

    @post("/{match_id:int}/undo")
    async def undo(self, request: Request, match_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        try:
            pair = await match_review.undo(member.actor(client_ip(request)), match_id, values.get("note", ""))
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
            return Redirect(path=f"/matches/{match_id}", status_code=303)
        flash(
            request,
            i18n.gettext("Taken back. The owner is told the item is not theirs; both are matched again."),
            category="success",
        )
        return Redirect(path=f"/items/{pair['item_reference']}", status_code=303)

    @staticmethod
    async def _decide(request: Request, match_id: int, confirm: bool) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        actor = member.actor(client_ip(request))
        try:
            if confirm:
                pair = await match_review.confirm(actor, match_id, values.get("note", ""))
                flash(
                    request,
                    i18n.gettext("Confirmed. The owner is told where to collect the item."),
                    category="success",
                )
                return Redirect(path=f"/items/{pair['item_reference']}", status_code=303)
            await match_review.reject(actor, match_id, values.get("note", ""))
            flash(
                request,
                i18n.gettext("Rejected. It is suggested again only if an ID or other number later agrees."),
                category="success",
            )
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
            # A suggestion that is gone has no page to go back to: the queue shows what is left.
            back = "/matches" if isinstance(exc, NotFound) else f"/matches/{match_id}"
            return Redirect(path=back, status_code=303)
        return Redirect(path="/matches", status_code=303)
