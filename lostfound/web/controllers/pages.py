"""The start page of a signed-in member, and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from lostfound import i18n
from lostfound.services import accounts, audit, found_items, health, stations
from lostfound.settings import get_settings
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
    async def health(self) -> dict[str, str]:
        """Liveness: the process answers (a load balancer restarts a worker that does not)."""
        return {"status": "ok"}

    @get("/readyz")
    async def ready(self) -> Response[dict[str, str]]:
        """Readiness: the database answers, and Redis when the workers share it (503 otherwise)."""
        settings = get_settings()
        checks = {"database": "ok" if await health.database_ok() else "unavailable"}
        if settings.redis_url:
            checks["redis"] = "ok" if await health.redis_ok(settings.redis_url) else "unavailable"
        ready = all(value == "ok" for value in checks.values())
        return Response(
            {"status": "ready" if ready else "unavailable", **checks}, status_code=200 if ready else 503
        )
