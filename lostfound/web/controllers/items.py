"""Pages for found items: intake (desk and phone), list, detail, reveal, photos, receipt."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response

from lostfound import i18n
from lostfound.domain.contact import METHOD_LABELS, OUTCOME_LABELS, ContactMethod, ContactOutcome
from lostfound.domain.found_items import (
    DOCUMENT_KINDS,
    FinderReward,
    ItemStatus,
)
from lostfound.domain.i18n_markers import N_
from lostfound.domain.legal_clock import days_left
from lostfound.services import (
    contact_attempts,
    found_items,
    handover,
    item_photos,
    lost_reports,
    matching,
    stations,
)
from lostfound.services.errors import ServiceError
from lostfound.services.found_items import FinderInput, FoundItemInput
from lostfound.settings import TIMEZONE, get_settings
from lostfound.web.access import current_member
from lostfound.web.controllers.custody_flow import transfer_targets
from lostfound.web.forms import client_ip, form_data, page_number
from lostfound.web.item_forms import (
    BLANK_CONTENT_ROWS,
    CONTENT_FIELDS,
    ID_PATTERN,
    PLAIN_FIELDS,
    choices,
    content_inputs,
    content_rows,
    form_errors,
    local_datetime,
    read_form,
    uploads_of,
)
from lostfound.web.item_views import list_filter
from lostfound.web.receipts import receipt_qr_svg
from lostfound.web.templating import render

_TZ = ZoneInfo(TIMEZONE)
MAX_FORM_ROWS = 40
READING_UNCHECKED = N_("Check what was read from the document photo against the document, then tick the box.")


def _item_input(values: dict[str, str], station_code: str) -> FoundItemInput:
    return FoundItemInput(
        station=station_code,
        category=values.get("category", ""),
        found_at=local_datetime(values.get("found_at", "")),
        description=values.get("description", ""),
        colour=values.get("colour", ""),
        brand=values.get("brand", ""),
        found_place=values.get("found_place", ""),
        district=values.get("district", ""),
        external_ref=values.get("external_ref", ""),
        storage_location=values.get("storage_location", ""),
        estimated_value=values.get("estimated_value", ""),
        finder=FinderInput(
            name=values.get("finder_name", ""),
            phone=values.get("finder_phone", ""),
            consent_to_publish=bool(values.get("finder_consent")),
            wants_news=bool(values.get("finder_news")),
            reward=values.get("finder_reward", FinderReward.UNDECIDED.value),
        ),
        contents=content_inputs(values),
    )


def _boxes(raw: str) -> list[tuple[float, float, float, float]]:
    """The boxes drawn on the redaction page: a JSON list of [x0, y0, x1, y1] in 0..1."""
    try:
        if len(raw) > 10_000:
            raise ValueError("too long")
        data = json.loads(raw)
        boxes = [tuple(float(v) for v in box) for box in data]
    except (ValueError, TypeError, RecursionError):
        raise ServiceError(N_("The boxes could not be read. Draw them again."), field="photo") from None
    if not boxes or any(len(box) != 4 for box in boxes):
        raise ServiceError(N_("Draw at least one box over what must not be seen."), field="photo")
    return boxes  # type: ignore[return-value]


class ItemsController(Controller):
    path = "/items"
    include_in_schema = False

    @get("/")
    async def list_page(
        self,
        request: Request,
        station: FromQuery[str] = "",
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        found_from: FromQuery[str] = "",
        found_to: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Any:
        member = current_member(request)
        assert member is not None
        query = {"station": station, "status": status, "category": category, "found_from": found_from,
                 "found_to": found_to, "q": q}  # fmt: skip
        result = await found_items.list_items(
            list_filter(station, status, category, found_from, found_to, q), page=page_number(page)
        )
        return render(
            request,
            "items/list.html",
            result=result,
            query=query,
            stations=await stations.list_stations(),
            page_title=i18n.gettext("Found items"),
            **choices(),
        )

    @get("/new")
    async def new_page(self, request: Request) -> Any:
        now = datetime.now(_TZ).strftime("%Y-%m-%dT%H:%M")
        return self._form(request, {"found_at": now, "finder_reward": "undecided"}, [], {})

    @post("/new")
    async def create(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        values, uploads = await read_form(request)
        rows = content_rows(values)
        try:
            if values.get("reading") and not values.get("reading_confirmed"):
                # Read from a photo: the officer must have checked it against the document.
                raise ServiceError(READING_UNCHECKED, field="reading_confirmed")
            ref = await found_items.create_item(
                member.actor(client_ip(request)),
                _item_input(values, member.station_code),
                uploads,
                await uploads_of(request, "document_photos"),
            )
        except ServiceError as exc:
            return self._form(request, values, rows, form_errors(exc), status_code=exc.status_code)
        flash(request, i18n.gettext("Logged as %(reference)s.", reference=ref), category="success")
        return Redirect(path=f"/items/{ref}", status_code=303)

    @get("/{reference:str}")
    async def detail(self, request: Request, reference: FromPath[str]) -> Any:
        return await self._detail(request, reference, revealed={})

    @post("/{reference:str}/reveal")
    async def reveal(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values, _ = await read_form(request)
        what = values.get("what", "number")
        content_id = int(values["content"]) if ID_PATTERN.fullmatch(values.get("content", "")) else None
        plain = await found_items.reveal_number(member.actor(client_ip(request)), reference, content_id, what)
        return await self._detail(request, reference, revealed={(what, content_id): plain})

    @post("/{reference:str}/photos")
    async def add_photo(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values, uploads = await read_form(request)
        try:
            for data in uploads or [b""]:
                await item_photos.add_photo(
                    member.actor(client_ip(request)), reference, data, document=bool(values.get("document"))
                )
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
        else:
            flash(request, i18n.gettext("Photo added."), category="success")
        return Redirect(path=f"/items/{reference}", status_code=303)

    @get("/{reference:str}/edit")
    async def edit_page(self, request: Request, reference: FromPath[str]) -> Any:
        item = await found_items.get_item(reference)
        values = {name: str(item.get(name) or "") for name in PLAIN_FIELDS}
        values["found_at"] = item["found_at"].astimezone(_TZ).strftime("%Y-%m-%dT%H:%M")
        values["estimated_value"] = found_items.decimal_text(item["estimated_value"])
        values["finder_consent"] = "1" if item["finder_consent_to_publish"] else ""
        values["finder_news"] = "1" if item["finder_wants_news"] else ""
        values["finder_reward"] = item["finder_reward"]
        return self._edit_form(request, item, values, [], {}, set())

    @post("/{reference:str}/edit")
    async def update(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        form = await request.form()
        removing = {v for v in form.getall("remove", []) if isinstance(v, str) and ID_PATTERN.fullmatch(v)}
        values, _ = await read_form(request)
        item = await found_items.get_item(reference)
        try:
            await found_items.update_item(
                member.actor(client_ip(request)),
                reference,
                _item_input(values, item["station_code"]),
                remove_contents=[int(v) for v in removing],
            )
        except ServiceError as exc:
            rows = content_rows(values)
            return self._edit_form(request, item, values, rows, form_errors(exc), removing, exc.status_code)
        flash(request, i18n.gettext("Changes saved."), category="success")
        return Redirect(path=f"/items/{item['reference']}", status_code=303)

    @get("/{reference:str}/photos/{photo_id:int}/redact")
    async def redact_page(self, request: Request, reference: FromPath[str], photo_id: FromPath[int]) -> Any:
        return await self._redact_form(request, reference, photo_id, {})

    @post("/{reference:str}/photos/{photo_id:int}/redact")
    async def redact(self, request: Request, reference: FromPath[str], photo_id: FromPath[int]) -> Any:
        member = current_member(request)
        assert member is not None
        values, _ = await read_form(request)
        try:
            boxes = _boxes(values.get("boxes", "[]"))
            await item_photos.redact_photo(member.actor(client_ip(request)), reference, photo_id, boxes)
        except ServiceError as exc:
            errors = {"photo": i18n.gettext(exc.message, **exc.params)}
            return await self._redact_form(request, reference, photo_id, errors, exc.status_code)
        flash(request, i18n.gettext("The public copy of the photo is ready."), category="success")
        return Redirect(path=f"/items/{reference}", status_code=303)

    @post("/{reference:str}/contacts")
    async def record_contact(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        content = values.get("content", "")
        try:
            await contact_attempts.record_attempt(
                member.actor(client_ip(request)),
                reference,
                int(content) if content.isdigit() else None,
                values.get("method", ""),
                values.get("outcome", ""),
                values.get("note", ""),
            )
        except ServiceError as exc:
            message = next(iter(form_errors(exc).values()), None) or i18n.gettext(exc.message, **exc.params)
            flash(request, message, category="error")
        else:
            flash(request, i18n.gettext("Contact attempt recorded."), category="success")
        return Redirect(path=f"/items/{reference.strip().upper()[:24]}", status_code=303)

    @get("/{reference:str}/receipt")
    async def receipt(self, request: Request, reference: FromPath[str]) -> Any:
        item = await found_items.get_item(reference)
        base = get_settings().public_url or str(request.base_url).rstrip("/")
        verify_url = f"{base}/verify?code={item['verification_code']}"
        return render(
            request,
            "items/receipt.html",
            item=item,
            verify_url=verify_url,
            qr_svg=receipt_qr_svg(verify_url),
            page_title=i18n.gettext("Receipt for found property"),
            **choices(),
        )

    @staticmethod
    def _form(
        request: Request, values: dict[str, str], rows: list[dict[str, str]], errors: dict[str, str],
        status_code: int = 200,
    ) -> Any:  # fmt: skip
        blank = {name: "" for name in CONTENT_FIELDS} | {"as_printed": ""}
        shown = rows + [dict(blank) for _ in range(max(BLANK_CONTENT_ROWS - len(rows), 1))]
        return render(
            request,
            "items/new.html",
            status_code=status_code,
            values=values,
            rows=shown,
            errors=errors,
            finder_phone_masked="",
            page_title=i18n.gettext("Log a found item"),
            **choices(),
        )

    @staticmethod
    def _edit_form(
        request: Request, item: dict, values: dict[str, str], rows: list[dict[str, str]], errors: dict[str, str],
        removing: set[str], status_code: int = 200,
    ) -> Any:  # fmt: skip
        blank = {name: "" for name in CONTENT_FIELDS} | {"as_printed": ""}
        return render(
            request,
            "items/edit.html",
            status_code=status_code,
            reference=item["reference"],
            existing=item["contents"],
            removing=removing,
            values=values,
            rows=rows or [dict(blank)],
            errors=errors,
            finder_phone_masked=item["finder_phone_masked"],
            page_title=i18n.gettext("Edit %(reference)s", reference=item["reference"]),
            **choices(),
        )

    @staticmethod
    async def _redact_form(
        request: Request, reference: str, photo_id: int, errors: dict[str, str], status_code: int = 200
    ) -> Any:
        item = await found_items.get_item(reference)
        photo = next((p for p in item["photos"] if p["id"] == photo_id), None)
        if photo is None:
            raise NotFoundException()
        return render(
            request,
            "items/redact.html",
            status_code=status_code,
            reference=item["reference"],
            photo=photo,
            errors=errors,
            page_title=i18n.gettext("Prepare the photo for the public"),
        )

    @staticmethod
    async def _detail(request: Request, reference: str, revealed: dict) -> Any:
        item = await found_items.get_item(reference)
        member = current_member(request)
        has_id_document = any(row["kind"] in DOCUMENT_KINDS for row in item["contents"])
        matches = await matching.matches_of("item", item["id"])
        confirmed = any(match["state"] == "confirmed" for match in matches)
        return render(
            request,
            "items/detail.html",
            item=item,
            revealed=revealed,
            matches=matches,
            unreported=has_id_document and item["status"] == ItemStatus.IN_CUSTODY,
            # Until an owner is confirmed, a suggestion may be wrong: the leads stay at hand.
            leads=contact_attempts.leads(item)
            if item["status"] == ItemStatus.IN_CUSTODY and not confirmed
            else [],
            uncertain=not any(match["decision"] == "auto" for match in matches),
            attempts=await contact_attempts.attempts_for(item["id"]),
            contact_methods=[(m.value, i18n.gettext(METHOD_LABELS[m])) for m in ContactMethod],
            contact_outcomes=[(o.value, i18n.gettext(OUTCOME_LABELS[o])) for o in ContactOutcome],
            can_change=member is not None and member.station_code == item["station_code"],
            handover_reference=await handover.handover_of_item(item["id"]),
            days_left=days_left(item["claim_deadline"], datetime.now(UTC))
            if item["claim_deadline"]
            else None,
            transfer_targets=await transfer_targets(item["station_code"]),
            board_reports=await lost_reports.pointing_at(item["id"]),
            handable=handover.HANDABLE,
            page_title=item["reference"],
            **choices(),
        )


class MediaController(Controller):
    """Photos are served to signed-in officers only; public pages get redacted variants elsewhere."""

    path = "/media"
    include_in_schema = False

    @get("/photos/{photo_id:int}/{variant:str}")
    async def photo(
        self, request: Request, photo_id: FromPath[int], variant: FromPath[str]
    ) -> Response[bytes]:
        member = current_member(request)
        assert member is not None
        data = await item_photos.photo_file(member.actor(), photo_id, variant)
        return Response(
            data,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
