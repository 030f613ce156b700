"""The start page of a signed-in member, and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from lostfound import i18n
from lostfound.services import accounts, audit, stations
from lostfound.web.access import current_member
from lostfound.web.templating import render


class PagesController(Controller):
    include_in_schema = False

    @get("/")
    async def desk(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        station = await stations.get_station(member.station_code)
        colleagues = [row for row in await accounts.list_accounts(member.station_code) if row["active"]]
        recent = await audit.browse(audit.AuditFilter(actor=member.username), page=1)
        return render(
            request,
            "desk.html",
            station=station,
            colleagues=colleagues,
            recent=[e for e in recent.events if e["actor_name"] == member.username][:10],
            page_title=i18n.gettext("Station desk"),
        )

    @get("/healthz")
    async def health(self) -> dict[str, str]:
        await stations.list_stations(active_only=True)
        return {"status": "ok"}
