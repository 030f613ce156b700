"""JSON API for lost reports: owners file them and check their claim (public, rate limited); staff read them."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from lostfound import i18n
from lostfound.domain.lost_reports import REPORT_STATUS_LABELS, WHAT_TO_BRING, ReportStatus
from lostfound.services import lost_reports, match_review, matching
from lostfound.services.context import Actor
from lostfound.web.access import current_member
from lostfound.web.api_bodies import LostReportIn, lost_report_input
from lostfound.web.forms import client_ip
from lostfound.web.item_views import MATCH_REFUSALS, FoundItemsOut, content_out, found_items_out
from lostfound.web.rate_limits import per_client
from lostfound.web.templating import localised


class ClaimIn(msgspec.Struct, forbid_unknown_fields=True):
    reference: str
    claim_code: str


def _step(step: dict[str, Any]) -> dict[str, str]:
    """One timeline step for the owner: when, a stable code, and the words in their language."""
    label: str = step["label"]  # already marked for translation in lost_reports.TIMELINE_STEPS
    return {
        "at": step["at"].isoformat(),
        "step": step["action"].split(".", 1)[1],
        "text": i18n.gettext(label),
    }


class LostReportsApi(Controller):
    path = "/api/v1"
    tags = ["lost reports"]

    @post(
        "/lost-reports",
        summary="File a lost report (public; staff tokens file desk reports)",
        status_code=201,
        middleware=[per_client("lost-report", "hour", 20, staff_exempt=True)],
    )
    async def file(self, request: Request, data: JSONBody[LostReportIn]) -> dict[str, str]:
        member = current_member(request)
        actor = member.actor(client_ip(request)) if member else Actor.anonymous(client_ip(request))
        filed = await lost_reports.file_report(
            actor, lost_report_input(data), member.station_code if member else ""
        )
        return {"reference": filed.reference, "claim_code": filed.claim_code}

    @get(
        "/lost-reports/{reference:str}",
        summary="A lost report, numbers masked (staff)",
        security=[{"BearerToken": []}],
    )
    async def read(self, reference: FromPath[str]) -> dict[str, Any]:
        report = await lost_reports.get_report(reference)
        view = lost_reports.owner_view(report)
        view.update(
            channel=report["channel"],
            station=report["station_code"],
            district=report["district"],
            external_ref=report["external_ref"],
            colour=report["colour"],
            brand=report["brand"],
            contents=[content_out(row) for row in report["contents"]],
        )
        return view

    @get(
        "/lost-reports/{reference:str}/matches",
        summary="Found items that may be this owner's, best first, with reasons (staff)",
        security=[{"BearerToken": []}],
        responses=MATCH_REFUSALS,
    )
    async def matches(self, reference: FromPath[str]) -> FoundItemsOut:
        report = await lost_reports.get_report(reference)
        return found_items_out(await matching.matches_of("report", report["id"]))

    @post(
        "/claims/status",
        summary="The owner's view of their report, given reference and claim code (public)",
        status_code=200,
        middleware=[per_client("claim", "minute", 10)],
    )
    async def claim_status(self, request: Request, data: JSONBody[ClaimIn]) -> dict[str, Any]:
        report = await lost_reports.check_claim(
            data.reference, data.claim_code, failures=request.app.stores.get("claim_failures")
        )
        view = lost_reports.owner_view(report)
        view["status_text"] = i18n.gettext(REPORT_STATUS_LABELS[ReportStatus(report["status"])])
        view["timeline"] = [_step(step) for step in await lost_reports.timeline(report["reference"])]
        station = (
            await match_review.pickup_station(report["id"])
            if report["status"] == ReportStatus.MATCHED
            else None
        )
        view["collect"] = (
            {
                "station": localised(station, "name"),
                "address": localised(station, "address"),
                "phone": station["phone"],
                "hours": localised(station, "opening_hours"),
                "bring": i18n.gettext(WHAT_TO_BRING),
            }
            if station
            else None
        )
        return view
