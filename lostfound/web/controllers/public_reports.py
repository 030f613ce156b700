"""Public pages for owners: report a loss, then check the report with reference and claim code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.domain.found_items import ContentKind
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import REPORT_STATUS_LABELS, WHAT_TO_BRING, ReportStatus, format_claim_code
from lostfound.domain.roles import Role
from lostfound.services import found_notices, lost_reports, match_review
from lostfound.services.context import Actor
from lostfound.services.errors import ServiceError
from lostfound.services.lost_reports import LostReportInput, OwnerInput, ReportMatched
from lostfound.services.retention import closes_on
from lostfound.settings import get_settings
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip
from lostfound.web.item_forms import (
    CONTENT_FIELDS,
    choices,
    content_inputs,
    content_rows,
    form_errors,
    local_datetime,
    read_form,
)
from lostfound.web.rate_limits import per_client
from lostfound.web.sessions import rotate_session_id
from lostfound.web.templating import code_label, localised, render

CLAIM_SESSION_KEY = "claim_reference"


def _report_input(values: dict[str, str]) -> LostReportInput:
    return LostReportInput(
        category=values.get("category", ""),
        owner=OwnerInput(
            name=values.get("owner_name", ""),
            id_number=values.get("owner_id_number", ""),
            phone=values.get("owner_phone", ""),
            email=values.get("owner_email", ""),
        ),
        consent=bool(values.get("consent")),
        description=values.get("description", ""),
        colour=values.get("colour", ""),
        brand=values.get("brand", ""),
        lost_from=local_datetime(values["lost_from"]) if values.get("lost_from") else None,
        lost_to=local_datetime(values["lost_to"]) if values.get("lost_to") else None,
        lost_place=values.get("lost_place", ""),
        district=values.get("district", ""),
        contents=content_inputs(values),
        locale=i18n.get_locale(),
        board_item=values.get("board_item", ""),
    )


def _filer(request: Request) -> tuple[Actor, str]:
    """An officer signed in at the desk files for the owner (channel ``desk``, their station)."""
    member = current_member(request)
    if member is not None and member.role in (Role.DUTY_OFFICER, Role.SUPERVISOR):
        return member.actor(client_ip(request)), member.station_code
    return Actor.anonymous(client_ip(request)), ""


def _waiting_at(station: dict[str, Any] | None) -> str:
    """Why a matched report cannot be withdrawn, naming the station that keeps the item and its phone."""
    if station is None:
        return i18n.gettext(lost_reports.WAITING_AT_STATION)
    if not station.get("phone"):
        return i18n.gettext(
            "Your item is waiting for you at %(station)s, so the report can no longer be withdrawn. "
            "If you no longer want it, please tell the station.",
            station=localised(station, "name"),
        )
    return i18n.gettext(
        "Your item is waiting for you at %(station)s, so the report can no longer be withdrawn. "
        "If you no longer want it, please call the station on %(phone)s.",
        station=localised(station, "name"),
        phone=station["phone"],
    )


class PublicReportsController(Controller):
    include_in_schema = False

    @get("/report")
    async def report_page(self, request: Request, item: FromQuery[str] = "") -> Any:
        # From the public board's "this might be mine": the report names the item it is about.
        pointed = await found_notices.board_item(item) if item.strip() else None
        values = {"board_item": pointed["item_reference"], "category": pointed["category"]} if pointed else {}
        return await self._form(request, values, [], {})

    @post("/report", middleware=[per_client("report-form", "hour", 20, posts_only=True, staff_exempt=True)])
    async def file_report(self, request: Request) -> Any:
        values, _ = await read_form(request)
        try:
            actor, station_code = _filer(request)
            filed = await lost_reports.file_report(actor, _report_input(values), station_code)
        except ServiceError as exc:
            errors = {k.replace("owner.", "owner_"): v for k, v in form_errors(exc).items()}
            return await self._form(request, values, content_rows(values), errors, exc.status_code)
        response = render(
            request,
            "public/filed.html",
            reference=filed.reference,
            claim_code=format_claim_code(filed.claim_code),
            page_title=i18n.gettext("Your report is filed"),
        )
        response.headers["Cache-Control"] = "no-store"  # the claim code is shown this once
        return response

    @get("/claim")
    async def claim_page(self, request: Request) -> Any:
        return render(
            request, "public/claim.html", values={}, error="", page_title=i18n.gettext("Check your report")
        )

    @post("/claim", middleware=[per_client("claim-form", "minute", 10, True)])
    async def claim_status(self, request: Request) -> Any:
        values, _ = await read_form(request)
        try:
            report = await lost_reports.check_claim(
                values.get("reference", ""),
                values.get("claim_code", ""),
                request.app.stores.get("claim_failures"),
            )
        except ServiceError as exc:
            return render(
                request,
                "public/claim.html",
                status_code=exc.status_code,
                values={"reference": values.get("reference", "")[:24]},
                error=i18n.gettext(exc.message, **exc.params),
                page_title=i18n.gettext("Check your report"),
            )
        # The proof holds for this browser session only, so the owner can act without retyping the code.
        rotate_session_id(request)
        request.session[CLAIM_SESSION_KEY] = report["reference"]
        return await self._status(request, report, {})

    @post("/claim/contact")
    async def update_contact(self, request: Request) -> Any:
        reference = self._proven(request)
        if reference is None:
            return Redirect(path="/claim", status_code=303)
        values, _ = await read_form(request)
        typed = {key: values.get(key, "")[:254] for key in ("owner_phone", "owner_email", "remove_phone")}
        try:
            changed = await lost_reports.update_contact(
                reference,
                values.get("owner_phone", ""),
                values.get("owner_email", ""),
                client_ip(request),
                remove_phone=bool(values.get("remove_phone")),
            )
        except ServiceError as exc:
            errors = {k.replace("owner.", "owner_"): v for k, v in form_errors(exc).items()}
            report = await lost_reports.get_report(reference)
            return await self._status(request, report, errors, exc.status_code, typed)
        if changed:
            flash(request, i18n.gettext("Your contact details are updated."), category="success")
        else:
            flash(request, i18n.gettext("Nothing changed: we reach you as before."), category="info")
        return await self._status(request, await lost_reports.get_report(reference), {})

    @post("/claim/withdraw")
    async def withdraw(self, request: Request) -> Any:
        return await self._owner_action(
            request, lost_reports.withdraw, N_("Your report is withdrawn. Thank you for telling us.")
        )

    @post("/claim/keep-open")
    async def keep_open(self, request: Request) -> Any:
        return await self._owner_action(
            request, lost_reports.keep_open, N_("We keep looking for another year.")
        )

    async def _owner_action(self, request: Request, action: Any, done: str) -> Any:
        """A one-button change the owner makes after proving the claim code in this session."""
        reference = self._proven(request)
        if reference is None:
            return Redirect(path="/claim", status_code=303)
        status_code = 200
        try:
            await action(reference, client_ip(request))
        except ReportMatched as exc:
            status_code = exc.status_code
            flash(request, _waiting_at(exc.station), category="warning")
        except ServiceError as exc:
            status_code = exc.status_code
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
        else:
            flash(request, i18n.gettext(done), category="success")
        return await self._status(request, await lost_reports.get_report(reference), {}, status_code)

    @staticmethod
    def _proven(request: Request) -> str | None:
        """The report whose claim code this session proved, if any."""
        reference = request.session.get(CLAIM_SESSION_KEY) if isinstance(request.session, dict) else None
        return str(reference) if reference else None

    @staticmethod
    async def _status(
        request: Request, report: dict, errors: dict, status_code: int = 200, typed: dict | None = None
    ) -> Any:
        settings = get_settings()
        closes = closes_on(report, settings) if report["status"] == ReportStatus.OPEN else None
        response = render(
            request,
            "public/status.html",
            status_code=status_code,
            report=report,
            errors=errors,
            steps=await lost_reports.timeline(report["reference"]),
            pickup=await match_review.pickup_station(report["id"])
            if report["status"] == ReportStatus.MATCHED
            else None,
            what_to_bring=WHAT_TO_BRING,
            closes_on=closes,
            can_keep_open=closes is not None
            and closes - datetime.now(UTC) <= timedelta(days=settings.report_reminder_days),
            can_change=report["status"] in ("open", "matched"),
            can_withdraw=report["status"] == ReportStatus.OPEN,
            contact=typed or {"owner_phone": "", "owner_email": report["owner_email"], "remove_phone": ""},
            status_text=code_label(REPORT_STATUS_LABELS, report["status"]),
            page_title=i18n.gettext("Your report %(reference)s", reference=report["reference"]),
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    async def _form(request: Request, values: dict, rows: list, errors: dict, status_code: int = 200) -> Any:
        blank = {name: "" for name in CONTENT_FIELDS} | {"as_printed": ""}
        shown = rows + [dict(blank) for _ in range(max(2 - len(rows), 1))]
        options = choices()
        options["content_kinds"] = [(k, label) for k, label in options["content_kinds"]
                                    if k != ContentKind.PHONE_NUMBER.value]  # fmt: skip
        return render(
            request,
            "public/report.html",
            status_code=status_code,
            values=values,
            rows=shown,
            errors=errors,
            board_item=await found_notices.board_item(values["board_item"])
            if values.get("board_item")
            else None,
            retention_days=get_settings().closed_report_retention_days,
            open_days=get_settings().report_open_days,
            contents_hint=i18n.gettext(
                "One row per thing that was inside: each ID card, bank card, the cash, a deposit slip. "
                "Numbers help us find your property; they are stored encrypted."
            ),
            page_title=i18n.gettext("Report a loss"),
            **options,
        )
