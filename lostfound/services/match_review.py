"""Officers review suggested matches: compare side by side, confirm or reject. Audited.

Confirming marks the item ``owner_found`` and the report ``matched``, drops the other
suggestions of both, and queues the owner's message saying where to collect and what to bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lostfound.domain.disposal import DisposalStatus
from lostfound.domain.found_items import CustodyKind, ItemStatus
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import ReportStatus
from lostfound.domain.notifications import MessageKind
from lostfound.services import audit, fast_reads, found_items, lost_reports, matching, notifications
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Conflict, Forbidden, NotFound
from lostfound.services.transactions import write_transaction
from lostfound.settings import get_settings
from lostfound.tables import Disposal, FoundItem, LostReport, Match, Station, Transfer

PAGE_SIZE = 30
# A suggestion goes when its item or report is matched to another, withdrawn, erased or changed.
_GONE = N_(
    "This suggestion is no longer there: the item or the report was matched, closed or changed meanwhile."
)


@dataclass(frozen=True)
class Queue:
    matches: list[dict[str, Any]]
    page: int
    has_next: bool


async def queue(station_code: str | None, decision: str = "", page: int = 1) -> Queue:
    """Open suggestions for items of ``station_code`` (every station for None), auto first, best first."""
    query = Match.select(
        Match.id,
        Match.score,
        Match.decision,
        Match.reasons,
        Match.created_at,
        Match.item.reference.as_alias("item_reference"),
        Match.item.category.as_alias("item_category"),
        Match.item.found_at.as_alias("found_at"),
        Match.item.status.as_alias("item_status"),
        Match.report.reference.as_alias("report_reference"),
        Match.report.category.as_alias("report_category"),
        Match.report.created_at.as_alias("reported_at"),
    ).where(Match.state == "suggested")
    if station_code is not None:
        # The station receiving an item sees its suggestions on the way: it decides once the item is in.
        on_the_way = Transfer.select(Transfer.item).where(
            (Transfer.status == "in_transit") & (Transfer.to_station.code == station_code)
        )
        query = query.where((Match.item.station.code == station_code) | Match.item.is_in(on_the_way))
    if decision in ("auto", "review"):
        query = query.where(Match.decision == decision)
    rows = await (
        query.order_by(Match.decision)  # "auto" sorts before "review"
        .order_by(Match.score, ascending=False)
        .order_by(Match.id)  # equal scores in one order, or a page repeats what another skips
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    for row in rows:
        row["reasons"] = matching.stored_reasons(row["reasons"])
    return Queue(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


async def get_pair(match_id: int) -> dict[str, Any]:
    """One match with both sides as officers see them (numbers masked)."""
    row = (
        await Match.select(
            Match.all_columns(),
            Match.item.reference.as_alias("item_reference"),
            Match.report.reference.as_alias("report_reference"),
            Match.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where(Match.id == match_id)
        .first()
    )
    if row is None:
        raise NotFound(_GONE)
    row["reasons"] = matching.stored_reasons(row["reasons"])
    row["item"] = await found_items.get_item(row["item_reference"])
    row["report"] = await lost_reports.get_report(row["report_reference"])
    return row


async def receiving_station(item_id: int) -> str | None:
    """The code of the station an item is on its way to, if it is on its way."""
    row = await (
        Transfer.select(Transfer.to_station.code.as_alias("code"))
        .where((Transfer.item == item_id) & (Transfer.status == "in_transit"))
        .first()
    )
    return row["code"] if row else None


async def _open_match(actor: Actor, match_id: int) -> dict[str, Any]:
    pair = await get_pair(match_id)
    if not actor.acts_for(pair["item"]["station_code"]):
        raise Forbidden(N_("Only officers of the station holding the item may decide on this match."))
    if pair["state"] != "suggested":
        raise Conflict(N_("This match was already decided."))
    return pair


async def confirm(actor: Actor, match_id: int, note: str = "") -> dict[str, Any]:
    pair = await _open_match(actor, match_id)
    item, report = pair["item"], pair["report"]
    now = datetime.now(UTC)
    async with write_transaction():
        # What the page showed may be out of date: another desk, or the same form sent twice, may
        # have decided meanwhile. Checked again with the rows locked, one of two confirmations
        # goes through and the other is told why not.
        item_status, report_status = await _locked_statuses(item["id"], report["id"])
        state = await _state(match_id)
        if state not in (None, "suggested"):
            raise Conflict(N_("This match was already decided."))
        # An owner already confirmed (the item may have run out its claim period since) keeps it.
        for side, record_id in (("item", item["id"]), ("report", report["id"])):
            if owner := await _confirmed_with(side, record_id):
                raise Conflict(_ALREADY_MATCHED[side], reference=owner)
        if item_status == ItemStatus.TRANSFERRED:
            raise Conflict(N_("The item is on its way to another station: the station receiving it decides."))
        if (
            item_status not in matching.OPEN_ITEM_STATUSES
            or report_status not in matching.OPEN_REPORT_STATUSES
        ):
            raise Conflict(N_("The item or the report is no longer open."))
        if state is None:  # dropped by a change to either side
            raise NotFound(_GONE)
        await _record_decision(match_id, "confirmed", actor, note)
        await matching.drop_suggestions(item["id"], report["id"])
        await FoundItem.update(
            {FoundItem.status: ItemStatus.OWNER_FOUND.value, FoundItem.updated_at: now}
        ).where(FoundItem.id == item["id"])
        # A disposal proposed for an unclaimed item is moot once its owner is found: the item waits
        # for them now, and no supervisor may approve it.
        await Disposal.update(
            {
                Disposal.status: DisposalStatus.REFUSED.value,
                Disposal.decided_by: actor.user_id,
                Disposal.decided_by_name: actor.username,
                Disposal.decided_at: now,
                Disposal.decision_note: f"owner confirmed: {report['reference']}",
            }
        ).where((Disposal.item == item["id"]) & (Disposal.status == DisposalStatus.PROPOSED.value))
        await record_custody(
            item["id"], actor, CustodyKind.STATUS_CHANGED, item["storage_location"],
            status=ItemStatus.OWNER_FOUND.value, report=report["reference"],
        )  # fmt: skip
        await LostReport.update(
            {LostReport.status: ReportStatus.MATCHED.value, LostReport.updated_at: now}
        ).where(LostReport.id == report["id"])
        station = await Station.select().where(Station.code == item["station_code"]).first()
        owner = await LostReport.select().where(LostReport.id == report["id"]).first()
        await notifications.queue_for_report(owner, MessageKind.MATCH_FOUND, get_settings(), station=station)
        detail = {"report": report["reference"], "score": pair["score"], "decision": pair["decision"]}
        await audit.record(actor, "match.confirm", "found_item", item["reference"], _noted(detail, note))
        await audit.record(
            actor, "lost_report.match", "lost_report", report["reference"], {"station": station["code"]}
        )
    return pair


async def reject(actor: Actor, match_id: int, note: str = "") -> dict[str, Any]:
    pair = await _open_match(actor, match_id)
    async with write_transaction():
        # Locked in the order a confirmation locks them, so that the two cannot wait on each other.
        await _locked_statuses(pair["item"]["id"], pair["report"]["id"])
        state = await _state(match_id)
        if state is None:  # dropped: either side was matched or changed meanwhile
            raise NotFound(_GONE)
        if state != "suggested":
            raise Conflict(N_("This match was already decided."))
        await _record_decision(match_id, "rejected", actor, note)
        await audit.record(
            actor,
            "match.reject",
            "found_item",
            pair["item_reference"],
            _noted({"report": pair["report_reference"], "score": pair["score"]}, note),
        )
        # With this pair gone, another suggestion of the item or the report may now stand out.
        await matching.rebalance("item", [pair["item"]["id"]])
        await matching.rebalance("report", [pair["report"]["id"]])
    return pair


async def undo(actor: Actor, match_id: int, note: str) -> dict[str, Any]:
    """Take back a confirmation before the handover: the item was not the owner's after all.

    The pair becomes rejected, the item is back in the station's care (or unclaimed, its claim
    period over), the report open again, and its owner is told not to come. Both sides are matched
    again, so the real owner's report can be suggested."""
    pair = await get_pair(match_id)
    item, report = pair["item"], pair["report"]
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the station holding the item may decide on this match."))
    if not note.strip():
        raise Conflict(N_("Say why the confirmation is taken back: it goes into the audit log."))
    now = datetime.now(UTC)
    async with write_transaction():
        item_status, report_status = await _locked_statuses(item["id"], report["id"])
        if await _state(match_id) != "confirmed":
            raise Conflict(N_("Only a confirmed match can be taken back."))
        if item_status != ItemStatus.OWNER_FOUND or report_status != ReportStatus.MATCHED:
            raise Conflict(N_("The item was handed over or has moved on: the confirmation stands."))
        await _record_decision(match_id, "rejected", actor, note)
        deadline = item["claim_deadline"]
        back_to = ItemStatus.UNCLAIMED if deadline is not None and deadline <= now else ItemStatus.IN_CUSTODY
        # Both are matched again below; until then the hourly pass would (``matching.match_overdue``).
        await FoundItem.update(
            {FoundItem.status: back_to.value, FoundItem.updated_at: now, FoundItem.matched_at: None}
        ).where(FoundItem.id == item["id"])
        await record_custody(
            item["id"], actor, CustodyKind.STATUS_CHANGED, item["storage_location"], status=back_to.value
        )
        await LostReport.update(
            {
                LostReport.status: ReportStatus.OPEN.value,
                LostReport.updated_at: now,
                LostReport.matched_at: None,
            }
        ).where(LostReport.id == report["id"])
        station = await Station.select().where(Station.code == item["station_code"]).first()
        owner = await LostReport.select().where(LostReport.id == report["id"]).first()
        await notifications.queue_for_report(
            owner, MessageKind.MATCH_WITHDRAWN, get_settings(), station=station
        )
        detail = {"report": report["reference"], "note": note[:500]}
        await audit.record(actor, "match.undo", "found_item", item["reference"], detail)
    # Outside the decision's transaction, as after any save: a failure is logged, the decision stands.
    await matching.refresh_item(item["id"])
    await matching.refresh_report(report["id"])
    return pair


async def _record_decision(match_id: int, state: str, actor: Actor, note: str) -> None:
    """The officer's decision on the pair itself: its state, who, when and why."""
    await Match.update(
        {
            Match.state: state,
            Match.decided_by: actor.user_id,
            Match.decided_at: datetime.now(UTC),
            Match.note: note[:500],
        }
    ).where(Match.id == match_id)


def _noted(detail: dict[str, Any], note: str) -> dict[str, Any]:
    """The audit detail of a decision, with the officer's note when there is one."""
    return {**detail, "note": note[:500]} if note.strip() else detail


async def _locked_statuses(item_id: int, report_id: int) -> tuple[str, str]:
    """The item's and the report's status as they stand, their rows locked until the transaction ends.

    Item first, then report, in every decision. On SQLite the write transaction already holds the
    whole database."""
    item_query = FoundItem.select(FoundItem.status).where(FoundItem.id == item_id)
    report_query = LostReport.select(LostReport.status).where(LostReport.id == report_id)
    if fast_reads.on_postgres():
        # NO KEY UPDATE, not UPDATE: a save of either side adding its suggestions meanwhile only
        # needs a key-share lock on these rows, which this one lets it have (no deadlock).
        item_query = item_query.lock_rows("NO KEY UPDATE")
        report_query = report_query.lock_rows("NO KEY UPDATE")
    item_row, report_row = await item_query.first(), await report_query.first()
    if item_row is None or report_row is None:  # erased meanwhile
        raise NotFound(_GONE)
    return item_row["status"], report_row["status"]


async def _state(match_id: int) -> str | None:
    row = await Match.select(Match.state).where(Match.id == match_id).first()
    return row["state"] if row else None


_ALREADY_MATCHED: dict[str, str] = {
    "item": N_("This item is already matched, to %(reference)s."),
    "report": N_("This report is already matched, to %(reference)s."),
}


async def _confirmed_with(side: matching.Side, record_id: int) -> str | None:
    """The reference of the record confirmed as the other half of ``side``'s record, if any."""
    own, other = (Match.item, Match.report) if side == "item" else (Match.report, Match.item)
    row = (
        await Match.select(other.reference.as_alias("reference"))
        .where((own == record_id) & (Match.state == "confirmed"))
        .first()
    )
    return row["reference"] if row else None


async def pickup_station(report_id: int) -> dict[str, Any] | None:
    """Where the owner collects: the station holding the item of the confirmed match."""
    row = (
        await Match.select(Match.item.station.id.as_alias("station"))
        .where((Match.report == report_id) & (Match.state == "confirmed"))
        .first()
    )
    if row is None:
        return None
    return await Station.select().where(Station.id == row["station"]).first()
