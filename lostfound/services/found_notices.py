"""Found-property notices (招领公告): compiled by officers, approved by a supervisor, published.

A notice lists each item as the public may read it: category, colour, brand, the day and the
district it was found in, and a photo only when an officer made its blurred public copy. The
redaction check runs before approval and blocks any ID, phone or card number, any amount of
money and any owner's, holder's or finder's name. Publishing starts each listed item's
one-year clock (Civil Code art. 318).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lostfound import i18n
from lostfound.crypto import readable_code
from lostfound.domain.found_items import CATEGORY_LABELS, Category, CustodyKind, ItemStatus
from lostfound.domain.i18n_markers import N_
from lostfound.domain.legal_clock import claim_deadline
from lostfound.domain.notices import NoticeStatus
from lostfound.domain.redaction import Leak, leaks
from lostfound.domain.roles import Role
from lostfound.services import audit, fast_reads, references
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.item_photos import media_store
from lostfound.services.notice_rows import move_status, notice_row
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE
from lostfound.tables import FoundItem, ItemContent, ItemPhoto, LostReport, Match, Notice, NoticeItem, Station

_TZ = ZoneInfo(TIMEZONE)
KIND = "found_property"
# Items that may be announced, and that stay on the public board while the owner may still come.
ANNOUNCEABLE = (ItemStatus.IN_CUSTODY.value,)
ON_BOARD = (ItemStatus.IN_CUSTODY.value, ItemStatus.TRANSFERRED.value, ItemStatus.OWNER_FOUND.value)
MAX_ITEMS = 200


def notice_reference(station_code: str, year: int, seq: int) -> str:
    """``ZL-DC-2026-003``: the third found-property notice of station DC in 2026."""
    return f"ZL-{station_code}-{year}-{seq:03d}"


def _summary(item: dict[str, Any]) -> str:
    """The public description: structured fields only, never the officer's free text."""
    parts = [i18n.translate("zh_Hans", CATEGORY_LABELS[Category(item["category"])])]
    parts += [item[name] for name in ("colour", "brand") if item[name] and item[name] != "无"]
    return " · ".join(parts)[:200]


def _body(station: dict[str, Any]) -> str:
    return (
        f"下列物品由{station['name_zh']}拾得并保管。请失主自本公告发布之日起一年内，携带本人有效身份证件到"
        f"{station['name_zh']}（{station['address_zh'] or '—'}，电话 {station['phone'] or '110'}）认领，"
        "并说明物品特征及内容。代领须持失主签名的授权委托书及双方身份证件。"
        "逾期无人认领的，依照《中华人民共和国民法典》第三百一十八条处理。公安机关归还财物不收取任何费用。\n\n"
        f"The items below were found and are kept by {station['name_en']}. Owners may claim them within one "
        f"year of this notice at {station['address_en'] or station['name_en']} (phone "
        f"{station['phone'] or '110'}) with their own ID, describing the item and what was in it. The police "
        "never ask for money to return property."
    )


async def eligible_items(station_code: str) -> list[dict[str, Any]]:
    """Items of the station nobody has claimed and no notice lists yet."""
    listed = {row["item"] for row in await NoticeItem.select(NoticeItem.item).where(
        NoticeItem.notice.status.is_in([NoticeStatus.DRAFT, NoticeStatus.APPROVED, NoticeStatus.PUBLISHED])
    )}  # fmt: skip
    rows = await (
        FoundItem.select(
            FoundItem.id,
            FoundItem.reference,
            FoundItem.category,
            FoundItem.colour,
            FoundItem.brand,
            FoundItem.description,
            FoundItem.found_at,
            FoundItem.district,
            FoundItem.created_at,
        )
        .where(
            (FoundItem.station.code == station_code)
            & FoundItem.status.is_in(list(ANNOUNCEABLE))
            & FoundItem.claim_deadline.is_null()
        )
        .order_by(FoundItem.found_at)
    )
    return [row for row in rows if row["id"] not in listed]


async def create(actor: Actor, station_code: str, item_refs: list[str]) -> str:
    """A draft notice listing the chosen items; returns its reference."""
    if actor.role not in (Role.DUTY_OFFICER, Role.SUPERVISOR, None):
        raise Forbidden(N_("Only officers compile found-property notices."))
    eligible = {row["reference"]: row for row in await eligible_items(station_code)}
    chosen = [eligible[ref] for ref in dict.fromkeys(item_refs) if ref in eligible]
    if not chosen:
        raise ServiceError(N_("Choose at least one item that no notice lists yet."), field="items")
    if len(chosen) > MAX_ITEMS:
        raise ServiceError(N_("At most %(limit)d items on one notice."), field="items", limit=MAX_ITEMS)
    station = await Station.select().where(Station.code == station_code).first()
    assert station is not None
    photos = {
        row["item"]: (row["id"], row["public_key"])
        for row in await ItemPhoto.select(ItemPhoto.id, ItemPhoto.item, ItemPhoto.public_key)
        .where(ItemPhoto.item.is_in([row["id"] for row in chosen]) & (ItemPhoto.public_key != ""))
        .order_by(ItemPhoto.position, ascending=False)
    }
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    async with write_transaction():
        seq = await references.next_number(f"ZL:{station_code}:{year}")
        ref = notice_reference(station_code, year, seq)
        notice = Notice(
            reference=ref,
            kind=KIND,
            station=station["id"],
            year=year,
            seq=seq,
            title=f"{station['name_zh']}招领公告（{year}年第{seq}号）",
            body=_body(station),
            created_by=actor.user_id,
            verification_code=readable_code(12),
        )
        await notice.save()
        await NoticeItem.insert(
            *[
                NoticeItem(
                    notice=notice.id,
                    item=row["id"],
                    position=index,
                    summary=_summary(row),
                    area=row["district"] or station["name_zh"],
                    found_on=row["found_at"],
                    photo=photos[row["id"]][0] if row["id"] in photos else None,
                    public_key=photos[row["id"]][1] if row["id"] in photos else "",
                )
                for index, row in enumerate(chosen)
            ]
        )
        await audit.record(actor, "notice.create", "notice", ref, {"items": len(chosen)})
    return ref


async def get_notice(reference: str) -> dict[str, Any]:
    notice = await notice_row(reference, [KIND])
    notice["items"] = await (
        NoticeItem.select(
            NoticeItem.all_columns(),
            NoticeItem.item.reference.as_alias("item_reference"),
            NoticeItem.item.status.as_alias("item_status"),
            NoticeItem.item.claim_deadline.as_alias("claim_deadline"),
        )
        .where(NoticeItem.notice == notice["id"])
        .order_by(NoticeItem.position)
    )
    return notice


async def protected_names(item_ids: list[int]) -> set[str]:
    """Names that must never be published with these items: holders, finders, owners who reported."""
    if not item_ids:
        return set()
    names = {
        r["holder_name"]
        for r in await ItemContent.select(ItemContent.holder_name).where(ItemContent.item.is_in(item_ids))
    }
    names |= {
        r["finder_name"]
        for r in await FoundItem.select(FoundItem.finder_name).where(FoundItem.id.is_in(item_ids))
    }
    reports = [r["report"] for r in await Match.select(Match.report).where(Match.item.is_in(item_ids))]
    if reports:
        names |= {
            r["owner_name"]
            for r in await LostReport.select(LostReport.owner_name).where(LostReport.id.is_in(reports))
        }
    return {name for name in names if name}


async def redaction_problems(notice: dict[str, Any]) -> list[Leak]:
    names = await protected_names([row["item"] for row in notice["items"]])
    texts = [notice["title"], notice["body"]] + [f"{row['summary']} {row['area']}" for row in notice["items"]]
    found: list[Leak] = []
    for text in texts:
        for leak in leaks(text, names, public_numbers=[notice["station_phone"]]):
            if leak not in found:
                found.append(leak)
    return found


def _station_member(actor: Actor, notice: dict[str, Any], supervisor: bool) -> None:
    if not actor.acts_for(notice["station_code"]):
        raise Forbidden(N_("Only the station that compiled the notice may change it."))
    if supervisor and actor.role not in (Role.SUPERVISOR, None):
        raise Forbidden(N_("Only a supervisor may approve or withdraw a notice."))


async def approve(actor: Actor, reference: str) -> None:
    notice = await get_notice(reference)
    _station_member(actor, notice, supervisor=True)
    if notice["status"] != NoticeStatus.DRAFT:
        raise Conflict(N_("Only a draft can be approved."))
    if await redaction_problems(notice):
        raise ServiceError(N_("The notice cannot be approved until the redaction check passes."))
    changes = {
        Notice.status: NoticeStatus.APPROVED,
        Notice.approved_by: actor.user_id,
        Notice.approved_at: datetime.now(UTC),
    }
    await move_status(actor, notice, NoticeStatus.DRAFT, changes, "notice.approve")


async def publish(actor: Actor, reference: str, now: datetime | None = None) -> None:
    """Put an approved notice on the public board; the clock of each listed item starts now."""
    notice = await get_notice(reference)
    _station_member(actor, notice, supervisor=False)
    if notice["status"] != NoticeStatus.APPROVED:
        raise Conflict(N_("Only an approved notice can be published."))
    now = now or datetime.now(UTC)
    deadline = claim_deadline(now)
    async with write_transaction():
        changed = (
            await Notice.update({Notice.status: NoticeStatus.PUBLISHED, Notice.published_at: now})
            .where((Notice.id == notice["id"]) & (Notice.status == NoticeStatus.APPROVED))
            .returning(Notice.id)
        )
        if not changed:
            raise Conflict(N_("The notice changed meanwhile. Reload the page."))
        for row in notice["items"]:
            if row["claim_deadline"] is None:
                await FoundItem.update({FoundItem.claim_deadline: deadline}).where(
                    FoundItem.id == row["item"]
                )
                await record_custody(row["item"], actor, CustodyKind.NOTICE_PUBLISHED, notice=notice["reference"],
                                     deadline=deadline.astimezone(_TZ).date().isoformat())  # fmt: skip
        await audit.record(
            actor, "notice.publish", "notice", notice["reference"], {"items": len(notice["items"])}
        )


async def withdraw(actor: Actor, reference: str) -> None:
    """Take a notice off the public board; the clocks it started keep running."""
    notice = await get_notice(reference)
    _station_member(actor, notice, supervisor=True)
    if notice["status"] not in (NoticeStatus.PUBLISHED, NoticeStatus.APPROVED, NoticeStatus.DRAFT):
        raise Conflict(N_("This notice is already withdrawn."))
    changes = {Notice.status: NoticeStatus.WITHDRAWN, Notice.withdrawn_at: datetime.now(UTC)}
    await move_status(actor, notice, notice["status"], changes, "notice.withdraw")


async def list_notices(station_code: str | None) -> list[dict[str, Any]]:
    query = Notice.select(
        Notice.id, Notice.reference, Notice.title, Notice.status, Notice.created_at, Notice.published_at,
        Notice.station.code.as_alias("station_code"),
    ).where(Notice.kind == KIND)  # fmt: skip
    if station_code is not None:
        query = query.where(Notice.station.code == station_code)
    rows = await query.order_by(Notice.id, ascending=False).limit(200)
    counts: dict[int, int] = {}
    if rows:
        for row in await NoticeItem.select(NoticeItem.notice).where(
            NoticeItem.notice.is_in([r["id"] for r in rows])
        ):
            counts[row["notice"]] = counts.get(row["notice"], 0) + 1
    for row in rows:
        row["item_count"] = counts.get(row["id"], 0)
    return rows


# --- the public side ------------------------------------------------------------------------


async def published_notice(reference: str) -> dict[str, Any]:
    """A notice as the public sees it: published or withdrawn ones only, items still claimable marked."""
    notice = await get_notice(reference)
    # A withdrawn draft was never public and stays unknown.
    if (
        notice["status"] not in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
        or notice["published_at"] is None
    ):
        raise NotFound(N_("No notice has the number %(reference)s."), reference=reference[:24])
    return notice


@dataclass(frozen=True)
class BoardFilter:
    text: str = ""
    category: str = ""
    found_from: datetime | None = None
    found_to: datetime | None = None


BOARD_PAGE = 40


BOARD_COLUMNS = (
    "summary",
    "area",
    "found_on",
    "photo",
    "item_id",
    "item_reference",
    "category",
    "claim_deadline",
    "notice_reference",
    "published_at",
    "station_name_zh",
    "station_name_en",
)
# The busiest public page reads in one written query: building it with the ORM's joins cost more
# than running it.
BOARD_SQL = """
SELECT ni.summary, ni.area, ni.found_on, ni.photo, fi.id, fi.reference, fi.category, fi.claim_deadline,
       n.reference, n.published_at, s.name_zh, s.name_en
FROM notice_item AS ni
JOIN notice AS n ON n.id = ni.notice
JOIN found_item AS fi ON fi.id = ni.item
JOIN station AS s ON s.id = n.station
WHERE n.status = ? AND fi.status IN (?, ?, ?) {filters}
ORDER BY ni.found_on DESC, ni.id DESC
LIMIT ? OFFSET ?
"""


async def board(filters: BoardFilter, page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    """Items on published notices that their owners may still claim, newest notice first."""
    conditions: list[str] = []
    params: list[Any] = [NoticeStatus.PUBLISHED.value, *ON_BOARD]
    if filters.category:
        conditions.append("AND fi.category = ?")
        params.append(filters.category)
    if filters.found_from:
        conditions.append("AND ni.found_on >= ?")
        params.append(filters.found_from)
    if filters.found_to:
        conditions.append("AND ni.found_on < ?")
        params.append(filters.found_to)
    # Summaries and areas are Chinese text: LIKE needs no case folding; wildcards typed are dropped.
    words = filters.text.strip()[:60].replace("%", "").replace("_", "")
    if words:
        conditions.append("AND (ni.summary LIKE ? OR ni.area LIKE ? OR fi.reference = ?)")
        params += [f"%{words}%", f"%{words}%", words.upper()]
    page = max(page, 1)
    sql = BOARD_SQL.format(filters=" ".join(conditions))
    found = await fast_reads.fetch(sql, [*params, BOARD_PAGE + 1, (page - 1) * BOARD_PAGE])
    rows = [dict(zip(BOARD_COLUMNS, row, strict=True)) for row in found]
    return rows[:BOARD_PAGE], len(rows) > BOARD_PAGE


async def board_item(reference: str) -> dict[str, Any] | None:
    """An item as the public board shows it, or None when it is not on the board."""
    rows, _ = await board(BoardFilter(text=reference.strip().upper()[:24]))
    return next((row for row in rows if row["item_reference"] == reference.strip().upper()), None)


async def public_photo(photo_id: int) -> bytes:
    """The blurred public copy of a photo on a published notice; nothing else is ever served."""
    row = await (
        NoticeItem.select(NoticeItem.public_key.as_alias("key"))
        .where((NoticeItem.photo == photo_id) & (NoticeItem.notice.status == NoticeStatus.PUBLISHED))
        .first()
    )
    if row is None or not row["key"]:
        raise NotFound(N_("No such photo."))
    return await asyncio.to_thread(media_store().read, row["key"])
