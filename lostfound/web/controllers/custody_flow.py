"""Where items go after the desk: transfers between stations, and disposal after the legal period."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.domain.disposal import METHOD_LABELS
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role
from lostfound.services import disposals, legal_clock, stations, transfers
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, form_data
from lostfound.web.item_forms import choices
from lostfound.web.outcomes import attempt
from lostfound.web.templating import render


class TransfersController(Controller):
    include_in_schema = False

    @get("/transfers")
    async def overview(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        return render(
            request,
            "transfers/overview.html",
            view=await transfers.overview(member.station_code),
            page_title=i18n.gettext("Transfers"),
            **choices(),
        )

    @post("/items/{reference:str}/transfer")
    async def send(self, request: Request, reference: FromPath[str]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        await attempt(
            request,
            transfers.send(
                member.actor(client_ip(request)),
                reference,
                values.get("to_station", ""),
                values.get("note", ""),
            ),
            N_("Sent. The receiving station confirms when it arrives."),
        )
        return Redirect(path=f"/items/{reference.strip().upper()[:24]}", status_code=303)

    @post("/transfers/{transfer_id:int}/receive")
    async def receive(self, request: Request, transfer_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        done, ref = await attempt(
            request,
            transfers.receive(
                member.actor(client_ip(request)), transfer_id, values.get("storage_location", "")
            ),
        )
        if done:
            flash(
                request,
                i18n.gettext("%(reference)s is now in your custody.", reference=ref),
                category="success",
            )
        return Redirect(path="/transfers", status_code=303)

    @post("/transfers/{transfer_id:int}/cancel")
    async def cancel(self, request: Request, transfer_id: FromPath[int]) -> Redirect:
        member = current_member(request)
        assert member is not None
        await attempt(
            request,
            transfers.cancel(member.actor(client_ip(request)), transfer_id),
            N_("Called back: the item is in your custody again."),
        )
        return Redirect(path="/transfers", status_code=303)


class UnclaimedController(Controller):
    include_in_schema = False

    @get("/unclaimed")
    async def queue(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        station = None if member.role is Role.ADMIN else member.station_code
        items = await legal_clock.unclaimed_items(station)
        waiting = await disposals.pending(station)
        proposed = {row["item"] for row in waiting}
        allowed = await disposals.methods_by_item(items)
        methods = {
            row["reference"]: [(m.value, i18n.gettext(METHOD_LABELS[m])) for m in allowed[row["id"]]]
            for row in items
        }
        # Owners confirmed or suggested for these items: neither proposal nor approval goes ahead.
        owners = await disposals.owners_by_item(list({row["id"] for row in items} | proposed))
        return render(
            request,
            "unclaimed/queue.html",
            items=[row for row in items if row["id"] not in proposed],
            waiting=waiting,
            methods=methods,
            owners=owners,
            method_labels={m.value: i18n.gettext(label) for m, label in METHOD_LABELS.items()},
            can_approve=member.role is Role.SUPERVISOR,
            page_title=i18n.gettext("Unclaimed property"),
            **choices(),
        )

    @post("/items/{reference:str}/disposal")
    async def propose(self, request: Request, reference: FromPath[str]) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        await attempt(
            request,
            disposals.propose(
                member.actor(client_ip(request)), reference, values.get("method", ""), values.get("note", "")
            ),
            N_("Proposed. A supervisor approves the disposal."),
        )
        return Redirect(path="/unclaimed", status_code=303)

    @post("/disposals/{disposal_id:int}/approve")
    async def approve(self, request: Request, disposal_id: FromPath[int]) -> Redirect:
        return await self._decide(request, disposal_id, True)

    @post("/disposals/{disposal_id:int}/refuse")
    async def refuse(self, request: Request, disposal_id: FromPath[int]) -> Redirect:
        return await self._decide(request, disposal_id, False)

    @staticmethod
    async def _decide(request: Request, disposal_id: int, approve: bool) -> Redirect:
        member = current_member(request)
        assert member is not None
        values = await form_data(request)
        done, ref = await attempt(
            request,
            disposals.decide(member.actor(client_ip(request)), disposal_id, approve, values.get("note", "")),
        )
        if done:
            message = (
                N_("%(reference)s is disposed of.")
                if approve
                else N_("The disposal of %(reference)s was refused.")
            )
            flash(request, i18n.gettext(message, reference=ref), category="success")
        return Redirect(path="/unclaimed", status_code=303)


async def transfer_targets(own_code: str) -> list[dict[str, Any]]:
    """Stations and bureaus an item may be sent to, bureaus first."""
    rows = [row for row in await stations.list_stations(active_only=True) if row["code"] != own_code]
    return sorted(rows, key=lambda row: (not row["is_bureau"], row["code"]))
