"""The public verification page: is this receipt or message really from the police?

It answers only what the paper or message itself already shows, so a code reveals nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lostfound.crypto import normalise_code
from lostfound.tables import FoundItem, Handover, Notice, Notification


@dataclass(frozen=True)
class Verified:
    kind: str  # "found_item_receipt", "handover_receipt", "notice" or "message"
    reference: str
    issued_at: datetime
    # Empty for messages about reports filed online: those come from the city-wide service.
    station_name_zh: str = ""
    station_name_en: str = ""
    station_phone: str = ""
    category: str = ""
    channel: str = ""
    recipient_masked: str = ""
    status: str = ""  # a notice: "published" or "withdrawn"
    notice_kind: str = ""


async def verify(code: str) -> Verified | None:
    code = normalise_code(code)[:32]
    if len(code) < 8:
        return None
    return await _receipt(code) or await _handover(code) or await _notice(code) or await _message(code)


async def _receipt(code: str) -> Verified | None:
    row = await (
        FoundItem.select(
            FoundItem.reference,
            FoundItem.created_at,
            FoundItem.category,
            FoundItem.station.name_zh.as_alias("name_zh"),
            FoundItem.station.name_en.as_alias("name_en"),
            FoundItem.station.phone.as_alias("phone"),
        )
        .where(FoundItem.verification_code == code)
        .first()
    )
    if row is None:
        return None
    return Verified(
        kind="found_item_receipt",
        reference=row["reference"],
        station_name_zh=row["name_zh"],
        station_name_en=row["name_en"],
        station_phone=row["phone"],
        issued_at=row["created_at"],
        category=row["category"],
    )


async def _handover(code: str) -> Verified | None:
    row = await (
        Handover.select(
            Handover.reference,
            Handover.handed_over_at,
            Handover.item.category.as_alias("category"),
            Handover.station.name_zh.as_alias("name_zh"),
            Handover.station.name_en.as_alias("name_en"),
            Handover.station.phone.as_alias("phone"),
        )
        .where(Handover.verification_code == code)
        .first()
    )
    if row is None:
        return None
    return Verified(
        kind="handover_receipt",
        reference=row["reference"],
        issued_at=row["handed_over_at"],
        station_name_zh=row["name_zh"],
        station_name_en=row["name_en"],
        station_phone=row["phone"],
        category=row["category"],
    )


async def _notice(code: str) -> Verified | None:
    """A published notice; drafts are nobody's business and answer like an unknown code."""
    row = await (
        Notice.select(
            Notice.reference,
            Notice.kind,
            Notice.status,
            Notice.published_at,
            Notice.station.name_zh.as_alias("name_zh"),
            Notice.station.name_en.as_alias("name_en"),
            Notice.station.phone.as_alias("phone"),
        )
        .where(
            (Notice.verification_code == code)
            & Notice.status.is_in(["published", "withdrawn"])
            & Notice.published_at.is_not_null()
        )
        .first()
    )
    if row is None:
        return None
    return Verified(
        kind="notice",
        reference=row["reference"],
        issued_at=row["published_at"],
        station_name_zh=row["name_zh"],
        station_name_en=row["name_en"],
        station_phone=row["phone"],
        status=row["status"],
        notice_kind=row["kind"],
    )


async def _message(code: str) -> Verified | None:
    row = await (
        Notification.select(
            Notification.created_at,
            Notification.channel,
            Notification.recipient_masked,
            Notification.report.reference.as_alias("reference"),
            Notification.station.name_zh.as_alias("name_zh"),
            Notification.station.name_en.as_alias("name_en"),
            Notification.station.phone.as_alias("phone"),
        )
        .where(Notification.verification_code == code)
        .first()
    )
    if row is None:
        return None
    return Verified(
        kind="message",
        reference=row["reference"] or "",
        issued_at=row["created_at"],
        station_name_zh=row["name_zh"] or "",
        station_name_en=row["name_en"] or "",
        station_phone=row["phone"] or "",
        channel=row["channel"],
        recipient_masked=row["recipient_masked"],
    )
