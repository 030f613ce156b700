"""Handing a found item back to its owner (认领). Audited; all or nothing.

The claimant's ID number is compared with the item's ID documents (and with the owner's report
of a confirmed match) by keyed hash, so the stored number is never decrypted nor shown. A
number that belongs to someone else is recorded as a failed check for the supervisor; after
``MAX_FAILED_CHECKS`` of them on one item, checks stop until a supervisor has looked.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.crypto import readable_code
from lostfound.domain import handover as rules
from lostfound.domain import identifiers as ids
from lostfound.domain.disposal import DisposalStatus
from lostfound.domain.found_items import (
    AMOUNT_KINDS,
    DOCUMENT_KINDS,
    ID_NUMBER_KINDS,
    PASSPORT_KINDS,
    ContentKind,
    CustodyKind,
    ItemStatus,
)
from lostfound.domain.handover import IdCheck
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import ReportStatus
from lostfound.pii import vault
from lostfound.services import audit, deeds, found_items, matching, notifications, references
from lostfound.services.accounts import StaffMember
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.found_items import InvalidItem
from lostfound.services.item_contents import HASH_ID, HASH_PASSPORT, Problems, free_text
from lostfound.services.item_photos import media_store
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, get_settings
from lostfound.signatures import SignatureRejected, clean_signature
from lostfound.tables import Disposal, FailedCheck, FoundItem, Handover, LostReport, Match, Station

_TZ = ZoneInfo(TIMEZONE)
HANDOVER_ID_COLUMN = "handover.owner_id"
PROXY_ID_COLUMN = "handover.proxy_id"
# Items that can be handed back: in the station's care, with or without a confirmed owner.
HANDABLE = (ItemStatus.IN_CUSTODY.value, ItemStatus.OWNER_FOUND.value, ItemStatus.UNCLAIMED.value)


@dataclass(frozen=True)
class Situation:
    """What the handover page needs to know about the item before anyone is checked."""

    item: dict[str, Any]
    report: dict[str, Any] | None  # the report of the confirmed match, if any
    # Without one, the reports suggested for the item (best first): the officer may say which the
    # claimant filed, so that it closes with the handover.
    suggested: list[dict[str, Any]]
    documents: list[dict[str, Any]]  # ID documents in the item (masked)
    second_officer_needed: bool
    open_failed_checks: int
    blocked: bool  # too many failed checks: a supervisor must look first


@dataclass(frozen=True)
class IdResult:
    outcome: IdCheck
    agreed_with: str = ""  # "document" or "report"
    document_kind: str = ""
    holder_name: str = ""  # the name on the document that agreed (officers see it on the item page too)


@dataclass
class HandoverInput:
    owner_name: str = ""
    id_number: str = ""  # the owner's ID (a proxy brings it)
    proxy: bool = False
    proxy_name: str = ""
    proxy_id_number: str = ""
    authorisation_seen: bool = False
    described: list[int] = field(default_factory=list)  # item_content ids the claimant described
    item_described: bool = False
    note: str = ""
    signature: str = ""  # PNG data URL from the signing canvas
    report: str = ""  # the suggested report the officer says the claimant filed, if any


def _today() -> date:
    return datetime.now(_TZ).date()


async def _confirmed_report(item_id: int) -> dict[str, Any] | None:
    row = (
        await Match.select(Match.report).where((Match.item == item_id) & (Match.state == "confirmed")).first()
    )
    if row is None:
        return None
    return await LostReport.select().where(LostReport.id == row["report"]).first()


async def _failed_open(item_id: int) -> int:
    since = datetime.now(UTC) - timedelta(hours=rules.FAILED_CHECK_WINDOW_HOURS)
    return await FailedCheck.count().where(
        (FailedCheck.item == item_id)
        & (FailedCheck.state == rules.FailedCheckState.OPEN.value)
        & (FailedCheck.at >= since)
    )


async def _suggested_reports(item_id: int) -> list[dict[str, Any]]:
    """The reports suggested for this item, best first, each with its match id and decision."""
    rows = await (
        Match.select(Match.id, Match.report, Match.decision)
        .where((Match.item == item_id) & (Match.state == "suggested"))
        .order_by(Match.score, ascending=False)
        .order_by(Match.id)
    )
    reports = (
        {
            row["id"]: row
            for row in await LostReport.select().where(LostReport.id.is_in([row["report"] for row in rows]))
        }
        if rows
        else {}
    )
    return [
        {**reports[row["report"]], "match_id": row["id"], "decision": row["decision"]}
        for row in rows
        if row["report"] in reports
    ]


def _claimants_report(found: Situation, id_hash: str, chosen: str) -> dict[str, Any] | None:
    """The suggested report the claimant filed: the one whose owner's ID is theirs, else the officer's
    choice (a report filed without an ID number)."""
    for report in found.suggested:
        if report["owner_id_hash"] and report["owner_id_hash"] == id_hash:
            return report
    return next((report for report in found.suggested if report["reference"] == chosen), None)


def _needs_second_officer(item: dict[str, Any]) -> bool:
    money = item["category"] == ContentKind.CASH.value or any(
        row["kind"] in AMOUNT_KINDS for row in item["contents"]
    )
    value = item["estimated_value"]
    threshold = Decimal(get_settings().two_officer_value)
    return rules.needs_second_officer(money, Decimal(value) if value is not None else None, threshold)


async def situation(reference: str) -> Situation:
    item = await found_items.get_item(reference)
    failed = await _failed_open(item["id"])
    confirmed = await _confirmed_report(item["id"])
    return Situation(
        item=item,
        report=confirmed,
        suggested=[] if confirmed else await _suggested_reports(item["id"]),
        documents=[row for row in item["contents"] if row["kind"] in DOCUMENT_KINDS],
        second_officer_needed=_needs_second_officer(item),
        open_failed_checks=failed,
        blocked=failed >= rules.MAX_FAILED_CHECKS,
    )


def _one_edit_variants(number: str) -> set[str]:
    """Every string one substitution or one adjacent swap from ``number`` (check digit not required)."""
    found: set[str] = set()
    alphabet = "0123456789X"
    for index, current in enumerate(number):
        for char in alphabet if index == len(number) - 1 else alphabet[:10]:
            if char != current:
                found.add(number[:index] + char + number[index + 1 :])
    for index in range(len(number) - 1):
        if number[index] != number[index + 1]:
            found.add(number[:index] + number[index + 1] + number[index] + number[index + 2 :])
    return found


def compare_id(raw: str, documents: list[dict[str, Any]], report: dict[str, Any] | None) -> IdResult:
    """Compare a typed ID or passport number with the item's documents and the confirmed report."""
    key = vault()
    number = ids.normalise_id_number(raw)
    id_like = len(number) == ids.ID_LENGTH and number[:17].isdigit()
    passport = ids.normalise_passport(raw)
    if not id_like:
        hashed = key.keyed_hash(HASH_PASSPORT, passport) if passport.isalnum() else ""
        for row in documents:
            if row["kind"] in PASSPORT_KINDS and hashed and row["number_hash"] == hashed:
                return IdResult(IdCheck.EXACT, "document", row["kind"], row["holder_name"])
        if any(row["kind"] in PASSPORT_KINDS and row["number_hash"] for row in documents):
            return IdResult(IdCheck.DIFFERENT)
        return IdResult(IdCheck.INVALID)
    if ids.check_id_number(number, _today()) is not None:
        return IdResult(IdCheck.INVALID)
    hashed = key.keyed_hash(HASH_ID, number)
    id_rows = [row for row in documents if row["kind"] in ID_NUMBER_KINDS]
    for row in id_rows:
        if row["number_hash"] == hashed:
            return IdResult(IdCheck.EXACT, "document", row["kind"], row["holder_name"])
    if report is not None and report["owner_id_hash"] == hashed:
        return IdResult(IdCheck.EXACT, "report")
    misread = [row for row in id_rows if row["number_hash"] and row["as_printed"]]
    if misread:
        # Logged as printed and failing its check: one character away from the real number?
        variants = {key.keyed_hash(HASH_ID, v) for v in _one_edit_variants(number)}
        for row in misread:
            if row["number_hash"] in variants:
                return IdResult(IdCheck.MISREAD, "document", row["kind"], row["holder_name"])
    masked = ids.mask_id(number)
    partial = [row for row in id_rows if not row["number_hash"] and row["number_masked"]]
    if any(_masks_agree(row["number_masked"], masked) for row in partial):
        row = next(row for row in partial if _masks_agree(row["number_masked"], masked))
        return IdResult(IdCheck.MASKED_AGREES, "document", row["kind"], row["holder_name"])
    if (id_rows and any(row["number_masked"] for row in id_rows)) or (report and report["owner_id_hash"]):
        return IdResult(IdCheck.DIFFERENT)
    return IdResult(IdCheck.NOTHING_TO_COMPARE)


def _masks_agree(stored: str, typed_masked: str) -> bool:
    """A stored partly readable number agrees when every character it shows is the same."""
    return len(stored) == len(typed_masked) and all(
        a == b or a == ids.MASK for a, b in zip(stored, typed_masked, strict=True)
    )


def _station_check(actor: Actor, item: dict[str, Any]) -> None:
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the station holding the item may hand it over."))
    if item["status"] not in HANDABLE:
        raise Conflict(N_("This item cannot be handed over: it is no longer in the station's care."))


async def check_identity(
    actor: Actor, reference: str, id_number: str, claimant_name: str = "", proxy: bool = False
) -> IdResult:
    """The ID check of the handover page: says whether the number agrees, records a failure."""
    found = await situation(reference)
    _station_check(actor, found.item)
    if found.blocked:
        raise Conflict(
            N_(
                "Identity checks on this item have failed %(count)d times: a supervisor must review them "
                "before anyone else is checked."
            ),
            count=found.open_failed_checks,
        )
    if not id_number.strip():
        raise ServiceError(N_("Enter the ID number from the claimant's ID card."), field="id_number")
    result = compare_id(id_number, found.documents, found.report)
    if result.outcome in rules.FAILED_CHECKS:
        await _record_failure(actor, found.item, result.outcome, id_number, claimant_name, proxy)
    return result


async def _record_failure(
    actor: Actor, item: dict[str, Any], outcome: IdCheck, id_number: str, name: str, proxy: bool
) -> None:
    number = ids.normalise_id_number(id_number)
    async with write_transaction():
        await FailedCheck.insert(
            FailedCheck(
                item=item["id"],
                actor=actor.user_id,
                actor_name=actor.username,
                outcome=outcome.value,
                claimant_name=name.strip()[:60],
                claimant_id_masked=ids.mask_id(number),
                claimant_id_hash=vault().keyed_hash(HASH_ID, number),
                proxy=proxy,
            )
        )
        await audit.record(
            actor, "handover.check_failed", "found_item", item["reference"], {"outcome": outcome.value}
        )


async def complete(
    actor: Actor, reference: str, data: HandoverInput, second: StaffMember | None = None
) -> str:
    """Hand the item over; returns the receipt reference. Everything is checked again here."""
    found = await situation(reference)
    item = found.item
    _station_check(actor, item)
    if found.blocked:
        raise Conflict(
            N_("Identity checks on this item have failed too often: a supervisor must review them.")
        )
    problems = Problems()
    owner_name = free_text(
        data.owner_name, 60, "owner_name", problems, required=N_("Enter the owner's full name.")
    )
    note = free_text(data.note, 500, "note", problems)
    proxy_name = free_text(data.proxy_name, 60, "proxy_name", problems) if data.proxy else ""
    if data.proxy and not proxy_name:
        problems.add("proxy_name", N_("Enter the full name of the person collecting."))
    if data.report and data.report not in {report["reference"] for report in found.suggested}:
        problems.add("report", N_("That report is no longer suggested for this item. Choose again."))
    if not data.id_number.strip():
        problems.add("id_number", N_("Enter the ID number from the claimant's ID card."))
        result = IdResult(IdCheck.INVALID)
    else:
        result = compare_id(data.id_number, found.documents, found.report)
    content_ids = {row["id"] for row in item["contents"]}
    described = sorted(set(data.described) & content_ids)
    proxy_number = ids.normalise_id_number(data.proxy_id_number) if data.proxy else ""
    proxy_valid = bool(proxy_number) and ids.check_id_number(proxy_number, _today()) is None
    if second is not None and (second.id == actor.user_id or second.station_code != item["station_code"]):
        problems.add("second_officer", N_("The second officer must be another officer of this station."))
        second = None
    signature = b""
    if data.signature:
        try:
            signature = await asyncio.to_thread(clean_signature, data.signature)
        except SignatureRejected:
            problems.add("signature", N_("The signature could not be read. Ask the claimant to sign again."))
    claim = rules.Claim(
        id_check=result.outcome,
        contents_total=len(content_ids),
        contents_described=len(described),
        item_described=data.item_described,
        proxy=data.proxy,
        proxy_id_valid=proxy_valid,
        proxy_birth_date=ids.birth_date_of(proxy_number) if proxy_valid else None,
        proxy_is_owner=proxy_valid and proxy_number == ids.normalise_id_number(data.id_number),
        authorisation_seen=data.authorisation_seen,
        second_officer_needed=found.second_officer_needed,
        second_officer_confirmed=second is not None,
        signed=bool(signature) or "signature" in problems.items,
    )
    for name, message, params in rules.problems(claim, _today()):
        problems.add(name, message, **params)
    if problems:
        if result.outcome in rules.FAILED_CHECKS:
            await _record_failure(actor, item, result.outcome, data.id_number, owner_name, data.proxy)
        raise InvalidItem(problems)
    return await _write(
        actor, found, data, result, owner_name, proxy_name, proxy_number, described, note, signature, second
    )


async def _write(
    actor: Actor, found: Situation, data: HandoverInput, result: IdResult, owner_name: str, proxy_name: str,
    proxy_number: str, described: list[int], note: str, signature: bytes, second: StaffMember | None,
) -> str:  # fmt: skip
    item, report = found.item, found.report
    key = vault()
    number = ids.normalise_id_number(data.id_number)
    suggested = (
        None if report is not None else _claimants_report(found, key.keyed_hash(HASH_ID, number), data.report)
    )
    report = report or suggested
    signature_key = await asyncio.to_thread(media_store().put, signature, ".png")
    station = await Station.select().where(Station.code == item["station_code"]).first()
    try:
        async with write_transaction():
            ref = await _record(actor, found, data, result, owner_name, proxy_name, proxy_number, described,
                                note, signature_key, second, report, suggested, station)  # fmt: skip
    except BaseException:
        # The signature is personal data: no file may outlive a handover that did not happen.
        if not await Handover.exists().where(Handover.signature_key == signature_key):
            await asyncio.to_thread(media_store().delete, signature_key)
        raise
    return ref


async def _record(
    actor: Actor, found: Situation, data: HandoverInput, result: IdResult, owner_name: str, proxy_name: str,
    proxy_number: str, described: list[int], note: str, signature_key: str, second: StaffMember | None,
    report: dict[str, Any] | None, suggested: dict[str, Any] | None, station: dict[str, Any],
) -> str:  # fmt: skip
    """The rows of a handover; inside its transaction."""
    item, key = found.item, vault()
    number = ids.normalise_id_number(data.id_number)
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    # The conditional update comes first and locks the row: two desks cannot both hand it over.
    moved = await (
        FoundItem.update({FoundItem.status: ItemStatus.RETURNED.value, FoundItem.updated_at: now})
        .where((FoundItem.id == item["id"]) & FoundItem.status.is_in(list(HANDABLE)))
        .returning(FoundItem.id)
    )
    if not moved:
        raise Conflict(N_("This item was handed over or moved meanwhile."))
    # A disposal proposed for an unclaimed item is moot once its owner has it back.
    await Disposal.update(
        {Disposal.status: DisposalStatus.REFUSED.value, Disposal.decision_note: "returned to the owner"}
    ).where((Disposal.item == item["id"]) & (Disposal.status == DisposalStatus.PROPOSED.value))
    seq = await references.next_number(f"HO:{station['code']}:{year}")
    ref = rules.handover_reference(station["code"], year, seq)
    wants_news = bool(item["finder_wants_news"] and item.get("finder_phone_masked"))
    await Handover.insert(
        Handover(
            reference=ref,
            item=item["id"],
            report=report["id"] if report else None,
            station=station["id"],
            year=year,
            seq=seq,
            owner_name=owner_name,
            owner_id_enc=key.encrypt(number, HANDOVER_ID_COLUMN),
            owner_id_masked=ids.mask_id(number),
            owner_id_hash=key.keyed_hash(HASH_ID, number),
            id_check=result.outcome.value,
            proxy_name=proxy_name,
            proxy_id_enc=key.encrypt(proxy_number, PROXY_ID_COLUMN) if proxy_number else "",
            proxy_id_masked=ids.mask_id(proxy_number) if proxy_number else "",
            authorisation_seen=data.authorisation_seen if data.proxy else False,
            contents_total=len(item["contents"]),
            contents_described=json.dumps(described),
            item_described=data.item_described,
            note=note,
            signature_key=signature_key,
            officer=actor.user_id,
            officer_name=actor.username,
            second_officer=second.id if second else None,
            second_officer_name=second.username if second else "",
            verification_code=readable_code(12),
            finder_notified=wants_news,
            handed_over_at=now,
        )
    )
    await record_custody(
        item["id"], actor, CustodyKind.HANDED_OVER, "", handover=ref,
        second_officer=second.username if second else "", proxy=bool(proxy_name),
    )  # fmt: skip
    if suggested is not None:  # handed over straight from a suggestion: the handover confirms it
        await Match.update(
            {
                Match.state: "confirmed",
                Match.decided_by: actor.user_id,
                Match.decided_at: now,
                Match.note: ref,
            }
        ).where(Match.id == suggested["match_id"])
    await matching.drop_suggestions(item["id"], report["id"] if report else None)
    if report is not None:
        await LostReport.update(
            {
                LostReport.status: ReportStatus.RETURNED.value,
                LostReport.updated_at: now,
                LostReport.closed_at: now,
            }
        ).where(LostReport.id == report["id"])
    if wants_news:
        full = await FoundItem.select(FoundItem.finder_phone_enc).where(FoundItem.id == item["id"]).first()
        await notifications.queue_for_finder({**item, **full}, station, get_settings())
    await deeds.propose_for_return(actor, item, station["id"])
    detail = {
        "item": item["reference"],
        "id_check": result.outcome.value,
        "proxy": bool(proxy_name),
        "second_officer": second.username if second else "",
        "report": report["reference"] if report else "",
    }
    await audit.record(actor, "handover.complete", "handover", ref, detail)
    return ref


async def get_handover(reference: str, actor: Actor) -> dict[str, Any]:
    """A handover for the officers of the item's station: it names the owner."""
    row = await (
        Handover.select(
            Handover.all_columns(exclude=[Handover.owner_id_enc, Handover.proxy_id_enc]),
            Handover.item.reference.as_alias("item_reference"),
            Handover.report.reference.as_alias("report_reference"),
            Handover.officer.display_name.as_alias("officer_display"),
            Handover.second_officer.display_name.as_alias("second_officer_display"),
        )
        .where(Handover.reference == reference.strip().upper()[:24])
        .first()
    )
    if row is None:
        raise NotFound(N_("No handover has the number %(reference)s."), reference=reference[:24])
    raw = row["contents_described"]
    row["contents_described"] = json.loads(raw) if isinstance(raw, str) else raw
    row["item"] = await found_items.get_item(row["item_reference"])
    if not actor.acts_for(row["item"]["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may see its handover."))
    return row


async def handover_of_item(item_id: int) -> str | None:
    row = await Handover.select(Handover.reference).where(Handover.item == item_id).first()
    return row["reference"] if row else None


async def signature_file(actor: Actor, reference: str) -> bytes:
    row = await get_handover(reference, actor)
    return await asyncio.to_thread(media_store().read, row["signature_key"])


# --- failed checks, for the supervisor -------------------------------------------------------


async def failed_checks(station_code: str | None, state: str = "open") -> list[dict[str, Any]]:
    query = FailedCheck.select(
        FailedCheck.all_columns(exclude=[FailedCheck.claimant_id_hash]),
        FailedCheck.item.reference.as_alias("item_reference"),
        FailedCheck.item.category.as_alias("item_category"),
        FailedCheck.actor.display_name.as_alias("actor_display"),
        FailedCheck.reviewed_by.display_name.as_alias("reviewer_display"),
    ).where(FailedCheck.state == state)
    if station_code is not None:
        query = query.where(FailedCheck.item.station.code == station_code)
    return await query.order_by(FailedCheck.at, ascending=False).limit(200)


async def failed_checks_of_item(item_id: int) -> list[dict[str, Any]]:
    return await (
        FailedCheck.select(FailedCheck.all_columns(exclude=[FailedCheck.claimant_id_hash]))
        .where(FailedCheck.item == item_id)
        .order_by(FailedCheck.at, ascending=False)
    )


async def review_failed_check(actor: Actor, check_id: int, note: str = "") -> None:
    row = await (
        FailedCheck.select(
            FailedCheck.id,
            FailedCheck.state,
            FailedCheck.item.reference.as_alias("ref"),
            FailedCheck.item.station.code.as_alias("station"),
        )
        .where(FailedCheck.id == check_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("No such failed check."))
    if not actor.acts_for(row["station"]):
        raise Forbidden(N_("Only the supervisor of the item's station may review this."))
    if row["state"] != rules.FailedCheckState.OPEN:
        raise Conflict(N_("This was already reviewed."))
    async with write_transaction():
        await FailedCheck.update(
            {
                FailedCheck.state: rules.FailedCheckState.REVIEWED.value,
                FailedCheck.reviewed_by: actor.user_id,
                FailedCheck.reviewed_at: datetime.now(UTC),
                FailedCheck.review_note: note.strip()[:500],
            }
        ).where(FailedCheck.id == check_id)
        await audit.record(actor, "handover.check_reviewed", "found_item", row["ref"], {"check": check_id})
