"""Browsing the audit log (admins)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.params import FromQuery

from lostfound import i18n
from lostfound.services import audit, stations
from lostfound.settings import TIMEZONE
from lostfound.web.templating import render

MAX_PAGE = 10_000


def _day(value: str) -> datetime | None:
    """A date typed in Beijing time, as the start of that day; None when empty or implausible."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=ZoneInfo(TIMEZONE))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


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
        until_day = _day(until)
        filters = audit.AuditFilter(
            actor=actor.strip().lower(),
            action=action.strip(),
            station_code=station.strip().upper(),
            target=target.strip(),
            since=_day(since),
            until=until_day + timedelta(days=1) if until_day else None,
        )
        result = await audit.browse(filters, page=min(max(page, 1), MAX_PAGE))
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
