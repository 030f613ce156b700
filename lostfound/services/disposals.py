"""Disposal of unclaimed items: an officer proposes how, a supervisor (another person) approves.

Nothing leaves the station's books without that approval; both steps are audited and the
approval is the moment the item becomes ``disposed``. Neither goes ahead while an owner is
confirmed for the item or a suggestion of one waits for review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lostfound.domain.disposal import DisposalMethod, DisposalStatus, allowed_methods, disposal_blocker
from lostfound.domain.found_items import CustodyKind, ItemStatus
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role
from lostfound.services import audit, found_items, matching
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.transactions import write_transaction
from lostfound.tables import Disposal, FoundItem, ItemContent, Match


def methods_for(item: dict[str, Any]) -> list[DisposalMethod]:
    return allowed_methods(item["category"], [row["kind"] for row in item["contents"]])


async def methods_by_item(items: list[dict[str, Any]]) -> dict[int, list[DisposalMethod]]:
    """The lawful methods for each of ``items`` (id, category), their contents read in one query."""
    kinds: dict[int, list[str]] = {row["id"]: [] for row in items}
    if items:
        for row in await ItemContent.select(ItemContent.item, ItemContent.kind).where(
            ItemContent.item.is_in(list(kinds))
        ):
            kinds[row["item"]].append(row["kind"])
    return {row["id"]: allowed_methods(row["category"], kinds[row["id"]]) for row in items}


@dataclass
class Owners:
    """The owners an item may have: its confirmed match and the suggestions waiting for review."""

    confirmed: dict[str, Any] | None = None  # {"match_id", "report_reference"}
    suggested: list[dict[str, Any]] = field(default_factory=list)  # best first

    @property
    def blocker(self) -> tuple[str, str] | None:
        return disposal_blocker(
            self.confirmed["report_reference"] if self.confirmed else None,
            [row["report_reference"] for row in self.suggested],
        )


async def owners_by_item(item_ids: Sequence[int]) -> dict[int, Owners]:
    """For each of ``item_ids``, who may own it; items nobody is matched with are left out."""
    found: dict[int, Owners] = {}
    if not item_ids:
        return found
    rows = await (
        Match.select(
            Match.id.as_alias("match_id"),
            Match.item,
            Match.state,
            Match.report.reference.as_alias("report_reference"),
        )
        .where(Match.item.is_in(list(item_ids)) & Match.state.is_in(["confirmed", "suggested"]))
        .order_by(Match.score, ascending=False)
        .order_by(Match.id)
    )
    for row in rows:
        owners = found.setdefault(row["item"], Owners())
        if row["state"] == "confirmed":
            owners.confirmed = row
        else:
            owners.suggested.append(row)
    return found


async def _refuse_if_owned(item_id: int) -> None:
    """Refuse the disposal of an item an owner was confirmed or suggested for.

    An unclaimed item may still hold a confirmed match: the clock used to run out items whose owner
    had been found. Those stay refused too."""
    owners = (await owners_by_item([item_id])).get(item_id)
    if owners is not None and (blocker := owners.blocker) is not None:
        message, references = blocker
        raise Conflict(message, reference=references)


async def propose(actor: Actor, reference: str, method: str, note: str = "") -> int:
    item = await found_items.get_item(reference)
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the station holding the item may propose its disposal."))
    if item["status"] != ItemStatus.UNCLAIMED:
        raise Conflict(N_("Only an item whose claim period has ended can be disposed of."))
    if method not in {m.value for m in methods_for(item)}:
        raise ServiceError(N_("Choose one of the ways allowed for this item."), field="method")
    async with write_transaction():
        # Touching the item row first serialises two proposals made at the same moment.
        locked = await (
            FoundItem.update({FoundItem.updated_at: datetime.now(UTC)})
            .where((FoundItem.id == item["id"]) & (FoundItem.status == ItemStatus.UNCLAIMED.value))
            .returning(FoundItem.id)
        )
        if not locked:
            raise Conflict(N_("Only an item whose claim period has ended can be disposed of."))
        await _refuse_if_owned(item["id"])
        pending = await Disposal.exists().where(
            (Disposal.item == item["id"]) & (Disposal.status == DisposalStatus.PROPOSED.value)
        )
        if pending:
            raise Conflict(N_("A disposal of this item is already waiting for approval."))
        row = Disposal(
            item=item["id"],
            method=method,
            proposed_by=actor.user_id,
            proposed_by_name=actor.username,
            note=" ".join(note.split())[:500],
        )
        await row.save()
        await audit.record(actor, "disposal.propose", "found_item", item["reference"], {"method": method})
    return int(row.id)


async def decide(actor: Actor, disposal_id: int, approve: bool, note: str = "") -> str:
    """A supervisor of the item's station approves (the item is disposed of) or refuses."""
    row = await (
        Disposal.select(
            Disposal.all_columns(),
            Disposal.item.reference.as_alias("reference"),
            Disposal.item.station.code.as_alias("station_code"),
            Disposal.item.storage_location.as_alias("storage_location"),
        )
        .where(Disposal.id == disposal_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("No such disposal."))
    if actor.role is not Role.SUPERVISOR or not actor.acts_for(row["station_code"]):
        raise Forbidden(N_("Only a supervisor of the item's station may approve a disposal."))
    if row["proposed_by"] is not None and row["proposed_by"] == actor.user_id:
        raise Forbidden(N_("Someone other than the officer who proposed it must approve a disposal."))
    if row["status"] != DisposalStatus.PROPOSED:
        raise Conflict(N_("This disposal was already decided."))
    now = datetime.now(UTC)
    status = DisposalStatus.APPROVED if approve else DisposalStatus.REFUSED
    async with write_transaction():
        changed = await (
            Disposal.update(
                {
                    Disposal.status: status.value,
                    Disposal.decided_by: actor.user_id,
                    Disposal.decided_by_name: actor.username,
                    Disposal.decided_at: now,
                    Disposal.decision_note: " ".join(note.split())[:500],
                }
            )
            .where((Disposal.id == disposal_id) & (Disposal.status == DisposalStatus.PROPOSED.value))
            .returning(Disposal.id)
        )
        if not changed:
            raise Conflict(N_("This disposal was already decided."))
        if approve:
            # A suggestion may have come in, or an owner been confirmed, since it was proposed.
            await _refuse_if_owned(row["item"])
            moved = await (
                FoundItem.update({FoundItem.status: ItemStatus.DISPOSED.value, FoundItem.updated_at: now})
                .where((FoundItem.id == row["item"]) & (FoundItem.status == ItemStatus.UNCLAIMED.value))
                .returning(FoundItem.id)
            )
            if not moved:
                raise Conflict(N_("The item is no longer waiting for disposal."))
            await record_custody(row["item"], actor, CustodyKind.DISPOSED, "", method=row["method"])
        action = "disposal.approve" if approve else "disposal.refuse"
        await audit.record(actor, action, "found_item", row["reference"], {"method": row["method"]})
    if approve:  # gone: no owner can be suggested for it any more
        await matching.forget("item", row["item"])
    return row["reference"]


async def pending(station_code: str | None) -> list[dict[str, Any]]:
    query = Disposal.select(
        Disposal.all_columns(),
        Disposal.item.reference.as_alias("reference"),
        Disposal.item.category.as_alias("category"),
        Disposal.item.station.code.as_alias("station_code"),
    ).where(Disposal.status == DisposalStatus.PROPOSED.value)
    if station_code is not None:
        query = query.where(Disposal.item.station.code == station_code)
    return await query.order_by(Disposal.proposed_at)


async def history_of_item(item_id: int) -> list[dict[str, Any]]:
    return await Disposal.select().where(Disposal.item == item_id).order_by(Disposal.id)
