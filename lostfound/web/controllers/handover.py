"""The handover desk: check the claimant, tick the contents, sign, print the receipt.

Supervisors review the failed identity checks (possible false claims) here too.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response

from lostfound import i18n
from lostfound.domain.handover import ID_CHECK_LABELS, MAX_FAILED_CHECKS
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role
from lostfound.services import accounts, handover
from lostfound.services.accounts import StaffMember
from lostfound.services.errors import ServiceError
from lostfound.services.handover import HandoverInput, IdResult
from lostfound.settings import get_settings
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, form_data
from lostfound.web.item_forms import choices, form_errors
from lostfound.web.outcomes import attempt
from lostfound.web.receipts import receipt_qr_svg
from lostfound.web.templating import render

HANDING_ROLES = frozenset({Role.DUTY_OFFICER, Role.SUPERVISOR})


async def _form(request: Request) -> tuple[dict[str, str], list[int]]:
    """The form's fields, and the ids of the contents ticked as described."""
    form = await request.form()
    values = await form_data(request)
    described = [
        int(v)
        for v in form.getall("described", [])
        if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 10
    ][:100]
    return values, described


def _input(values: dict[str, str], described: list[int]) -> HandoverInput:
    return HandoverInput(
        owner_name=values.get("owner_name", ""),
        id_number=values.get("id_number", ""),
        proxy=bool(values.get("proxy")),
        proxy_name=values.get("proxy_name", ""),
        proxy_id_number=values.get("proxy_id_number", ""),
        authorisation_seen=bool(values.get("authorisation_seen")),
        described=described,
        item_described=bool(values.get("item_described")),
        note=values.get("note", ""),
        signature=values.get("signature", ""),
        report=values.get("report", "").strip().upper()[:24],
    )


class HandoverController(Controller):
    include_in_schema = False

    @get("/items/{reference:str}/handover")
    async def page(self, request: Request, reference: FromPath[str]) -> Any:
        return await self._page(request, reference, {}, [], {})

    @post("/items/{reference:str}/handover/check")
    async def check(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values, described = await _form(request)
        try:
            result = await handover.check_identity(
                member.actor(client_ip(request)),
                reference,
                values.get("id_number", ""),
                values.get("owner_name", ""),
                bool(values.get("proxy")),
            )
        except ServiceError as exc:
            return await self._page(request, reference, values, described, form_errors(exc), exc.status_code)
        return await self._page(request, reference, values, described, {}, id_result=result)

    @post("/items/{reference:str}/handover")
    async def complete(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values, described = await _form(request)
        try:
            second = await self._second_officer(request, values)
            ref = await handover.complete(
                member.actor(client_ip(request)), reference, _input(values, described), second
            )
        except ServiceError as exc:
            return await self._page(request, reference, values, described, form_errors(exc), exc.status_code)
        flash(request, i18n.gettext("Handed over. Print the receipt for the owner."), category="success")
        return Redirect(path=f"/handovers/{ref}", status_code=303)

    @staticmethod
    async def _second_officer(request: Request, values: dict[str, str]) -> StaffMember | None:
        """The second officer confirms with their own username and password, typed on this screen."""
        username = values.get("second_username", "").strip()
        if not username:
            return None
        settings = get_settings()
        try:
            second = await accounts.authenticate(
                username,
                values.get("second_password", ""),
                client_ip(request),
                failures=request.app.stores.get("login_failures"),
                max_failures=settings.login_failures_before_lockout,
                lockout_seconds=settings.login_lockout_seconds,
            )
        except ServiceError as exc:
            raise ServiceError(exc.message, field="second_officer", **exc.params) from None
        if second.role not in HANDING_ROLES:
            raise ServiceError(
                N_("The second officer must be a duty officer or supervisor of this station."),
                field="second_officer",
            )
        return second

    @staticmethod
    async def _page(
        request: Request, reference: str, values: dict[str, str], described: list[int], errors: dict[str, str],
        status_code: int = 200, id_result: IdResult | None = None,
    ) -> Any:  # fmt: skip
        found = await handover.situation(reference)
        item = found.item
        member = current_member(request)
        return render(
            request,
            "handover/form.html",
            status_code=status_code,
            found=found,
            item=item,
            values=values,
            described=set(described),
            errors=errors,
            id_result=id_result,
            id_result_text=i18n.gettext(ID_CHECK_LABELS[id_result.outcome]) if id_result else "",
            max_failed=MAX_FAILED_CHECKS,
            can_hand_over=member is not None
            and member.station_code == item["station_code"]
            and item["status"] in handover.HANDABLE,
            done=await handover.handover_of_item(item["id"]),
            page_title=i18n.gettext("Hand over %(reference)s", reference=item["reference"]),
            **choices(),
        )

    @get("/handovers/{reference:str}")
    async def receipt(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        row = await handover.get_handover(reference, member.actor())
        base = get_settings().public_url or str(request.base_url).rstrip("/")
        verify_url = f"{base}/verify?code={row['verification_code']}"
        return render(
            request,
            "handover/receipt.html",
            row=row,
            item=row["item"],
            verify_url=verify_url,
            qr_svg=receipt_qr_svg(verify_url),
            page_title=i18n.gettext("Handover receipt %(reference)s", reference=row["reference"]),
            **choices(),
        )

    @get("/handovers/{reference:str}/signature")
    async def signature(self, request: Request, reference: FromPath[str]) -> Response[bytes]:
        member = current_member(request)
        assert member is not None
        data = await handover.signature_file(member.actor(), reference)
        return Response(
            data,
            media_type="image/png",
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    @get("/handovers/checks")
    async def failed_checks(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        station = None if member.role is Role.ADMIN else member.station_code
        return render(
            request,
            "handover/checks.html",
            open_checks=await handover.failed_checks(station, "open"),
            reviewed=await handover.failed_checks(station, "reviewed"),
            max_failed=MAX_FAILED_CHECKS,
            page_title=i18n.gettext("Failed identity checks"),
            **choices(),
        )

    @post("/handovers/checks/{check_id:int}/reviewed")
    async def review(self, request: Request, check_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        await attempt(
            request,
            handover.review_failed_check(member.actor(client_ip(request)), check_id, values.get("note", "")),
            N_("Marked as reviewed."),
        )
        return Redirect(path="/handovers/checks", status_code=303)
