"""Lost reports: an owner files one (online or at the desk) and checks it with reference + claim code."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lostfound import i18n
from lostfound.crypto import normalise_code, readable_code
from lostfound.domain import identifiers as ids
from lostfound.domain.found_items import Category
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import Channel, ReportStatus, report_reference
from lostfound.domain.notifications import MessageKind
from lostfound.pii import vault
from lostfound.services import audit, found_notices, matching, notifications, references
from lostfound.services.attempts import CounterStore, count_attempt
from lostfound.services.context import Actor
from lostfound.services.errors import Conflict, NotFound, ServiceError
from lostfound.services.found_items import EARLIEST_FOUND_AT, InvalidItem
from lostfound.services.item_contents import (
    ContentInput,
    Problems,
    content_row,
    free_text,
    phone_fields,
    phone_on_file,
    read_phone,
)
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, get_settings
from lostfound.tables import AuditEvent, LostReport, ReportContent

_TZ = ZoneInfo(TIMEZONE)
OWNER_ID_COLUMN = "lost_report.owner_id"
OWNER_PHONE_COLUMN = "lost_report.owner_phone"
CLAIM_HASH_KIND = "claim"
MAX_CONTENTS = 40


@dataclass
class OwnerInput:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class LostReportInput:
    category: str
    owner: OwnerInput = field(default_factory=OwnerInput)
    description: str = ""
    colour: str = ""
    brand: str = ""
    lost_from: datetime | None = None
    lost_to: datetime | None = None
    lost_place: str = ""
    district: str = ""
    external_ref: str = ""
    consent: bool = False
    contents: list[ContentInput] = field(default_factory=list)
    locale: str = i18n.DEFAULT  # the language of the owner's messages
    board_item: str = ""  # the public board's item the owner thinks is theirs ("this might be mine")


@dataclass(frozen=True)
class FiledReport:
    reference: str
    claim_code: str  # shown once to the owner, never stored


_OWN_NUMBER_MISTYPED = N_(
    "This ID number does not add up: its last character does not match the others. "
    "Check it against your ID card."
)
# The desk's wording offers * for a digit it cannot read off a card; an owner types the whole number.
_OWN_NUMBER_SHAPE = N_(
    "An ID number has 18 characters: 17 digits and a final digit or X. "
    "For a passport, add a passport row under “Contents (wallets and bags)”."
)


def _owner_values(
    owner: OwnerInput, problems: Problems, today: Any, as_printed: bool = False, reachable: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "owner_name": free_text(owner.name, 60, "owner.name", problems, N_("Enter your name."))
    }
    email = owner.email.strip()
    if email and (len(email) > 254 or "@" not in email or " " in email):
        problems.add("owner.email", N_("Check the e-mail address."))
    values["owner_email"] = email[:254]
    if not owner.phone.strip() and not email and not reachable:
        problems.add("owner.phone", N_("Give a phone number or an e-mail address so that we can reach you."))
    if owner.phone.strip():
        phone = read_phone(owner.phone)
        if phone is None:
            problems.add("owner.phone", ids.phone_problem(owner.phone) or N_("Enter a phone number."))
        else:
            fields = phone_fields(phone, vault(), OWNER_PHONE_COLUMN)
            values.update(
                owner_phone_enc=fields["phone_enc"],
                owner_phone_masked=fields["phone_masked"],
                owner_phone_hash=fields["phone_hash"],
            )
    number = ids.normalise_id_number(owner.id_number)
    if number and today is not None:
        problem = ids.check_id_number(number, today)
        if problem is not None and not (as_printed and problem.confirmable):
            # An owner types their own number: there is no card in hand to keep "as printed".
            if problem.confirmable:
                problems.add("owner.id_number", _OWN_NUMBER_MISTYPED)
            elif problem.code == "format":
                problems.add("owner.id_number", _OWN_NUMBER_SHAPE)
            else:
                problems.add("owner.id_number", problem.message, **problem.params)
        elif not ids.is_masked(number):
            values.update(
                owner_id_enc=vault().encrypt(number, OWNER_ID_COLUMN),
                owner_id_masked=ids.mask_id(number),
                owner_id_hash=vault().keyed_hash("id", number),
            )
        else:
            problems.add("owner.id_number", N_("Type your full ID number."))
    return values


def _report_values(
    data: LostReportInput, problems: Problems, now: datetime, imported: bool = False
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    try:
        values["category"] = Category(data.category).value
    except ValueError:
        problems.add("category", N_("Choose a category from the list."))
    values["description"] = free_text(
        data.description, 2000, "description", problems, N_("Describe what you lost in a few words.")
    )
    values["colour"] = free_text(data.colour, 60, "colour", problems)
    values["brand"] = free_text(data.brand, 60, "brand", problems)
    values["lost_place"] = free_text(
        data.lost_place,
        200,
        "lost_place",
        problems,
        N_("Say where you think you lost it, as closely as you can."),
    )
    values["district"] = free_text(data.district, 60, "district", problems)
    values["external_ref"] = free_text(data.external_ref, 64, "external_ref", problems)
    for name in ("lost_from", "lost_to"):
        moment = getattr(data, name)
        if moment is not None and moment.tzinfo is None:
            problems.add(name, N_("Give the time with its time zone, e.g. 2025-03-28T21:40:00+08:00."))
            moment = None
        elif moment is not None and (moment > now or moment < EARLIEST_FOUND_AT):
            problems.add(name, N_("Check this time: it cannot be in the future or before 2000."))
            moment = None
        values[name] = moment
    if values["lost_from"] and values["lost_to"] and values["lost_from"] > values["lost_to"]:
        problems.add("lost_to", N_("The end of the time window is before its start."))
    if not (data.consent or imported):
        problems.add(
            "consent", N_("Agree to the processing of your data, or report at a police station instead.")
        )
    return values


def validated(
    data: LostReportInput, now: datetime, imported: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values and content rows of a report, or InvalidItem with every problem.

    ``imported``: a record migrated from another system. A number that fails only its check
    character is kept as it was written down (matching repairs it), and the owner gave their
    consent to the system they reported to.
    """
    today = now.astimezone(_TZ).date()
    problems = Problems()
    values = _report_values(data, problems, now, imported)
    values.update(_owner_values(data.owner, problems, today, imported))
    if len(data.contents) > MAX_CONTENTS:
        problems.add("contents", N_("At most %(limit)d content rows, please."), limit=MAX_CONTENTS)
    rows = []
    for index, entry in enumerate(data.contents[:MAX_CONTENTS]):
        row = content_row(entry, f"contents.{index}", vault(), problems, today, imported)
        if row is not None:
            rows.append({**row, "position": index})
    if problems:
        raise InvalidItem(problems)
    return values, rows


async def file_report(actor: Actor, data: LostReportInput, station_code: str = "") -> FiledReport:
    """File a report; an anonymous actor means the owner filed it online."""
    now = datetime.now(UTC)
    values, rows = validated(data, now)
    code = readable_code(12)
    year = now.astimezone(_TZ).year
    desk = actor.user_id is not None
    pointed = await found_notices.board_item(data.board_item) if data.board_item.strip() else None
    async with write_transaction():
        seq = await references.next_number(f"LR:{year}")
        reference = report_reference(year, seq)
        report = LostReport(
            reference=reference,
            year=year,
            seq=seq,
            claim_code_hash=vault().keyed_hash(CLAIM_HASH_KIND, code),
            channel=(Channel.DESK if desk else Channel.ONLINE).value,
            station=await _station_id(station_code) if desk else None,
            received_by=actor.user_id,
            status=ReportStatus.OPEN.value,
            locale=data.locale if data.locale in i18n.SUPPORTED else i18n.DEFAULT,
            board_item=pointed["item_id"] if pointed else None,
            **values,
        )
        await report.save()
        for row in rows:
            await ReportContent.insert(ReportContent(report=report.id, **row))
        await audit.record(actor, "lost_report.create", "lost_report", reference, {"channel": report.channel})
        await notifications.queue_for_report(
            {**report.to_dict(), "station": report.station},
            MessageKind.REPORT_FILED,
            get_settings(),
            secret=code,
            claim_code=code,
        )
    await matching.refresh_report(report.id)
    return FiledReport(reference=reference, claim_code=code)


async def _station_id(code: str) -> int | None:
    from lostfound.services.stations import get_station

    return (await get_station(code))["id"] if code else None


async def get_report(reference: str) -> dict[str, Any]:
    """A report as staff see it: numbers masked, the claim code never."""
    row = await (
        LostReport.select(
            LostReport.all_columns(
                exclude=[
                    LostReport.owner_id_enc,
                    LostReport.owner_phone_enc,
                    LostReport.claim_code_hash,
                    LostReport.match_keys,
                ]
            ),
            LostReport.station.code.as_alias("station_code"),
        )
        .where(LostReport.reference == reference.strip().upper()[:24])
        .first()
    )
    if row is None:
        raise NotFound(N_("No lost report has the reference %(reference)s."), reference=reference[:24])
    row["contents"] = await (
        ReportContent.select(
            ReportContent.all_columns(exclude=[ReportContent.number_enc, ReportContent.phone_enc])
        )
        .where(ReportContent.report == row["id"])
        .order_by(ReportContent.position)
    )
    return row


# --- the owner's status check ------------------------------------------------


class ClaimRefused(ServiceError):
    """Wrong reference and wrong code get this one answer, so neither can be probed."""


class ClaimLocked(ServiceError):
    status_code = 429


@dataclass(frozen=True)
class ClaimCheckLimits:
    max_failures: int = 5
    lockout_seconds: int = 30 * 60


async def check_claim(
    reference: str, code: str, failures: CounterStore, limits: ClaimCheckLimits = ClaimCheckLimits()
) -> dict[str, Any]:
    """The owner's own report if reference and code belong together; one generic refusal otherwise.

    Failures are counted per reference string whether or not it exists, so the lockout
    message reveals nothing either.
    """
    reference = reference.strip().upper()[:24]
    key = f"claim-failures:{reference}"
    if await count_attempt(failures, key, limits.lockout_seconds) > limits.max_failures:
        raise ClaimLocked(
            N_(
                "Too many wrong codes for this reference. For your safety it is locked for %(minutes)d minutes."
            ),
            minutes=limits.lockout_seconds // 60,
        )
    digest = vault().keyed_hash(CLAIM_HASH_KIND, normalise_code(code)[:32])
    row = (
        await LostReport.select(LostReport.id, LostReport.claim_code_hash)
        .where(LostReport.reference == reference)
        .first()
    )
    if row is None or not _same(row["claim_code_hash"], digest):
        raise ClaimRefused(
            N_("The reference and claim code do not match a report. Check both and try again.")
        )
    await failures.delete(key)
    return await get_report(reference)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def owner_view(report: dict[str, Any]) -> dict[str, Any]:
    """What the owner may see: only what they gave, numbers masked, plus the status."""
    return {
        "reference": report["reference"],
        "status": report["status"],
        "category": report["category"],
        "description": report["description"],
        "lost_place": report["lost_place"],
        "lost_from": report["lost_from"].isoformat() if report["lost_from"] else None,
        "lost_to": report["lost_to"].isoformat() if report["lost_to"] else None,
        "owner": {
            "name": report["owner_name"],
            "phone_masked": report["owner_phone_masked"],
            "email": report["owner_email"],
            "id_masked": report["owner_id_masked"],
        },
        "filed_at": report["created_at"].isoformat(),
    }


# --- what the owner may change -------------------------------------------------


class ReportMatched(Conflict):
    """The owner's item waits at a station: the report is no longer the owner's to withdraw.

    ``station`` is the station holding the item (both languages of its name, its phone), so that the
    refusal can say whom to call."""

    def __init__(self, message: str, station: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.station = station


WAITING_AT_STATION = N_(
    "Your item is waiting for you at the station, so the report can no longer be withdrawn. "
    "If you no longer want it, please tell the station."
)


async def update_contact(
    reference: str, phone: str, email: str, client_ip: str = "", *, remove_phone: bool = False
) -> bool:
    """The owner changes how we reach them (after proving the claim code in this session).

    The phone is never shown in full, so an empty ``phone`` keeps the number on file; only
    ``remove_phone`` deletes it. ``email`` replaces the address (the form shows the current one).
    One of the two must remain. Returns whether anything changed.
    """
    report = await get_report(reference)
    if report["status"] not in (ReportStatus.OPEN, ReportStatus.MATCHED):
        raise ServiceError(N_("This report is closed; it can no longer be changed."))
    problems = Problems()
    if remove_phone and phone.strip():
        problems.add(
            "owner.phone", N_("Either type a new phone number or tick the box to remove it, not both.")
        )
    elif remove_phone and not email.strip():
        problems.add(
            "owner.phone",
            N_("To remove your phone number, give an e-mail address: we need one way to reach you."),
        )
    # With the box ticked, reachability was checked just above; without it, the number on file remains.
    reachable = remove_phone or bool(report["owner_phone_masked"])
    owner = OwnerInput(name=report["owner_name"], phone=phone, email=email)
    values = _owner_values(owner, problems, None, reachable=reachable)
    if problems:
        raise InvalidItem(problems)
    values.pop("owner_name")
    if remove_phone:
        values.update(owner_phone_enc="", owner_phone_masked="", owner_phone_hash="")
    elif phone.strip() and phone_on_file(phone, report["owner_phone_hash"]):
        for key in ("owner_phone_enc", "owner_phone_masked", "owner_phone_hash"):
            values.pop(key, None)
    if values.get("owner_phone_hash", report["owner_phone_hash"]) == report["owner_phone_hash"] and (
        values["owner_email"] == report["owner_email"]
    ):
        return False  # the same number typed again, the same address: nothing to record
    values["updated_at"] = datetime.now(UTC)
    values["matched_at"] = None  # until the matching below is done (``matching.match_overdue``)
    async with write_transaction():
        await LostReport.update(values).where(LostReport.reference == report["reference"])
        await audit.record(
            Actor.anonymous(client_ip), "lost_report.contact_update", "lost_report", report["reference"]
        )
    await matching.refresh_report(report["id"])
    return True


async def withdraw(reference: str, client_ip: str = "") -> None:
    """The owner withdraws an open report: it stops being matched; the data follows the retention rules.

    Once an officer has confirmed a found item as the owner's, the item is kept for them at the
    station: the report is refused withdrawal (ReportMatched) and the owner is sent to that station,
    where an officer closes the case, rather than leaving the item waiting for nobody.
    """
    report = await get_report(reference)
    if report["status"] == ReportStatus.MATCHED:
        await _refuse_matched(report["id"])
    if report["status"] != ReportStatus.OPEN:
        raise ServiceError(N_("This report is closed; it can no longer be changed."))
    now = datetime.now(UTC)
    async with write_transaction():
        # Conditional on the status, so that a match confirmed meanwhile is not undone.
        moved = await close_if_open(report["id"], ReportStatus.WITHDRAWN, now)
        if moved:
            await audit.record(
                Actor.anonymous(client_ip), "lost_report.withdraw", "lost_report", report["reference"]
            )
    if not moved:
        now_status = (await get_report(reference))["status"]
        if now_status == ReportStatus.MATCHED:
            await _refuse_matched(report["id"])
        raise ServiceError(N_("This report is closed; it can no longer be changed."))
    await matching.forget("report", report["id"])


async def close_if_open(report_id: int, status: ReportStatus, now: datetime) -> bool:
    """Close an open report as ``status`` (in the caller's transaction); False if it was not open."""
    closed = await (
        LostReport.update(
            {LostReport.status: status.value, LostReport.closed_at: now, LostReport.updated_at: now}
        )
        .where((LostReport.id == report_id) & (LostReport.status == ReportStatus.OPEN.value))
        .returning(LostReport.id)
    )
    return bool(closed)


async def _refuse_matched(report_id: int) -> None:
    from lostfound.services.match_review import pickup_station

    raise ReportMatched(WAITING_AT_STATION, await pickup_station(report_id))


async def keep_open(reference: str, client_ip: str = "") -> None:
    """The owner is still looking: the report's year starts again and a new reminder will come."""
    report = await get_report(reference)
    if report["status"] != ReportStatus.OPEN:
        raise ServiceError(N_("Only an open report can be kept open."))
    now = datetime.now(UTC)
    async with write_transaction():
        await LostReport.update(
            {LostReport.renewed_at: now, LostReport.reminder_sent_at: None, LostReport.updated_at: now}
        ).where(LostReport.reference == report["reference"])
        await audit.record(
            Actor.anonymous(client_ip), "lost_report.renew", "lost_report", report["reference"]
        )


# What the owner's timeline shows, from the audit log: only steps about their own report,
# in words that say nothing about who did it inside the police.
TIMELINE_STEPS: dict[str, str] = {
    "lost_report.create": N_("Report received"),
    "lost_report.contact_update": N_("You changed your contact details"),
    "lost_report.renew": N_("You asked us to keep looking"),
    "lost_report.reminder": N_("We reminded you that the report would close"),
    "lost_report.match": N_("A found item may be yours: see below where to collect it"),
    "lost_report.withdraw": N_("You withdrew the report"),
    "lost_report.expire": N_("The report closed after its open period"),
    "lost_report.erase": N_("Your personal details were erased"),
}


async def timeline(reference: str) -> list[dict[str, Any]]:
    rows = await (
        AuditEvent.select(AuditEvent.at, AuditEvent.action)
        .where(
            (AuditEvent.target_type == "lost_report")
            & (AuditEvent.target_id == reference)
            & AuditEvent.action.is_in(list(TIMELINE_STEPS))
        )
        .order_by(AuditEvent.id)
    )
    return [
        {"at": row["at"], "action": row["action"], "label": TIMELINE_STEPS[row["action"]]} for row in rows
    ]


async def pointing_at(item_id: int) -> list[dict[str, Any]]:
    """Open reports whose owners said, from the public board, that this item might be theirs."""
    return await (
        LostReport.select(LostReport.reference, LostReport.owner_name)
        .where((LostReport.board_item == item_id) & (LostReport.status == ReportStatus.OPEN.value))
        .order_by(LostReport.id)
    )
