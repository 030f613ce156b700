"""The good-deed log: officers log deeds with the people and photos; the press office reads them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response

from lostfound import i18n
from lostfound.domain.deeds import (
    DEED_KIND_LABELS,
    DEED_STATUS_LABELS,
    NAMING_LABELS,
    PARTICIPANT_ROLE_LABELS,
    DeedKind,
    DeedStatus,
    Naming,
    ParticipantRole,
)
from lostfound.domain.i18n_markers import N_
from lostfound.services import deeds
from lostfound.services.deeds import LOGGERS, DeedInput, ParticipantInput
from lostfound.services.errors import ServiceError
from lostfound.settings import TIMEZONE
from lostfound.web.access import current_member
from lostfound.web.controllers.press_notices import kind_options
from lostfound.web.forms import client_ip, form_data
from lostfound.web.item_forms import form_errors, local_datetime, read_form
from lostfound.web.outcomes import attempt
from lostfound.web.templating import render

_TZ = ZoneInfo(TIMEZONE)
_PARTICIPANT_FIELD = re.compile(r"p-(\d{1,2})-(role|name|consent|naming|public_name)")
BLANK_PARTICIPANTS = 3


def _participants(values: dict[str, str]) -> list[dict[str, str]]:
    indexes = sorted({int(m.group(1)) for key in values if (m := _PARTICIPANT_FIELD.fullmatch(key))})
    rows = []
    for index in indexes:
        row = {
            name: values.get(f"p-{index}-{name}", "").strip()
            for name in ("role", "name", "naming", "public_name")
        }
        row["consent"] = "1" if values.get(f"p-{index}-consent") else ""
        if row["role"] or row["name"]:
            rows.append(row)
    return rows


def _input(values: dict[str, str]) -> DeedInput:
    return DeedInput(
        kind=values.get("kind", ""),
        occurred_at=local_datetime(values.get("occurred_at", "")),
        place=values.get("place", ""),
        title=values.get("title", ""),
        narrative=values.get("narrative", ""),
        item_reference=values.get("item_reference", ""),
        participants=[
            ParticipantInput(
                row["role"], row["name"], bool(row["consent"]), row["naming"], row["public_name"]
            )
            for row in _participants(values)
        ],
    )


def _errors(exc: ServiceError) -> dict[str, str]:
    errors = {}
    for name, message in form_errors(exc).items():
        parts = name.split(".")
        errors[f"p-{parts[1]}-{parts[2]}" if parts[0] == "participants" and len(parts) == 3 else name] = (
            message
        )
    return errors


def _options() -> dict[str, Any]:
    return {
        "deed_kinds": [(k.value, i18n.gettext(DEED_KIND_LABELS[k])) for k in DeedKind],
        "deed_statuses": [(s.value, i18n.gettext(DEED_STATUS_LABELS[s])) for s in DeedStatus],
        "participant_roles": [(r.value, i18n.gettext(PARTICIPANT_ROLE_LABELS[r])) for r in ParticipantRole],
        "namings": [(n.value, i18n.gettext(NAMING_LABELS[n])) for n in Naming],
    }


class DeedsController(Controller):
    include_in_schema = False
    path = "/deeds"

    @get("/")
    async def list_page(
        self, request: Request, status: FromQuery[str] = "", kind: FromQuery[str] = ""
    ) -> Any:
        member = current_member(request)
        assert member is not None
        return render(
            request,
            "deeds/list.html",
            deeds=await deeds.list_deeds(member.station_code, status, kind),
            query={"status": status, "kind": kind},
            can_log=member.role in LOGGERS,
            page_title=i18n.gettext("Good deeds"),
            **_options(),
        )

    @get("/new")
    async def new_page(self, request: Request) -> Any:
        now = datetime.now(_TZ).strftime("%Y-%m-%dT%H:%M")
        return self._form(request, {"occurred_at": now}, [], {}, None)

    @post("/new")
    async def create(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        values, photos = await read_form(request)
        try:
            deed_id = await deeds.create_deed(member.actor(client_ip(request)), _input(values), photos)
        except ServiceError as exc:
            return self._form(request, values, _participants(values), _errors(exc), None, exc.status_code)
        flash(request, i18n.gettext("The deed is logged."), category="success")
        return Redirect(path=f"/deeds/{deed_id}", status_code=303)

    @get("/{deed_id:int}")
    async def detail(self, request: Request, deed_id: FromPath[int]) -> Any:
        member = current_member(request)
        assert member is not None
        deed = await deeds.get_deed(deed_id)
        own = member.station_code == deed["station_code"]
        return render(
            request,
            "deeds/detail.html",
            deed=deed,
            can_change=own and member.role in LOGGERS,
            can_decide=own and deed["status"] == DeedStatus.PROPOSED,
            can_draft=own and deed["status"] == DeedStatus.LOGGED,
            notice_kinds=kind_options(),
            page_title=deed["title"],
            **_options(),
        )

    @get("/{deed_id:int}/edit")
    async def edit_page(self, request: Request, deed_id: FromPath[int]) -> Any:
        deed = await deeds.get_deed(deed_id)
        values = {name: str(deed[name] or "") for name in ("kind", "place", "title", "narrative")}
        values["occurred_at"] = deed["occurred_at"].astimezone(_TZ).strftime("%Y-%m-%dT%H:%M")
        values["item_reference"] = deed["item_reference"] or ""
        rows = [
            {"role": p["role"], "name": p["name"], "consent": "1" if p["consent_to_name"] else "",
             "naming": p["naming"], "public_name": p["public_name"] if p["naming"] == "surname" else ""}
            for p in deed["participants"]
        ]  # fmt: skip
        return self._form(request, values, rows, {}, deed_id)

    @post("/{deed_id:int}/edit")
    async def update(self, request: Request, deed_id: FromPath[int]) -> Any:
        member = current_member(request)
        assert member is not None
        values, _ = await read_form(request)
        try:
            await deeds.update_deed(member.actor(client_ip(request)), deed_id, _input(values))
        except ServiceError as exc:
            return self._form(request, values, _participants(values), _errors(exc), deed_id, exc.status_code)
        flash(request, i18n.gettext("Changes saved."), category="success")
        return Redirect(path=f"/deeds/{deed_id}", status_code=303)

    @post("/{deed_id:int}/photos")
    async def add_photo(self, request: Request, deed_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        _, uploads = await read_form(request)
        try:
            for data in uploads or [b""]:
                await deeds.add_photo(member.actor(client_ip(request)), deed_id, data)
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
        else:
            flash(request, i18n.gettext("Photo added."), category="success")
        return Redirect(path=f"/deeds/{deed_id}", status_code=303)

    @post("/{deed_id:int}/photos/{photo_id:int}/public")
    async def photo_public(
        self, request: Request, deed_id: FromPath[int], photo_id: FromPath[int]
    ) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        await attempt(
            request,
            deeds.set_photo_public(
                member.actor(client_ip(request)), deed_id, photo_id, values.get("public") == "1"
            ),
        )
        return Redirect(path=f"/deeds/{deed_id}", status_code=303)

    @post("/{deed_id:int}/keep")
    async def keep(self, request: Request, deed_id: FromPath[int]) -> Redirect:
        return await self._decide(request, deed_id, True)

    @post("/{deed_id:int}/dismiss")
    async def dismiss(self, request: Request, deed_id: FromPath[int]) -> Redirect:
        return await self._decide(request, deed_id, False)

    @get("/photos/{photo_id:int}/{variant:str}")
    async def photo(
        self, request: Request, photo_id: FromPath[int], variant: FromPath[str]
    ) -> Response[bytes]:
        member = current_member(request)
        assert member is not None
        data = await deeds.photo_file(member.actor(), photo_id, variant)
        return Response(
            data,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    @staticmethod
    async def _decide(request: Request, deed_id: int, keep: bool) -> Redirect:
        member = current_member(request)
        assert member is not None
        done = N_("Taken into the log.") if keep else N_("Dismissed.")
        await attempt(request, deeds.decide_proposed(member.actor(client_ip(request)), deed_id, keep), done)
        return Redirect(path=f"/deeds/{deed_id}", status_code=303)

    @staticmethod
    def _form(
        request: Request, values: dict[str, str], rows: list[dict[str, str]], errors: dict[str, str],
        deed_id: int | None, status_code: int = 200,
    ) -> Any:  # fmt: skip
        blank = {"role": "", "name": "", "consent": "", "naming": "anonymous", "public_name": ""}
        shown = rows + [dict(blank) for _ in range(max(BLANK_PARTICIPANTS - len(rows), 1))]
        return render(
            request,
            "deeds/form.html",
            status_code=status_code,
            values=values,
            rows=shown,
            errors=errors,
            deed_id=deed_id,
            page_title=i18n.gettext("Edit the deed") if deed_id else i18n.gettext("Log a good deed"),
            **_options(),
        )
