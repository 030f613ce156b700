"""Piccolo tables. Schema changes go through ``lostfound/piccolo_migrations``."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Real,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Station(Table, tablename="station"):
    """A police station (派出所); every account and record belongs to one."""

    code = Varchar(length=8, unique=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    address_zh = Varchar(length=200, default="")
    address_en = Varchar(length=200, default="")
    phone = Varchar(length=32, default="")
    opening_hours_zh = Varchar(length=200, default="")
    opening_hours_en = Varchar(length=200, default="")
    # A district bureau (分局) takes the stations' unclaimed property after some working days.
    is_bureau = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffUser(Table, tablename="staff_user"):
    username = Varchar(length=32, unique=True)
    display_name = Varchar(length=100)
    role = Varchar(length=20)
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False)
    password_hash = Varchar(length=255)
    # Bumped on every password change; sessions carrying an older value are void.
    password_changed_at = Timestamptz(default=TimestamptzNow())
    must_change_password = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100, default="")
    prefix = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only record of every write and every reveal of personal data."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, index=True)
    actor_name = Varchar(length=100, default="")
    station_code = Varchar(length=8, default="", index=True)
    action = Varchar(length=64, index=True)
    target_type = Varchar(length=32, default="")
    target_id = Varchar(length=64, default="", index=True)
    detail = JSON(default="{}")
    client_ip = Varchar(length=64, default="")
    note = Text(default="")


class ReferenceCounter(Table, tablename="reference_counter"):
    """The last number handed out per scope (e.g. ``FI:DC:2025``); bumped inside the write transaction."""

    scope = Varchar(length=32, unique=True)
    last = Integer(default=0)


class FoundItem(Table, tablename="found_item"):
    """A found item (拾得物). Sensitive numbers live encrypted; ``*_masked`` is what screens show."""

    reference = Varchar(length=24, unique=True)
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    year = Integer()
    seq = Integer()
    category = Varchar(length=24, index=True)
    description = Text(default="")
    colour = Varchar(length=60, default="")
    brand = Varchar(length=60, default="")
    found_at = Timestamptz(index=True)
    found_place = Varchar(length=200, default="")
    district = Varchar(length=60, default="")
    # The reference in the system a record was migrated from (``lostfound import``): kept, never looked up.
    external_ref = Varchar(length=64, default="")
    finder_name = Varchar(length=60, default="")
    finder_phone_enc = Text(default="")
    finder_phone_masked = Varchar(length=24, default="")
    finder_phone_hash = Varchar(length=64, default="")
    finder_consent_to_publish = Boolean(default=False)
    # The finder asked to be told when the owner collects (only with a phone to tell them on).
    finder_wants_news = Boolean(default=False)
    finder_reward = Varchar(length=12, default="undecided")
    storage_location = Varchar(length=32, default="")
    estimated_value = Numeric(digits=(12, 2), null=True, default=None)
    status = Varchar(length=20, default="in_custody", index=True)
    received_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    # Printed on the finder's receipt; the public verification page confirms it is genuine.
    verification_code = Varchar(length=16, unique=True)
    # Civil Code art. 318: a year after the first found-property notice listing the item.
    claim_deadline = Timestamptz(null=True, default=None, index=True)
    # Lower-cased text of the searchable fields, indexed for substring search (see services/search.py).
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)  # what an import catches up on
    # The record's rows of its key table, packed (``services.matching.pack_keys``): how they are
    # found again to be replaced or dropped. Keyed hashes, erased with the keys.
    match_keys = Bytea(default=b"")
    # Whether the record holds a valid ID number, written with ``match_keys``: a lookup by a valid
    # ID lets such a candidate go unread when only names and places met (see services.matching).
    # A valid ID holds every name the record gives (``matching.valid_id_names_everyone``).
    holds_valid_id = Boolean(default=False)
    # When the record was last keyed and matched; None while a save waits for its matching (a new
    # record, an edit): one still None a minute after its save is matched by the hourly pass.
    matched_at = Timestamptz(null=True, default=None)


class ItemContent(Table, tablename="item_content"):
    """One thing inside a wallet or bag: a document, a card, cash, a slip, a phone number, a note."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    kind = Varchar(length=24)
    holder_name = Varchar(length=60, default="")
    number_enc = Text(default="")
    number_masked = Varchar(length=32, default="")
    number_hash = Varchar(length=64, default="")  # compared, not searched: see LostReport
    card_last4 = Varchar(length=4, default="")
    bank = Varchar(length=60, default="")
    amount = Numeric(digits=(14, 2), null=True, default=None)
    phone_enc = Text(default="")
    phone_masked = Varchar(length=24, default="")
    phone_hash = Varchar(length=64, default="")
    note = Text(default="")
    as_printed = Boolean(default=False)


class CustodyEvent(Table, tablename="custody_event"):
    """Append-only: who did what with the item, when, and where it is now."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    actor_name = Varchar(length=100, default="")
    kind = Varchar(length=24)
    location = Varchar(length=32, default="")
    detail = JSON(default="{}")


class ItemPhoto(Table, tablename="item_photo"):
    """A photo of an item; files are content-addressed keys in the media store."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    master_key = Varchar(length=100)
    display_key = Varchar(length=100)
    thumb_key = Varchar(length=100)
    width = Integer()
    height = Integer()
    # The blurred variant that public pages may show; none until an officer redacts the photo.
    public_key = Varchar(length=100, default="")
    uploaded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LostReport(Table, tablename="lost_report"):
    """An owner's report of something lost (报失). The claim code is kept only as a keyed hash."""

    reference = Varchar(length=24, unique=True)
    year = Integer()
    seq = Integer()
    claim_code_hash = Varchar(length=64, unique=True)
    channel = Varchar(length=12, default="online")
    # The station that took a desk report; online reports have none until matched.
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=True, index=True)
    owner_name = Varchar(length=60, default="")
    owner_id_enc = Text(default="")
    owner_id_masked = Varchar(length=32, default="")
    # Keyed hashes are compared once a record is read, never searched by: an index on them only
    # cost every write a random page (matching searches the key tables).
    owner_id_hash = Varchar(length=64, default="")
    owner_phone_enc = Text(default="")
    owner_phone_masked = Varchar(length=24, default="")
    owner_phone_hash = Varchar(length=64, default="")
    owner_email = Varchar(length=254, default="")
    category = Varchar(length=24)
    description = Text(default="")
    colour = Varchar(length=60, default="")
    brand = Varchar(length=60, default="")
    lost_from = Timestamptz(null=True, default=None)
    lost_to = Timestamptz(null=True, default=None)
    lost_place = Varchar(length=200, default="")
    district = Varchar(length=60, default="")
    external_ref = Varchar(length=64, default="")
    status = Varchar(length=20, default="open", index=True)
    consent_at = Timestamptz(default=TimestamptzNow())
    received_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    locale = Varchar(length=8, default="zh_Hans")  # the language the owner's messages are written in
    # The item on the public board the owner said might be theirs ("this might be mine").
    board_item = ForeignKey(references=FoundItem, on_delete=OnDelete.set_null, null=True, index=True)
    # Retention: an open report closes a year after filing (or after the owner renewed it),
    # and a closed one loses its personal data after the retention period.
    renewed_at = Timestamptz(null=True, default=None)
    reminder_sent_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None, index=True)
    erased_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)  # what an import catches up on
    # The record's rows of its key table, packed (``services.matching.pack_keys``): how they are
    # found again to be replaced or dropped. Keyed hashes, erased with the keys.
    match_keys = Bytea(default=b"")
    # Whether the record holds a valid ID number, written with ``match_keys``: a lookup by a valid
    # ID lets such a candidate go unread when only names and places met (see services.matching).
    # A valid ID holds every name the record gives (``matching.valid_id_names_everyone``).
    holds_valid_id = Boolean(default=False)
    # When the record was last keyed and matched; None while a save waits for its matching (a new
    # record, an edit): one still None a minute after its save is matched by the hourly pass.
    matched_at = Timestamptz(null=True, default=None)


class ReportContent(Table, tablename="report_content"):
    """One thing the owner says was inside: same shape as a found item's contents."""

    report = ForeignKey(references=LostReport, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    kind = Varchar(length=24)
    holder_name = Varchar(length=60, default="")
    number_enc = Text(default="")
    number_masked = Varchar(length=32, default="")
    number_hash = Varchar(length=64, default="")  # compared, not searched: see LostReport
    card_last4 = Varchar(length=4, default="")
    bank = Varchar(length=60, default="")
    amount = Numeric(digits=(14, 2), null=True, default=None)
    phone_enc = Text(default="")
    phone_masked = Varchar(length=24, default="")
    phone_hash = Varchar(length=64, default="")
    note = Text(default="")
    as_printed = Boolean(default=False)


class Notification(Table, tablename="notification"):
    """The outbox: a message to an owner waits here until a sender confirms delivery.

    Written in the same transaction as the change it reports, so nothing is lost on a crash.
    The full text (it may hold a claim code) and the address are encrypted; officers read
    ``preview``, where the claim code is blanked out.
    """

    kind = Varchar(length=32)
    report = ForeignKey(references=LostReport, on_delete=OnDelete.set_null, null=True, index=True)
    station = ForeignKey(references=Station, on_delete=OnDelete.set_null, null=True, index=True)
    channel = Varchar(length=8)
    recipient_enc = Text(default="")
    recipient_masked = Varchar(length=64, default="")
    locale = Varchar(length=8, default="zh_Hans")
    subject = Varchar(length=200, default="")
    body_enc = Text(default="")
    preview = Text(default="")
    verification_code = Varchar(length=16, unique=True)
    status = Varchar(length=12, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_error = Varchar(length=300, default="")
    sent_via = Varchar(length=16, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)


class ItemKey(Table, tablename="item_key"):
    """Matching keys of a found item: keyed hashes (64 bits) of IDs, phones, names and their pieces.

    The table is keyed by (key, kind, item) and has no ``id`` column (migration 2026-12-05T04:40):
    read it by its columns. Lookups read it by key; a record's rows are found by the keys the record
    lists (``match_keys``), so there is no index by record.
    """

    key = BigInt()
    kind = SmallInt()
    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False)


class ReportKey(Table, tablename="report_key"):
    """Matching keys of a lost report, as ``ItemKey`` (no ``id`` column either)."""

    key = BigInt()
    kind = SmallInt()
    report = ForeignKey(references=LostReport, on_delete=OnDelete.cascade, null=False)


class Match(Table, tablename="match"):
    """A suggested pairing of a found item and a lost report, with its score and reasons.

    ``state`` moves from ``suggested`` to ``confirmed`` or ``rejected`` by an officer; only
    suggestions are recomputed when either side changes.
    """

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    report = ForeignKey(references=LostReport, on_delete=OnDelete.cascade, null=False, index=True)
    score = Real()
    decision = Varchar(length=8)
    reasons = JSON(default="[]")
    state = Varchar(length=12, default="suggested", index=True)
    decided_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz(null=True, default=None)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ContactAttempt(Table, tablename="contact_attempt"):
    """An officer tried to reach the owner of an unreported item through a lead found inside it."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    content = ForeignKey(references=ItemContent, on_delete=OnDelete.set_null, null=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    actor_name = Varchar(length=100, default="")
    method = Varchar(length=12)
    outcome = Varchar(length=16)
    note = Text(default="")


class Handover(Table, tablename="handover"):
    """An item given back (认领): who collected, how their identity was checked, who handed it over.

    The claimant's ID number is kept encrypted and as a keyed hash; the receipt shows it masked.
    """

    reference = Varchar(length=24, unique=True)
    item = ForeignKey(references=FoundItem, on_delete=OnDelete.restrict, null=False, index=True)
    report = ForeignKey(references=LostReport, on_delete=OnDelete.set_null, null=True, index=True)
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    year = Integer()
    seq = Integer()
    owner_name = Varchar(length=60)
    owner_id_enc = Text(default="")
    owner_id_masked = Varchar(length=32, default="")
    owner_id_hash = Varchar(length=64, default="")
    id_check = Varchar(length=20)
    # A proxy collects with the owner's signed authorisation and their own ID.
    proxy_name = Varchar(length=60, default="")
    proxy_id_enc = Text(default="")
    proxy_id_masked = Varchar(length=32, default="")
    authorisation_seen = Boolean(default=False)
    contents_total = Integer(default=0)
    contents_described = JSON(default="[]")  # ids of the item_content rows the claimant described
    item_described = Boolean(default=False)
    note = Text(default="")
    signature_key = Varchar(length=100)
    officer = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    officer_name = Varchar(length=100, default="")
    second_officer = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    second_officer_name = Varchar(length=100, default="")
    verification_code = Varchar(length=16, unique=True)
    finder_notified = Boolean(default=False)
    handed_over_at = Timestamptz(default=TimestamptzNow())


class FailedCheck(Table, tablename="failed_check"):
    """A claimant whose ID did not agree with the item: a possible false claim, for the supervisor."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    actor_name = Varchar(length=100, default="")
    outcome = Varchar(length=20)
    claimant_name = Varchar(length=60, default="")
    claimant_id_masked = Varchar(length=32, default="")
    claimant_id_hash = Varchar(length=64, default="", index=True)
    proxy = Boolean(default=False)
    state = Varchar(length=12, default="open", index=True)
    reviewed_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    reviewed_at = Timestamptz(null=True, default=None)
    review_note = Text(default="")


class Deed(Table, tablename="deed"):
    """A good deed (好人好事); a handover proposes a ``returned_property`` deed for the finder."""

    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    kind = Varchar(length=20, index=True)
    status = Varchar(length=12, default="proposed", index=True)
    occurred_at = Timestamptz()
    place = Varchar(length=200, default="")
    title = Varchar(length=200, default="")
    narrative = Text(default="")
    item = ForeignKey(references=FoundItem, on_delete=OnDelete.set_null, null=True, index=True)
    created_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DeedParticipant(Table, tablename="deed_participant"):
    """Someone who took part in a deed, and whether and how they agreed to be named."""

    deed = ForeignKey(references=Deed, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    role = Varchar(length=16)  # civilian, officer, trainee, rescue_team, volunteer
    name = Varchar(length=100, default="")
    consent_to_name = Boolean(default=False)
    # How they want to appear when named: full name, surname only (黎女士), or not at all.
    naming = Varchar(length=12, default="anonymous")
    # The words public texts use for them: the full name, "应师傅", or "一位热心市民".
    public_name = Varchar(length=100, default="")


class Transfer(Table, tablename="transfer"):
    """An item sent from one station to another (or to the district bureau); the receiver confirms."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    from_station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    to_station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=12, default="in_transit", index=True)
    sent_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    sent_by_name = Varchar(length=100, default="")
    sent_at = Timestamptz(default=TimestamptzNow())
    note = Text(default="")
    received_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    received_by_name = Varchar(length=100, default="")
    received_at = Timestamptz(null=True, default=None)
    storage_location = Varchar(length=32, default="")


class Disposal(Table, tablename="disposal"):
    """What happens to an item nobody claimed in the legal period; a supervisor must approve."""

    item = ForeignKey(references=FoundItem, on_delete=OnDelete.cascade, null=False, index=True)
    method = Varchar(length=20)
    status = Varchar(length=12, default="proposed", index=True)
    proposed_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    proposed_by_name = Varchar(length=100, default="")
    proposed_at = Timestamptz(default=TimestamptzNow())
    note = Text(default="")
    decided_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    decided_by_name = Varchar(length=100, default="")
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")


class DeedPhoto(Table, tablename="deed_photo"):
    """A photo of a good deed, through the same pipeline as item photos.

    Only a photo an officer marked public may appear on a notice or poster.
    """

    deed = ForeignKey(references=Deed, on_delete=OnDelete.cascade, null=False, index=True)
    position = Integer(default=0)
    master_key = Varchar(length=100)
    display_key = Varchar(length=100)
    thumb_key = Varchar(length=100)
    width = Integer()
    height = Integer()
    public = Boolean(default=False)
    caption = Varchar(length=200, default="")
    uploaded_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Notice(Table, tablename="notice"):
    """A notice the police publish: here the found-property notice (招领公告) listing unclaimed items.

    ``draft → approved → published → withdrawn``; a supervisor approves, and only after the
    redaction check passes. Publication starts the one-year clock of the items listed.
    """

    reference = Varchar(length=24, unique=True)
    kind = Varchar(length=20, index=True)
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False, index=True)
    year = Integer()
    seq = Integer()
    title = Varchar(length=200)
    body = Text(default="")
    status = Varchar(length=12, default="draft", index=True)
    created_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    approved_by = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True)
    approved_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None, index=True)
    withdrawn_at = Timestamptz(null=True, default=None)
    verification_code = Varchar(length=16, unique=True)
    # Notices about a good deed: the deed, the language, a certificate's number, the photo shown.
    deed = ForeignKey(references=Deed, on_delete=OnDelete.restrict, null=True, index=True)
    language = Varchar(length=8, default="zh_Hans")
    certificate_number = Varchar(length=40, default="")
    photo = ForeignKey(references=DeedPhoto, on_delete=OnDelete.set_null, null=True)


class NoticeItem(Table, tablename="notice_item"):
    """One found item on a found-property notice, as the public may read it."""

    notice = ForeignKey(references=Notice, on_delete=OnDelete.cascade, null=False, index=True)
    item = ForeignKey(references=FoundItem, on_delete=OnDelete.restrict, null=False, index=True)
    position = Integer(default=0)
    summary = Varchar(length=200)  # category, colour, brand: never names, numbers or amounts
    area = Varchar(length=60, default="")
    found_on = Timestamptz()
    photo = ForeignKey(references=ItemPhoto, on_delete=OnDelete.set_null, null=True)
    # The blurred copy as it was when the notice was compiled: redacting again later changes nothing here.
    public_key = Varchar(length=100, default="")
