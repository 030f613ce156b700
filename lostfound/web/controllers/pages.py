"""The start page of a signed-in member, and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from lostfound import i18n
from lostfound.services import accounts, audit, found_items, health, stations
from lostfound.web.access import current_member, rule_for
from lostfound.web.templating import render


class PagesController(Controller):
    include_in_schema = False

    @get("/")
    async def desk(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        station = await stations.get_station(member.station_code)
        colleagues = [row for row in await accounts.list_accounts(member.station_code) if row["active"]]
        recent = await audit.browse(audit.AuditFilter(actor_id=member.id), page=1)
        handles_items = rule_for("/items") is not None and rule_for("/items").allows(member)
        items = (
            (
                await found_items.list_items(found_items.ItemFilter(station=member.station_code), page_size=5)
            ).items
            if handles_items
            else []
        )
        return render(
            request,
            "desk.html",
            station=station,
            colleagues=colleagues,
            recent=recent.events[:10],
            handles_items=handles_items,
            items=items,
            page_title=i18n.gettext("Station desk"),
        )

    @get("/healthz")
    async def health(self) -> Response[dict[str, str]]:
        """Liveness and database reachability, for load balancers and monitoring."""
        if await health.database_ok():
            return Response({"status": "ok"})
        return Response({"status": "database unavailable"}, status_code=503)
