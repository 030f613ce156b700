"""Good deeds (好人好事): logged by officers, proposed by handovers, read by the press office.

Each participant's consent to be named, and how, is kept with the deed; public texts use
``public_name`` only. Photos go through the same pipeline as item photos, and only those an
officer marked public may be published.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lostfound import i18n
from lostfound.domain.deeds import (
    DeedKind,
    DeedStatus,
    Naming,
    ParticipantRole,
    public_name,
    returned_property_title,
)
from lostfound.domain.found_items import CATEGORY_LABELS, Category
from lostfound.domain.i18n_markers import N_
from lostfound.domain.redaction import leaks
from lostfound.domain.roles import Role
from lostfound.services import audit, found_notices
from lostfound.services.context import Actor
from lostfound.services.errors import Conflict, Forbidden, NotFound
from lostfound.services.found_items import InvalidItem
from lostfound.services.item_contents import Problems, free_text
from lostfound.services.item_photos import discard_unreferenced, media_store, prepare
from lostfound.services.transactions import write_transaction
from lostfound.tables import Deed, DeedParticipant, DeedPhoto, FoundItem, Station

MAX_PARTICIPANTS = 20
MAX_PHOTOS = 12
# Who logs and edits deeds; the press office reads them and takes proposed ones into the log.
LOGGERS = frozenset({Role.DUTY_OFFICER, Role.SUPERVISOR})
READERS = LOGGERS | {Role.PRESS}


@dataclass
class ParticipantInput:
    role: str = ""
    name: str = ""
    consent: bool = False
    naming: str = Naming.ANONYMOUS.value
    public_name: str = ""


@dataclass
class DeedInput:
    kind: str = ""
    occurred_at: datetime | None = None
    place: str = ""
    title: str = ""
    narrative: str = ""
    item_reference: str = ""
    participants: list[ParticipantInput] = field(default_factory=list)


def _participants(entries: list[ParticipantInput], problems: Problems) -> list[dict[str, Any]]:
    rows = []
    for index, entry in enumerate(entries[:MAX_PARTICIPANTS]):
        prefix = f"participants.{index}"
        try:
            role = ParticipantRole(entry.role)
        except ValueError:
            problems.add(f"{prefix}.role", N_("Choose the person's part from the list."))
            continue
        name = free_text(entry.name, 100, f"{prefix}.name", problems, required=N_("Enter the name."))
        try:
            naming = Naming(entry.naming or Naming.ANONYMOUS.value)
        except ValueError:
            problems.add(f"{prefix}.naming", N_("Choose one of the listed options."))
            continue
        chosen = free_text(entry.public_name, 100, f"{prefix}.public_name", problems)
        if naming is not Naming.ANONYMOUS and not entry.consent:
            problems.add(f"{prefix}.naming", N_("Name someone only with their consent."))
        if naming is Naming.SURNAME and (not chosen or (name and name in chosen)):
            problems.add(
                f"{prefix}.public_name",
                N_("Enter how they want to be called, without the full name (e.g. 黎女士)."),
            )
        rows.append(
            {
                "position": index,
                "role": role.value,
                "name": name,
                "consent_to_name": bool(entry.consent),
                "naming": naming.value,
                "public_name": public_name(name, role, naming, chosen, bool(entry.consent)),
            }
        )
    if not entries:
        problems.add("participants", N_("Add at least one person who took part."))
    return rows


async def _validated(
    actor: Actor, data: DeedInput, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    problems = Problems()
    values: dict[str, Any] = {}
    try:
        values["kind"] = DeedKind(data.kind).value
    except ValueError:
        problems.add("kind", N_("Choose what kind of deed it was."))
    if data.occurred_at is None:
        problems.add("occurred_at", N_("Enter when it happened."))
    elif data.occurred_at > now:
        problems.add("occurred_at", N_("This time is in the future."))
    values["occurred_at"] = data.occurred_at
    values["place"] = free_text(data.place, 200, "place", problems, required=N_("Enter where it happened."))
    values["title"] = free_text(
        data.title, 200, "title", problems, required=N_("Give the deed a short title.")
    )
    values["narrative"] = free_text(data.narrative, 4000, "narrative", problems, keep_lines=True)
    values["item"] = None
    if data.item_reference.strip():
        item = await (
            FoundItem.select(FoundItem.id, FoundItem.station.code.as_alias("station_code"))
            .where(FoundItem.reference == data.item_reference.strip().upper()[:24])
            .first()
        )
        if item is None or item["station_code"] != actor.station_code:
            problems.add("item_reference", N_("Enter the reference of a found item of your station."))
        else:
            values["item"] = item["id"]
            # The press office reads deeds: the owner of the property is never named in them.
            owners = await found_notices.protected_names([item["id"]])
            # The finder may be named in full when they agreed to it; the owner and card holders never.
            named = {e.name.strip() for e in data.participants if e.consent and e.naming == Naming.FULL.value}
            text = f"{values['title']} {values['place']} {values['narrative']}"
            if any(leak.kind == "name" for leak in leaks(text, owners - named)):
                problems.add(
                    "narrative", N_("Do not name the owner of the property or the holder of its cards.")
                )
    participants = _participants(data.participants, problems)
    if problems:
        raise InvalidItem(problems)
    return values, participants


def _may_log(actor: Actor) -> None:
    if actor.role is not None and actor.role not in LOGGERS:
        raise Forbidden(N_("Only officers log good deeds."))


async def create_deed(actor: Actor, data: DeedInput, photos: list[bytes] | None = None) -> int:
    _may_log(actor)
    now = datetime.now(UTC)
    values, participants = await _validated(actor, data, now)
    station = await Station.select(Station.id).where(Station.code == actor.station_code).first()
    if station is None:
        raise Forbidden(N_("Only officers log good deeds."))
    prepared = await prepare(photos or [], 0) if photos else []
    try:
        async with write_transaction():
            deed = Deed(
                station=station["id"], status=DeedStatus.LOGGED.value, created_by=actor.user_id, **values
            )
            await deed.save()
            await _replace_participants(int(deed.id), participants)
            for position, photo in enumerate(prepared):
                await _attach(int(deed.id), position, photo, actor)
            await audit.record(actor, "deed.create", "deed", deed.id, {"kind": values["kind"]})
    except BaseException:
        await discard_unreferenced(prepared)
        raise
    return int(deed.id)


async def update_deed(actor: Actor, deed_id: int, data: DeedInput) -> None:
    _may_log(actor)
    deed = await _own_deed(actor, deed_id)
    values, participants = await _validated(actor, data, datetime.now(UTC))
    async with write_transaction():
        await Deed.update(
            {**{getattr(Deed, k): v for k, v in values.items()}, Deed.updated_at: datetime.now(UTC)}
        ).where(Deed.id == deed["id"])
        await _replace_participants(deed["id"], participants)
        await audit.record(actor, "deed.update", "deed", deed["id"], {})


async def _replace_participants(deed_id: int, rows: list[dict[str, Any]]) -> None:
    await DeedParticipant.delete().where(DeedParticipant.deed == deed_id)
    if rows:
        await DeedParticipant.insert(*[DeedParticipant(deed=deed_id, **row) for row in rows])


async def _attach(deed_id: int, position: int, photo: Any, actor: Actor) -> None:
    await DeedPhoto.insert(
        DeedPhoto(
            deed=deed_id,
            position=position,
            master_key=photo.master_key,
            display_key=photo.display_key,
            thumb_key=photo.thumb_key,
            width=photo.width,
            height=photo.height,
            uploaded_by=actor.user_id,
        )
    )


async def _own_deed(actor: Actor, deed_id: int) -> dict[str, Any]:
    deed = await get_deed(deed_id)
    if not actor.acts_for(deed["station_code"]):
        raise Forbidden(N_("Only the deed's station may change it."))
    return deed


async def add_photo(actor: Actor, deed_id: int, data: bytes) -> None:
    _may_log(actor)
    deed = await _own_deed(actor, deed_id)
    count = await DeedPhoto.count().where(DeedPhoto.deed == deed["id"])
    if count >= MAX_PHOTOS:
        raise Conflict(N_("A deed can have at most %(limit)d photos."), limit=MAX_PHOTOS)
    (prepared,) = await prepare([data], 0)
    try:
        async with write_transaction():
            await _attach(deed["id"], count, prepared, actor)
            await audit.record(actor, "deed.photo_add", "deed", deed["id"], {})
    except BaseException:
        await discard_unreferenced([prepared])
        raise


async def set_photo_public(actor: Actor, deed_id: int, photo_id: int, public: bool) -> None:
    """Mark a photo fit for publication (faces and places checked by an officer), or take that back."""
    _may_log(actor)
    deed = await _own_deed(actor, deed_id)
    async with write_transaction():
        changed = await (
            DeedPhoto.update({DeedPhoto.public: public})
            .where((DeedPhoto.id == photo_id) & (DeedPhoto.deed == deed["id"]))
            .returning(DeedPhoto.id)
        )
        if not changed:
            raise NotFound(N_("No such photo."))
        await audit.record(
            actor, "deed.photo_public", "deed", deed["id"], {"photo": photo_id, "public": public}
        )


async def decide_proposed(actor: Actor, deed_id: int, keep: bool) -> None:
    """The press office (or an officer) takes a proposed deed into the log, or dismisses it."""
    if actor.role is not None and actor.role not in READERS:
        raise Forbidden(N_("Only officers and the press office decide on proposed deeds."))
    deed = await _own_deed(actor, deed_id)
    if deed["status"] != DeedStatus.PROPOSED:
        raise Conflict(N_("This deed is no longer a proposal."))
    status = DeedStatus.LOGGED if keep else DeedStatus.DISMISSED
    async with write_transaction():
        await Deed.update({Deed.status: status.value, Deed.updated_at: datetime.now(UTC)}).where(
            Deed.id == deed["id"]
        )
        await audit.record(actor, "deed.keep" if keep else "deed.dismiss", "deed", deed["id"], {})


async def get_deed(deed_id: int) -> dict[str, Any]:
    """A deed as staff see it. A linked item is named by reference and category only: no owner."""
    deed = await (
        Deed.select(
            Deed.all_columns(),
            Deed.station.code.as_alias("station_code"),
            Deed.station.name_zh.as_alias("station_name_zh"),
            Deed.station.name_en.as_alias("station_name_en"),
            Deed.item.reference.as_alias("item_reference"),
            Deed.item.category.as_alias("item_category"),
            Deed.created_by.display_name.as_alias("created_by_name"),
        )
        .where(Deed.id == deed_id)
        .first()
    )
    if deed is None:
        raise NotFound(N_("No such deed."))
    deed["participants"] = (
        await DeedParticipant.select()
        .where(DeedParticipant.deed == deed_id)
        .order_by(DeedParticipant.position)
    )
    deed["photos"] = await DeedPhoto.select().where(DeedPhoto.deed == deed_id).order_by(DeedPhoto.position)
    return deed


async def list_deeds(station_code: str | None, status: str = "", kind: str = "") -> list[dict[str, Any]]:
    query = Deed.select(
        Deed.id, Deed.kind, Deed.status, Deed.title, Deed.occurred_at, Deed.place,
        Deed.station.code.as_alias("station_code"),
    )  # fmt: skip
    if station_code is not None:
        query = query.where(Deed.station.code == station_code)
    if status in {s.value for s in DeedStatus}:
        query = query.where(Deed.status == status)
    if kind in {k.value for k in DeedKind}:
        query = query.where(Deed.kind == kind)
    return await query.order_by(Deed.occurred_at, ascending=False).limit(200)


_VARIANTS = {"thumb": DeedPhoto.thumb_key, "display": DeedPhoto.display_key}


async def photo_file(actor: Actor, photo_id: int, variant: str) -> bytes:
    """A deed photo for staff of the deed's station (press office included)."""
    column = _VARIANTS.get(variant)
    if column is None or not 0 < photo_id < 2**31:
        raise NotFound(N_("No such photo."))
    row = await (
        DeedPhoto.select(column.as_alias("key"), DeedPhoto.deed.station.code.as_alias("station_code"))
        .where(DeedPhoto.id == photo_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("No such photo."))
    if not actor.acts_for(row["station_code"]):
        raise Forbidden(N_("Only the deed's station may see its photos."))
    return await asyncio.to_thread(media_store().read, row["key"])


# --- proposed by a handover --------------------------------------------------------------------


async def propose_for_return(actor: Actor, item: dict[str, Any], station_id: int) -> int | None:
    """Propose a deed for the finder of a returned item; call inside the handover's transaction.

    Only when a finder is named and no deed tells the story yet: an item left at the desk by
    nobody in particular praises nobody. The finder is named only as far as they agreed at intake.
    """
    if not item.get("finder_name") or await Deed.exists().where(Deed.item == item["id"]):
        return None
    category = CATEGORY_LABELS.get(Category(item["category"]), "")
    deed = Deed(
        station=station_id,
        kind=DeedKind.RETURNED_PROPERTY.value,
        status=DeedStatus.PROPOSED.value,
        occurred_at=item["found_at"],
        place=item["found_place"],
        title=returned_property_title(i18n.translate("zh_Hans", category)),
        narrative="",
        item=item["id"],
        created_by=actor.user_id,
    )
    await deed.save()
    deed_id = int(deed.id)
    consent = bool(item["finder_consent_to_publish"])
    naming = Naming.SURNAME if consent else Naming.ANONYMOUS
    await DeedParticipant.insert(
        DeedParticipant(
            deed=deed_id,
            role=ParticipantRole.CIVILIAN.value,
            name=item["finder_name"],
            consent_to_name=consent,
            naming=naming.value,
            # The press office agrees the words with the finder; until then they stay unnamed.
            public_name=public_name(
                item["finder_name"], ParticipantRole.CIVILIAN, Naming.ANONYMOUS, "", False
            ),
        )
    )
    await audit.record(actor, "deed.propose", "deed", deed_id, {"item": item["reference"]})
    return deed_id


async def deeds_of_item(item_id: int) -> list[dict[str, Any]]:
    return await Deed.select().where(Deed.item == item_id).order_by(Deed.id)
