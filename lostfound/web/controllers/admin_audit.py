"""Browsing the audit log (admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery

from lostfound import i18n
from lostfound.services import audit, stations
from lostfound.web.forms import beijing_day, page_number
from lostfound.web.templating import render


class AdminAuditController(Controller):
    include_in_schema = False
    path = "/admin/audit"

    @get("/")
    async def browse(
        self,
        request: Request,
        actor: FromQuery[str] = "",
        action: FromQuery[str] = "",
        station: FromQuery[str] = "",
        target: FromQuery[str] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Any:
        until_day = beijing_day(until)
        filters = audit.AuditFilter(
            actor=actor.strip().lower(),
            action=action.strip(),
            station_code=station.strip().upper(),
            target=target.strip(),
            since=beijing_day(since),
            until=until_day + timedelta(days=1) if until_day else None,
        )
        result = await audit.browse(filters, page=page_number(page))
        query = {
            "actor": actor,
            "action": action,
            "station": station,
            "target": target,
            "since": since,
            "until": until,
        }
        return render(
            request,
            "admin/audit.html",
            result=result,
            query=query,
            actions=await audit.known_actions(),
            stations=await stations.list_stations(),
            page_title=i18n.gettext("Audit log"),
        )
