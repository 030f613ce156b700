"""Notices about good deeds: the press office drafts and edits with a live preview, a supervisor
approves, and the public reads published ones at ``/commendations`` (with a print page)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from lostfound import i18n
from lostfound.domain.i18n_markers import N_
from lostfound.domain.notices import DEED_NOTICE_KINDS, NOTICE_KIND_LABELS
from lostfound.domain.roles import Role
from lostfound.services import deed_notices, deeds
from lostfound.services.errors import ServiceError
from lostfound.settings import get_settings
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, form_data
from lostfound.web.item_forms import form_errors
from lostfound.web.outcomes import attempt
from lostfound.web.receipts import receipt_qr_svg
from lostfound.web.templating import render


def kind_options() -> list[tuple[str, str]]:
    return [(k.value, i18n.gettext(NOTICE_KIND_LABELS[k])) for k in DEED_NOTICE_KINDS]


class PressNoticesController(Controller):
    include_in_schema = False

    @post("/deeds/{deed_id:int}/notices")
    async def create(self, request: Request, deed_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        try:
            ref = await deed_notices.create_draft(
                member.actor(client_ip(request)), deed_id, values.get("kind", ""), values.get("language", "")
            )
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
            return Redirect(path=f"/deeds/{deed_id}", status_code=303)
        flash(
            request,
            i18n.gettext(
                "Draft %(reference)s written from the deed. Edit it, then ask for approval.", reference=ref
            ),
            category="success",
        )
        return Redirect(path=f"/press/notices/{ref}", status_code=303)

    @get("/press/notices")
    async def list_page(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        return render(
            request,
            "press/list.html",
            notices=await deed_notices.list_notices(member.station_code),
            page_title=i18n.gettext("Commendations and letters"),
        )

    @get("/press/notices/{reference:str}")
    async def editor(self, request: Request, reference: FromPath[str]) -> Any:
        return await self._editor(request, reference, {}, {})

    @post("/press/notices/{reference:str}")
    async def save(self, request: Request, reference: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        photo = values.get("photo", "")
        try:
            await deed_notices.edit(
                member.actor(client_ip(request)), reference, values.get("title", ""), values.get("body", ""),
                int(photo) if photo.isascii() and photo.isdigit() and len(photo) < 10 else None,
            )  # fmt: skip
        except ServiceError as exc:
            return await self._editor(request, reference, values, form_errors(exc), exc.status_code)
        flash(request, i18n.gettext("Changes saved."), category="success")
        return Redirect(path=f"/press/notices/{reference.strip().upper()[:24]}", status_code=303)

    @get("/press/notices/{reference:str}/poster.png")
    async def poster_preview(
        self, request: Request, reference: FromPath[str], size: FromQuery[str] = "portrait"
    ) -> Response[bytes]:
        member = current_member(request)
        assert member is not None
        notice = await deed_notices.get_notice(reference)
        url = f"{_base(request)}/verify?code={notice['verification_code']}"
        data = await deed_notices.poster(reference, size, url, member.actor())
        return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})

    @post("/press/notices/{reference:str}/approve")
    async def approve(self, request: Request, reference: FromPath[str]) -> Redirect:
        seen = (await form_data(request)).get("seen") or ""

        async def approve_what_was_read(actor: Any, ref: str) -> None:
            await deed_notices.approve(actor, ref, seen or None)

        return await self._act(
            request, reference, approve_what_was_read, N_("Approved. It can be published now.")
        )

    @post("/press/notices/{reference:str}/publish")
    async def publish(self, request: Request, reference: FromPath[str]) -> Redirect:
        return await self._act(request, reference, deed_notices.publish, N_("Published on the public site."))

    @post("/press/notices/{reference:str}/withdraw")
    async def withdraw(self, request: Request, reference: FromPath[str]) -> Redirect:
        return await self._act(
            request, reference, deed_notices.withdraw, N_("Withdrawn from the public site.")
        )

    @staticmethod
    async def _act(request: Request, reference: str, action: Any, done: str) -> Redirect:
        member = current_member(request)
        assert member is not None
        await attempt(request, action(member.actor(client_ip(request)), reference), done)
        return Redirect(path=f"/press/notices/{reference.strip().upper()[:24]}", status_code=303)

    @staticmethod
    async def _editor(
        request: Request,
        reference: str,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Any:
        member = current_member(request)
        assert member is not None
        notice = await deed_notices.get_notice(reference)
        if member.station_code != notice["station_code"] and notice["status"] != "published":
            raise NotFoundException()  # another station's drafts are its own business
        leaks = await deed_notices.redaction_problems(notice)
        deed = await deeds.get_deed(notice["deed"]) if notice["deed"] is not None else None
        own = member.station_code == notice["station_code"]
        status = notice["status"]
        return render(
            request,
            "press/editor.html",
            status_code=status_code,
            notice=notice,
            deed=deed,
            values={
                "title": values.get("title", notice["title"]),
                "body": values.get("body", notice["body"]),
                "photo": values.get("photo", str(notice["photo"] or "")),
            },
            errors=errors,
            leaks=[
                i18n.gettext(leak.message, name=leak.found) if leak.found else i18n.gettext(leak.message)
                for leak in leaks
            ],
            social=deed_notices.social_text(notice, f"{_base(request)}/commendations/{notice['reference']}"),
            seen=deed_notices.text_version(notice),
            can_edit=own and status == "draft" and member.role is not Role.ADMIN,
            can_approve=own and member.role is Role.SUPERVISOR and status == "draft" and not leaks,
            can_publish=own and status == "approved",
            can_withdraw=own and member.role is Role.SUPERVISOR and status != "withdrawn",
            page_title=notice["title"],
        )


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # the feed's date while nothing is published


def _base(request: Request) -> str:
    return get_settings().public_url or str(request.base_url).rstrip("/")


class CommendationsController(Controller):
    """Published commendations, letters of thanks and certificates: public, printable, verifiable."""

    include_in_schema = False
    path = "/commendations"

    @get("/")
    async def index(self, request: Request) -> Any:
        return render(
            request,
            "commendations/index.html",
            notices=await deed_notices.list_notices(None, published_only=True),
            page_title=i18n.gettext("Commendations"),
        )

    @get("/feed.atom")
    async def feed(self, request: Request) -> Template:
        """An Atom feed of published notices, newest first, for the city's websites and readers."""
        notices = await deed_notices.list_notices(None, published_only=True, with_body=True)
        return Template(
            template_name="commendations/feed.atom.xml",
            context={
                "notices": notices,
                "base": _base(request),
                "updated": (notices[0]["published_at"] if notices else EPOCH).isoformat(),
            },
            media_type="application/atom+xml",
        )

    @get("/{reference:str}")
    async def notice(self, request: Request, reference: FromPath[str]) -> Any:
        notice = await deed_notices.public_notice(reference)
        base = get_settings().public_url or str(request.base_url).rstrip("/")
        verify_url = f"{base}/verify?code={notice['verification_code']}"
        return render(
            request,
            "commendations/notice.html",
            notice=notice,
            verify_url=verify_url,
            qr_svg=receipt_qr_svg(verify_url),
            page_title=notice["title"] if notice["status"] == "published" else i18n.gettext("Withdrawn"),
        )

    @get("/{reference:str}/poster.png")
    async def poster(
        self, request: Request, reference: FromPath[str], size: FromQuery[str] = "portrait"
    ) -> Response[bytes]:
        verify = f"{_base(request)}/verify?code="
        notice = await deed_notices.public_notice(reference)
        data = await deed_notices.poster(reference, size, verify + notice["verification_code"])
        return Response(data, media_type="image/png", headers={"Cache-Control": "public, max-age=600"})

    @get("/photos/{photo_id:int}")
    async def photo(self, photo_id: FromPath[int]) -> Response[bytes]:
        data = await deed_notices.public_photo(photo_id)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"})
