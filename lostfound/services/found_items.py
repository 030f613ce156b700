"""Found-item intake: log what a finder hands in, list and read items, edit, reveal numbers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.crypto import readable_code
from lostfound.domain import identifiers as ids
from lostfound.domain.found_items import (
    CONTAINERS,
    Category,
    CustodyKind,
    FinderReward,
    ItemStatus,
    reference,
)
from lostfound.domain.i18n_markers import N_
from lostfound.pii import vault
from lostfound.services import audit, matching, references, search
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Forbidden, NotFound, ServiceError
from lostfound.services.item_contents import (
    FINDER_PHONE_COLUMN,
    ID_COLUMN,
    PHONE_COLUMN,
    ContentInput,
    Problems,
    content_row,
    free_text,
    phone_fields,
    phone_on_file,
    read_phone,
)
from lostfound.services.item_photos import attach_photo, discard_unreferenced
from lostfound.services.item_photos import prepare as prepare_photos
from lostfound.services.stations import get_station
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE
from lostfound.tables import CustodyEvent, FoundItem, ItemContent, ItemPhoto

_TZ = ZoneInfo(TIMEZONE)
MAX_CONTENTS = 40
EARLIEST_FOUND_AT = datetime(2000, 1, 1, tzinfo=UTC)
REVEALABLE = frozenset({"number", "phone", "finder_phone"})
PAGE_SIZE = 30


class InvalidItem(ServiceError):
    """Every problem of the submitted item at once, keyed by field (``contents.0.id_number``)."""

    def __init__(self, problems: Problems) -> None:
        first_field, (message, params) = next(iter(problems.items.items()))
        super().__init__(message, field=first_field, **params)
        self.problems = problems


@dataclass
class FinderInput:
    name: str = ""
    phone: str = ""
    consent_to_publish: bool = False
    wants_news: bool = False  # to be told when the owner collects
    reward: str = FinderReward.UNDECIDED.value


@dataclass
class FoundItemInput:
    station: str
    category: str
    found_at: datetime | None
    description: str = ""
    colour: str = ""
    brand: str = ""
    found_place: str = ""
    district: str = ""
    external_ref: str = ""
    storage_location: str = ""
    estimated_value: str = ""
    finder: FinderInput = field(default_factory=FinderInput)
    contents: list[ContentInput] = field(default_factory=list)


def _clean(value: str, limit: int, name: str, problems: Problems, required: str | None = None) -> str:
    return free_text(value, limit, name, problems, required=required, keep_lines=True)


def _item_values(data: FoundItemInput, problems: Problems, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {}
    try:
        values["category"] = Category(data.category).value
    except ValueError:
        problems.add("category", N_("Choose a category from the list."))
    if data.found_at is None:
        problems.add("found_at", N_("Enter when the item was found."))
    elif data.found_at.tzinfo is None:
        problems.add("found_at", N_("Give the time with its time zone, e.g. 2025-03-28T21:40:00+08:00."))
    elif data.found_at > now:
        problems.add("found_at", N_("The time found cannot be in the future."))
    elif data.found_at < EARLIEST_FOUND_AT:
        problems.add("found_at", N_("Check the date: items found before 2000 are not logged here."))
    else:
        values["found_at"] = data.found_at
    values["description"] = _clean(
        data.description, 2000, "description", problems, N_("Describe the item in a few words.")
    )
    values["colour"] = _clean(data.colour, 60, "colour", problems)
    values["brand"] = _clean(data.brand, 60, "brand", problems)
    values["found_place"] = _clean(
        data.found_place, 200, "found_place", problems, N_("Enter where it was found.")
    )
    values["district"] = _clean(data.district, 60, "district", problems)
    values["external_ref"] = _clean(data.external_ref, 64, "external_ref", problems)
    values["storage_location"] = _clean(data.storage_location, 32, "storage_location", problems)
    values["estimated_value"] = None
    if data.estimated_value.strip():
        amount = ids.parse_amount(data.estimated_value)
        if amount is None:
            problems.add(
                "estimated_value", ids.amount_problem(data.estimated_value) or N_("Enter the amount in yuan.")
            )
        values["estimated_value"] = amount
    finder = data.finder
    values["finder_name"] = _clean(finder.name, 60, "finder.name", problems)
    values["finder_consent_to_publish"] = bool(finder.consent_to_publish)
    values["finder_wants_news"] = bool(finder.wants_news)
    try:
        values["finder_reward"] = FinderReward(finder.reward or FinderReward.UNDECIDED.value).value
    except ValueError:
        problems.add("finder.reward", N_("Choose one of the listed options."))
    values.update(finder_phone_enc="", finder_phone_masked="", finder_phone_hash="")
    if finder.phone.strip():
        phone = read_phone(finder.phone)
        if phone is None:
            problems.add("finder.phone", ids.phone_problem(finder.phone) or N_("Enter a phone number."))
        else:
            fields = phone_fields(phone, vault(), FINDER_PHONE_COLUMN)
            values.update(
                finder_phone_enc=fields["phone_enc"],
                finder_phone_masked=fields["phone_masked"],
                finder_phone_hash=fields["phone_hash"],
            )
    return values


def validated(
    data: FoundItemInput, now: datetime, imported: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values and content rows of an intake, or InvalidItem with every problem.

    ``imported``: a record migrated from another system keeps every number as it was written
    down when only its check character fails (matching repairs it).
    """
    problems = Problems()
    values = _item_values(data, problems, now)
    rows = _content_rows(data, problems, now.astimezone(_TZ).date(), imported)
    if problems:
        raise InvalidItem(problems)
    return values, rows


def search_text_for(values: dict[str, Any], reference_text: str, rows: list[dict[str, Any]]) -> str:
    return _search_text(values, reference_text, rows)


def _content_rows(
    data: FoundItemInput, problems: Problems, today: Any, imported: bool = False
) -> list[dict[str, Any]]:
    if len(data.contents) > MAX_CONTENTS:
        problems.add("contents", N_("At most %(limit)d content rows, please."), limit=MAX_CONTENTS)
        return []
    rows = []
    for index, entry in enumerate(data.contents):
        row = content_row(entry, f"contents.{index}", vault(), problems, today, imported)
        if row is not None:
            rows.append({**row, "position": index})
    return rows


def _search_text(values: dict[str, Any], reference_text: str, rows: list[dict[str, Any]]) -> str:
    holders = [r.get("holder_name", "") for r in rows] + [r.get("bank", "") for r in rows]
    notes = [r.get("note", "") for r in rows]
    return search.searchable(
        reference_text,
        values.get("description", ""),
        values.get("colour", ""),
        values.get("brand", ""),
        values.get("found_place", ""),
        values.get("district", ""),
        values.get("external_ref", ""),
        values.get("storage_location", ""),
        values.get("finder_name", ""),
        *holders,
        *notes,
    )


async def create_item(
    actor: Actor, data: FoundItemInput, photos: Sequence[bytes] = (), documents: Sequence[bytes] = ()
) -> str:
    """Log an intake with its photo uploads and return its reference. All or nothing.

    The item is validated first, then every photo is checked; only when all is well are the
    photo files written and the rows inserted in one transaction. ``documents`` are photos of the
    documents found inside: their public variant is blurred wherever text is recognised.
    """
    now = datetime.now(UTC)
    problems = Problems()
    station = await _own_station(actor, data.station)
    values = _item_values(data, problems, now)
    rows = _content_rows(data, problems, now.astimezone(_TZ).date())
    if problems:
        raise InvalidItem(problems)
    prepared = await prepare_photos(photos) if photos else []
    try:
        if documents:
            prepared += await prepare_photos(documents, already=len(prepared), documents=True)
        ref, item_id = await _insert_item(actor, station, values, rows, prepared, now)
    except BaseException:
        await discard_unreferenced(prepared)
        raise
    await matching.refresh_item(item_id)
    return ref


async def _insert_item(
    actor: Actor,
    station: dict,
    values: dict[str, Any],
    rows: list[dict[str, Any]],
    prepared: list,
    now: datetime,
) -> tuple[str, int]:
    year = now.astimezone(_TZ).year
    async with write_transaction():
        seq = await references.next_number(f"FI:{station['code']}:{year}")
        ref = reference(station["code"], year, seq)
        item = FoundItem(
            reference=ref,
            station=station["id"],
            year=year,
            seq=seq,
            status=ItemStatus.IN_CUSTODY.value,
            received_by=actor.user_id,
            verification_code=readable_code(),
            search_text=_search_text(values, ref, rows),
            **values,
        )
        await item.save()
        for row in rows:
            await ItemContent.insert(ItemContent(item=item.id, **row))
        await record_custody(item.id, actor, CustodyKind.RECEIVED, values["storage_location"])
        if values["storage_location"]:
            await record_custody(item.id, actor, CustodyKind.STORED, values["storage_location"])
        for photo in prepared:
            await attach_photo(item.id, ref, photo, actor)
        await audit.record(actor, "found_item.create", "found_item", ref, {"category": values["category"]})
    return ref, item.id


async def _own_station(actor: Actor, code: str) -> dict:
    station = await get_station(code or actor.station_code)
    if not actor.acts_for(station["code"]):
        raise Forbidden(N_("You can log items only for your own station."))
    return station


# --- reading ---------------------------------------------------------------


async def _item_row(ref: str) -> dict:
    row = await (
        FoundItem.select(
            FoundItem.all_columns(
                exclude=[FoundItem.finder_phone_enc, FoundItem.search_text, FoundItem.match_keys]
            ),
            FoundItem.station.code.as_alias("station_code"),
            FoundItem.station.name_zh.as_alias("station_name_zh"),
            FoundItem.station.name_en.as_alias("station_name_en"),
            FoundItem.station.phone.as_alias("station_phone"),
            FoundItem.station.address_zh.as_alias("station_address_zh"),
            FoundItem.station.address_en.as_alias("station_address_en"),
            FoundItem.received_by.display_name.as_alias("received_by_name"),
        )
        .where(FoundItem.reference == ref.strip().upper()[:24])
        .first()
    )
    if row is None:
        raise NotFound(N_("No found item has the reference %(reference)s."), reference=ref[:24])
    return row


async def get_item(ref: str) -> dict[str, Any]:
    """The item as screens show it: numbers masked, never decrypted here."""
    item = await _item_row(ref)
    item["contents"] = await (
        ItemContent.select(ItemContent.all_columns(exclude=[ItemContent.number_enc, ItemContent.phone_enc]))
        .where(ItemContent.item == item["id"])
        .order_by(ItemContent.position)
    )
    item["photos"] = await ItemPhoto.select().where(ItemPhoto.item == item["id"]).order_by(ItemPhoto.position)
    events = await (
        CustodyEvent.select(
            CustodyEvent.all_columns(), CustodyEvent.actor.display_name.as_alias("actor_display")
        )
        .where(CustodyEvent.item == item["id"])
        .order_by(CustodyEvent.id)
    )
    for event in events:
        raw = event["detail"]
        event["detail"] = json.loads(raw) if isinstance(raw, str) and raw else (raw or {})
    item["custody"] = events
    return item


@dataclass(frozen=True)
class ItemFilter:
    station: str = ""
    status: str = ""
    category: str = ""
    found_from: datetime | None = None
    found_to: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class ItemPage:
    items: list[dict[str, Any]]
    page: int
    has_next: bool


async def list_items(filters: ItemFilter, page: int = 1, page_size: int = PAGE_SIZE) -> ItemPage:
    page = max(page, 1)
    query = FoundItem.select(
        FoundItem.reference,
        FoundItem.category,
        FoundItem.description,
        FoundItem.colour,
        FoundItem.found_at,
        FoundItem.found_place,
        FoundItem.status,
        FoundItem.storage_location,
        FoundItem.external_ref,
        FoundItem.created_at,
        FoundItem.station.code.as_alias("station_code"),
    )
    if filters.station:
        query = query.where(FoundItem.station.code == filters.station.upper())
    if filters.status:
        query = query.where(FoundItem.status == filters.status)
    if filters.category:
        query = query.where(FoundItem.category == filters.category)
    if filters.found_from:
        query = query.where(FoundItem.found_at >= filters.found_from)
    if filters.found_to:
        query = query.where(FoundItem.found_at < filters.found_to)
    text_clause = search.matches(filters.text)
    if text_clause is not None:
        query = query.where(text_clause)
    rows = (
        await query.order_by(FoundItem.id, ascending=False)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )
    return ItemPage(items=rows[:page_size], page=page, has_next=len(rows) > page_size)


# --- revealing a number ----------------------------------------------------


async def reveal_number(actor: Actor, ref: str, content_id: int | None, what: str) -> str:
    """Decrypt one number for an officer of the item's station; every reveal is an audited action.

    Other stations see items masked (enough to compare); the plain number stays with the
    station that holds the item.
    """
    if what not in REVEALABLE:
        raise NotFound(N_("There is no number stored here."))
    item = await _item_row(ref)
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may see its numbers in full."))
    if what == "finder_phone":
        stored = await FoundItem.select(FoundItem.finder_phone_enc).where(FoundItem.id == item["id"]).first()
        token, column = stored["finder_phone_enc"], FINDER_PHONE_COLUMN
    else:
        row = await (
            ItemContent.select(ItemContent.number_enc, ItemContent.phone_enc)
            .where((ItemContent.id == (content_id or 0)) & (ItemContent.item == item["id"]))
            .first()
        )
        if row is None:
            raise NotFound(N_("There is no such entry on this item."))
        token, column = (
            (row["phone_enc"], PHONE_COLUMN) if what == "phone" else (row["number_enc"], ID_COLUMN)
        )
    if not token:
        raise NotFound(N_("There is no number stored here."))
    plain = vault().decrypt(token, column)
    async with write_transaction():
        await audit.record(
            actor, "pii.reveal", "found_item", item["reference"], {"field": what, "content": content_id or ""}
        )
    return plain


def decimal_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


__all__ = [
    "CONTAINERS",
    "ContentInput",
    "FinderInput",
    "FoundItemInput",
    "InvalidItem",
    "ItemFilter",
    "create_item",
    "get_item",
    "list_items",
    "reveal_number",
]


# --- editing ---------------------------------------------------------------

_EDITABLE = (
    "category", "description", "colour", "brand", "found_at", "found_place", "district", "external_ref",
    "storage_location", "estimated_value", "finder_name", "finder_consent_to_publish", "finder_reward",
    "finder_wants_news",
)  # fmt: skip


async def update_item(
    actor: Actor, ref: str, data: FoundItemInput, remove_contents: Sequence[int] = ()
) -> None:
    """Edit an item: its fields, new content rows, rows removed. Audited, logged in custody.

    An empty finder phone keeps the stored one (the form never shows the plain number).
    A changed shelf is a move and appears as such in the custody log.
    """
    now = datetime.now(UTC)
    current = await _item_row(ref)
    if not actor.acts_for(current["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may change it."))
    problems = Problems()
    values = _item_values(data, problems, now)
    new_rows = _content_rows(data, problems, now.astimezone(_TZ).date())
    if problems:
        raise InvalidItem(problems)
    if not data.finder.phone.strip() or phone_on_file(data.finder.phone, current["finder_phone_hash"]):
        for key in ("finder_phone_enc", "finder_phone_masked", "finder_phone_hash"):
            values.pop(key)
    # The form shows minutes only: the same minute means the stored time was not changed.
    if values.get("found_at") == current["found_at"].replace(second=0, microsecond=0):
        values["found_at"] = current["found_at"]
    changed = sorted(name for name in _EDITABLE if name in values and values[name] != current.get(name)) + (
        ["finder_phone"]
        if "finder_phone_hash" in values and values["finder_phone_hash"] != current["finder_phone_hash"]
        else []
    )
    async with write_transaction():
        existing = (
            await ItemContent.select().where(ItemContent.item == current["id"]).order_by(ItemContent.position)
        )
        removed = [row for row in existing if row["id"] in set(remove_contents)]
        if removed:
            await ItemContent.delete().where(ItemContent.id.is_in([row["id"] for row in removed]))
        kept = [row for row in existing if row not in removed]
        position = max((row["position"] for row in kept), default=-1) + 1
        for offset, row in enumerate(new_rows):
            await ItemContent.insert(
                ItemContent(item=current["id"], **{**row, "position": position + offset})
            )
        if not (changed or removed or new_rows):
            return
        values["search_text"] = _search_text(values, current["reference"], kept + new_rows)
        values["updated_at"] = now
        values["matched_at"] = None  # until the matching below is done (``matching.match_overdue``)
        await FoundItem.update(values).where(FoundItem.id == current["id"])
        detail = {"fields": changed, "contents_added": len(new_rows), "contents_removed": len(removed)}
        await record_custody(current["id"], actor, CustodyKind.EDITED, values["storage_location"], **detail)
        if "storage_location" in changed:
            await record_custody(
                current["id"],
                actor,
                CustodyKind.MOVED,
                values["storage_location"],
                moved_from=current["storage_location"],
            )
        await audit.record(actor, "found_item.update", "found_item", current["reference"], detail)
    await matching.refresh_item(current["id"])
