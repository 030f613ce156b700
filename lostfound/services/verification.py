"""The public verification page: is this receipt (or, later, notice or message) genuine?

It answers only what the paper itself already shows, so a code reveals nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lostfound.crypto import normalise_code
from lostfound.tables import FoundItem


@dataclass(frozen=True)
class Verified:
    kind: str  # "found_item_receipt"
    reference: str
    station_name_zh: str
    station_name_en: str
    station_phone: str
    issued_at: datetime
    category: str


async def verify(code: str) -> Verified | None:
    code = normalise_code(code)[:32]
    if len(code) < 8:
        return None
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
