"""Found items (拾得物): categories, content kinds, statuses and their labels."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class Category(StrEnum):
    WALLET = "wallet"
    BAG = "bag"
    PHONE = "phone"
    ID_DOCUMENT = "id_document"
    BANK_CARD = "bank_card"
    CASH = "cash"
    KEYS = "keys"
    JEWELLERY = "jewellery"
    ELECTRONICS = "electronics"
    CLOTHING = "clothing"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.WALLET: N_("Wallet or purse"),
    Category.BAG: N_("Bag or backpack"),
    Category.PHONE: N_("Mobile phone"),
    Category.ID_DOCUMENT: N_("ID document"),
    Category.BANK_CARD: N_("Bank card"),
    Category.CASH: N_("Cash"),
    Category.KEYS: N_("Keys"),
    Category.JEWELLERY: N_("Jewellery or watch"),
    Category.ELECTRONICS: N_("Electronics"),
    Category.CLOTHING: N_("Clothing"),
    Category.OTHER: N_("Other"),
}

# Items that hold other things and so get an itemised contents list.
CONTAINERS = frozenset({Category.WALLET, Category.BAG})


class ContentKind(StrEnum):
    ID_CARD = "id_card"
    PASSPORT = "passport"
    # 港澳通行证, 回乡证, 台胞证: for visitors from Hong Kong, Macau and Taiwan the ID they carry.
    TRAVEL_PERMIT = "travel_permit"
    DRIVING_LICENCE = "driving_licence"
    SOCIAL_SECURITY_CARD = "social_security_card"
    BANK_CARD = "bank_card"
    CASH = "cash"
    DEPOSIT_SLIP = "deposit_slip"
    PHONE_NUMBER = "phone_number"
    IMEI = "imei"
    SERIAL_NUMBER = "serial_number"
    OTHER = "other"


CONTENT_LABELS: dict[ContentKind, str] = {
    ContentKind.ID_CARD: N_("Resident ID card"),
    ContentKind.PASSPORT: N_("Passport"),
    ContentKind.TRAVEL_PERMIT: N_("Travel permit (Hong Kong, Macau, Taiwan)"),
    ContentKind.DRIVING_LICENCE: N_("Driving licence"),
    ContentKind.SOCIAL_SECURITY_CARD: N_("Social security card"),
    ContentKind.BANK_CARD: N_("Bank card"),
    ContentKind.CASH: N_("Cash"),
    ContentKind.DEPOSIT_SLIP: N_("Deposit slip"),
    ContentKind.PHONE_NUMBER: N_("Phone number"),
    ContentKind.IMEI: N_("IMEI (phone)"),
    ContentKind.SERIAL_NUMBER: N_("Serial number (device)"),
    ContentKind.OTHER: N_("Other"),
}

# Documents whose number is the resident ID number (checked with its check digit).
ID_NUMBER_KINDS = frozenset(
    {ContentKind.ID_CARD, ContentKind.DRIVING_LICENCE, ContentKind.SOCIAL_SECURITY_CARD}
)
# Documents with a number of letters and digits and no check character, matched as a whole.
PASSPORT_KINDS = frozenset({ContentKind.PASSPORT, ContentKind.TRAVEL_PERMIT})
DOCUMENT_KINDS = ID_NUMBER_KINDS | PASSPORT_KINDS
HOLDER_KINDS = DOCUMENT_KINDS | {ContentKind.BANK_CARD, ContentKind.DEPOSIT_SLIP}
AMOUNT_KINDS = frozenset({ContentKind.CASH, ContentKind.DEPOSIT_SLIP})
# A phone's or a device's own numbers: personal data like an ID number (they lead to the owner).
DEVICE_KINDS = frozenset({ContentKind.IMEI, ContentKind.SERIAL_NUMBER})


class ItemStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    OWNER_FOUND = "owner_found"
    RETURNED = "returned"
    TRANSFERRED = "transferred"
    UNCLAIMED = "unclaimed"
    DISPOSED = "disposed"


STATUS_LABELS: dict[ItemStatus, str] = {
    ItemStatus.IN_CUSTODY: N_("In custody"),
    ItemStatus.OWNER_FOUND: N_("Owner found"),
    ItemStatus.RETURNED: N_("Returned"),
    ItemStatus.TRANSFERRED: N_("Transferred"),
    ItemStatus.UNCLAIMED: N_("Unclaimed"),
    ItemStatus.DISPOSED: N_("Disposed of"),
}


class FinderReward(StrEnum):
    """The finder's choice under Civil Code art. 317 (a reward may be claimed, or waived)."""

    UNDECIDED = "undecided"
    WAIVED = "waived"
    CLAIMED = "claimed"


REWARD_LABELS: dict[FinderReward, str] = {
    FinderReward.UNDECIDED: N_("Not decided yet"),
    FinderReward.WAIVED: N_("Waives any reward"),
    FinderReward.CLAIMED: N_("Asks for a reward"),
}


class CustodyKind(StrEnum):
    RECEIVED = "received"
    STORED = "stored"
    MOVED = "moved"
    PHOTO_ADDED = "photo_added"
    PHOTO_REDACTED = "photo_redacted"
    EDITED = "edited"
    STATUS_CHANGED = "status_changed"
    HANDED_OVER = "handed_over"
    TRANSFER_SENT = "transfer_sent"
    TRANSFER_RECEIVED = "transfer_received"
    TRANSFER_CANCELLED = "transfer_cancelled"
    NOTICE_PUBLISHED = "notice_published"
    CLAIM_PERIOD_ENDED = "claim_period_ended"
    DISPOSED = "disposed"


CUSTODY_LABELS: dict[CustodyKind, str] = {
    CustodyKind.RECEIVED: N_("Received from the finder"),
    CustodyKind.STORED: N_("Put in storage"),
    CustodyKind.MOVED: N_("Moved"),
    CustodyKind.PHOTO_ADDED: N_("Photo added"),
    CustodyKind.PHOTO_REDACTED: N_("Photo redacted for the public"),
    CustodyKind.EDITED: N_("Record edited"),
    CustodyKind.STATUS_CHANGED: N_("Status changed"),
    CustodyKind.HANDED_OVER: N_("Handed over to the owner"),
    CustodyKind.TRANSFER_SENT: N_("Sent to another station"),
    CustodyKind.TRANSFER_RECEIVED: N_("Received from another station"),
    CustodyKind.TRANSFER_CANCELLED: N_("Transfer called back"),
    CustodyKind.NOTICE_PUBLISHED: N_("Listed on a published found-property notice"),
    CustodyKind.CLAIM_PERIOD_ENDED: N_("Unclaimed after the legal period"),
    CustodyKind.DISPOSED: N_("Disposed of"),
}


def reference(station_code: str, year: int, seq: int) -> str:
    """``DC-2025-000123``: station, year of intake, number within that station and year."""
    return f"{station_code}-{year}-{seq:06d}"
