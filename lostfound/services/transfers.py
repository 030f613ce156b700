"""Transfers of found items between stations and to the district bureau. Audited.

The sending station records the dispatch (the item is ``transferred`` while on the way); the
receiving station confirms arrival and shelves it, and from then on holds it. Items kept at a
station longer than ``transfer_after_working_days`` are listed as due for the bureau.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.domain.found_items import CustodyKind, ItemStatus
from lostfound.domain.i18n_markers import N_
from lostfound.domain.legal_clock import working_days_between
from lostfound.services import audit, found_items
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.found_items import InvalidItem
from lostfound.services.item_contents import Problems, free_text
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, get_settings
from lostfound.tables import FoundItem, Station, Transfer

_TZ = ZoneInfo(TIMEZONE)
IN_TRANSIT = "in_transit"
RECEIVED = "received"
CANCELLED = "cancelled"


async def send(actor: Actor, reference: str, to_code: str, note: str = "") -> int:
    item = await found_items.get_item(reference)
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the station holding the item may send it on."))
    if item["status"] != ItemStatus.IN_CUSTODY:
        raise Conflict(N_("Only an item in the station's custody can be sent on."))
    problems = Problems()
    text = free_text(note, 300, "note", problems)
    target = await Station.select().where(Station.code == to_code.strip().upper()[:8]).first()
    if target is None or not target["active"]:
        problems.add("to_station", N_("Choose the station or bureau to send it to."))
    elif target["code"] == item["station_code"]:
        problems.add("to_station", N_("The item is already at this station."))
    if problems:
        raise InvalidItem(problems)
    assert target is not None
    async with write_transaction():
        # The conditional update comes first: it locks the row, so two desks cannot both send it.
        moved = await (
            FoundItem.update(
                {FoundItem.status: ItemStatus.TRANSFERRED.value, FoundItem.updated_at: datetime.now(UTC)}
            )
            .where((FoundItem.id == item["id"]) & (FoundItem.status == ItemStatus.IN_CUSTODY.value))
            .returning(FoundItem.id)
        )
        if not moved:
            raise Conflict(N_("Only an item in the station's custody can be sent on."))
        row = Transfer(
            item=item["id"],
            from_station=item["station"],
            to_station=target["id"],
            sent_by=actor.user_id,
            sent_by_name=actor.username,
            note=text,
        )
        await row.save()
        await record_custody(
            item["id"], actor, CustodyKind.TRANSFER_SENT, item["storage_location"], to=target["code"]
        )
        await audit.record(actor, "transfer.send", "found_item", item["reference"], {"to": target["code"]})
    return int(row.id)


async def _open_transfer(transfer_id: int) -> dict[str, Any]:
    row = await (
        Transfer.select(
            Transfer.all_columns(),
            Transfer.item.reference.as_alias("item_reference"),
            Transfer.from_station.code.as_alias("from_code"),
            Transfer.to_station.code.as_alias("to_code"),
        )
        .where(Transfer.id == transfer_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("No such transfer."))
    if row["status"] != IN_TRANSIT:
        raise Conflict(N_("This transfer is already closed."))
    return row


async def receive(actor: Actor, transfer_id: int, storage_location: str) -> str:
    """The receiving station confirms the item arrived and where it is shelved."""
    row = await _open_transfer(transfer_id)
    if not actor.acts_for(row["to_code"]):
        raise Forbidden(N_("Only the receiving station can confirm the arrival."))
    shelf = " ".join(storage_location.split())[:32]
    if not shelf:
        raise ServiceError(N_("Enter where the item is kept now."), field="storage_location")
    now = datetime.now(UTC)
    async with write_transaction():
        changed = (
            await Transfer.update(
                {
                    Transfer.status: RECEIVED,
                    Transfer.received_by: actor.user_id,
                    Transfer.received_by_name: actor.username,
                    Transfer.received_at: now,
                    Transfer.storage_location: shelf,
                }
            )
            .where((Transfer.id == transfer_id) & (Transfer.status == IN_TRANSIT))
            .returning(Transfer.id)
        )
        if not changed:
            raise Conflict(N_("This transfer is already closed."))
        arrived = await (
            FoundItem.update(
                {
                    FoundItem.station: row["to_station"],
                    FoundItem.status: ItemStatus.IN_CUSTODY.value,
                    FoundItem.storage_location: shelf,
                    FoundItem.updated_at: now,
                }
            )
            .where((FoundItem.id == row["item"]) & (FoundItem.status == ItemStatus.TRANSFERRED.value))
            .returning(FoundItem.id)
        )
        if not arrived:
            raise Conflict(N_("This transfer is already closed."))
        await record_custody(
            row["item"], actor, CustodyKind.TRANSFER_RECEIVED, shelf, **{"from": row["from_code"]}
        )
        await audit.record(
            actor, "transfer.receive", "found_item", row["item_reference"], {"from": row["from_code"]}
        )
    return row["item_reference"]


async def cancel(actor: Actor, transfer_id: int) -> str:
    """The sender calls an item back before the other end confirms it."""
    row = await _open_transfer(transfer_id)
    if not actor.acts_for(row["from_code"]):
        raise Forbidden(N_("Only the sending station can call the item back."))
    async with write_transaction():
        changed = await (
            Transfer.update({Transfer.status: CANCELLED})
            .where((Transfer.id == transfer_id) & (Transfer.status == IN_TRANSIT))
            .returning(Transfer.id)
        )
        back = changed and await FoundItem.update(
            {FoundItem.status: ItemStatus.IN_CUSTODY.value, FoundItem.updated_at: datetime.now(UTC)}
        ).where((FoundItem.id == row["item"]) & (FoundItem.status == ItemStatus.TRANSFERRED.value)).returning(
            FoundItem.id
        )
        if not back:
            raise Conflict(N_("This transfer is already closed."))
        await record_custody(row["item"], actor, CustodyKind.TRANSFER_CANCELLED, to=row["to_code"])
        await audit.record(
            actor, "transfer.cancel", "found_item", row["item_reference"], {"to": row["to_code"]}
        )
    return row["item_reference"]


@dataclass(frozen=True)
class Overview:
    incoming: list[dict[str, Any]]
    outgoing: list[dict[str, Any]]
    due: list[dict[str, Any]]  # kept here past the working-day limit, not yet sent to the bureau
    limit_days: int


def _transfer_query() -> Any:
    return Transfer.select(
        Transfer.all_columns(),
        Transfer.item.reference.as_alias("item_reference"),
        Transfer.item.category.as_alias("item_category"),
        Transfer.from_station.code.as_alias("from_code"),
        Transfer.from_station.name_zh.as_alias("from_name_zh"),
        Transfer.from_station.name_en.as_alias("from_name_en"),
        Transfer.to_station.code.as_alias("to_code"),
        Transfer.to_station.name_zh.as_alias("to_name_zh"),
        Transfer.to_station.name_en.as_alias("to_name_en"),
    ).where(Transfer.status == IN_TRANSIT)


async def overview(station_code: str, now: datetime | None = None) -> Overview:
    now = now or datetime.now(UTC)
    limit = get_settings().transfer_after_working_days
    incoming = (
        await _transfer_query().where(Transfer.to_station.code == station_code).order_by(Transfer.sent_at)
    )
    outgoing = (
        await _transfer_query().where(Transfer.from_station.code == station_code).order_by(Transfer.sent_at)
    )
    station = await Station.select(Station.id, Station.is_bureau).where(Station.code == station_code).first()
    due: list[dict[str, Any]] = []
    if station is not None and not station["is_bureau"]:
        held = await FoundItem.select(
            FoundItem.id,
            FoundItem.reference,
            FoundItem.category,
            FoundItem.created_at,
            FoundItem.storage_location,
        ).where((FoundItem.station == station["id"]) & (FoundItem.status == ItemStatus.IN_CUSTODY.value))
        arrivals = {
            row["item"]: row["received_at"]
            for row in await Transfer.select(Transfer.item, Transfer.received_at)
            .where((Transfer.to_station == station["id"]) & (Transfer.status == RECEIVED))
            .order_by(Transfer.received_at)
        }
        today = now.astimezone(_TZ).date()
        for row in held:
            since = arrivals.get(row["id"]) or row["created_at"]
            days = working_days_between(since.astimezone(_TZ).date(), today)
            if days > limit:
                due.append({**row, "since": since, "working_days": days})
        due.sort(key=lambda r: r["since"])
    return Overview(incoming, outgoing, due, limit)


async def bureau_stations() -> list[dict[str, Any]]:
    return (
        await Station.select()
        .where(Station.is_bureau.eq(True) & Station.active.eq(True))
        .order_by(Station.code)
    )
