"""The JSON bodies the API takes for found items and lost reports, and the service inputs they become.

Apart from the controllers so that the bulk import's worker processes read the same shapes
(``lostfound import`` takes one API object per line) without loading the web framework.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from lostfound import i18n
from lostfound.services.found_items import ContentInput, FinderInput, FoundItemInput
from lostfound.services.lost_reports import LostReportInput, OwnerInput

Amount = str | int | float | None


class FinderIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str = ""
    phone: str = ""
    consent_to_publish: bool = False
    wants_news: bool = False
    reward: str = "undecided"


class ContentIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    holder_name: str = ""
    id_number: str = ""
    card_number: str = ""
    card_last4: str = ""
    bank: str = ""
    amount: Amount = None
    phone: str = ""
    note: str = ""
    as_printed: bool = False
    device_number: str = ""  # kinds imei and serial_number


class FoundItemIn(msgspec.Struct, forbid_unknown_fields=True):
    category: str
    found_at: datetime
    station: str = ""
    description: str = ""
    colour: str = ""
    brand: str = ""
    found_place: str = ""
    district: str = ""
    external_ref: str = ""
    finder: FinderIn = msgspec.field(default_factory=FinderIn)
    storage_location: str = ""
    estimated_value: Amount = None
    contents: list[ContentIn] = msgspec.field(default_factory=list)


def amount_text(value: Amount) -> str:
    """Amounts may come as JSON numbers or strings; the service parses the text either way."""
    return "" if value is None else str(value)


def content_input(row: ContentIn) -> ContentInput:
    return ContentInput(**{**msgspec.structs.asdict(row), "amount": amount_text(row.amount)})


def found_item_input(body: FoundItemIn) -> FoundItemInput:
    return FoundItemInput(
        station=body.station,
        category=body.category,
        found_at=body.found_at,
        description=body.description,
        colour=body.colour,
        brand=body.brand,
        found_place=body.found_place,
        district=body.district,
        external_ref=body.external_ref,
        storage_location=body.storage_location,
        estimated_value=amount_text(body.estimated_value),
        finder=FinderInput(**msgspec.structs.asdict(body.finder)),
        contents=[content_input(c) for c in body.contents],
    )


class OwnerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""


class LostReportIn(msgspec.Struct, forbid_unknown_fields=True):
    category: str
    owner: OwnerIn
    consent: bool = False
    description: str = ""
    colour: str = ""
    brand: str = ""
    lost_from: datetime | None = None
    lost_to: datetime | None = None
    lost_place: str = ""
    district: str = ""
    external_ref: str = ""
    contents: list[ContentIn] = msgspec.field(default_factory=list)


def lost_report_input(body: LostReportIn) -> LostReportInput:
    return LostReportInput(
        category=body.category,
        owner=OwnerInput(**msgspec.structs.asdict(body.owner)),
        consent=body.consent,
        description=body.description,
        colour=body.colour,
        brand=body.brand,
        lost_from=body.lost_from,
        lost_to=body.lost_to,
        lost_place=body.lost_place,
        district=body.district,
        external_ref=body.external_ref,
        contents=[content_input(c) for c in body.contents],
        locale=i18n.get_locale(),  # from Accept-Language: the owner's messages are written in it
    )
