"""Bulk import of found items and lost reports migrated from other systems.

Each record goes through the same validation as the API. A bad record is reported with its
line number and skipped; a number that fails only its check character is kept as printed
(matching repairs it). Good records are written a batch at a time, gap-free references
reserved per batch, then matched in bulk.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.crypto import readable_code
from lostfound.domain.found_items import CustodyKind, ItemStatus, reference
from lostfound.domain.lost_reports import Channel, ReportStatus, report_reference
from lostfound.domain.notifications import MessageKind
from lostfound.pii import vault
from lostfound.services import audit, found_items, lost_reports, matching, notifications, references
from lostfound.services.bulk_sql import insert_rows
from lostfound.services.context import Actor
from lostfound.services.errors import ServiceError
from lostfound.services.found_items import FoundItemInput, InvalidItem
from lostfound.services.lost_reports import CLAIM_HASH_KIND, LostReportInput
from lostfound.services.stations import get_station
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, get_settings
from lostfound.tables import CustodyEvent, FoundItem, ItemContent, LostReport, ReportContent

_TZ = ZoneInfo(TIMEZONE)
BATCH = 2000


@dataclass
class ImportResult:
    imported: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)
    mapping: list[tuple[str, str]] = field(default_factory=list)  # (external_ref, reference)


def problem_text(exc: ServiceError) -> str:
    """An English one-line account of a refusal, for the operator's console."""
    if isinstance(exc, InvalidItem):
        parts = []
        for name, (message, params) in exc.problems.items.items():
            parts.append(f"{name}: {message % params if params else message}")
        return "; ".join(parts)
    return exc.message % exc.params if exc.params else exc.message


async def import_found_items(
    entries: Iterable[tuple[int, FoundItemInput | str]], progress: Callable[[int], None] = lambda n: None
) -> ImportResult:
    """``entries``: (line number, parsed input or the reason it could not be parsed)."""
    return await _run(entries, progress, _prepare_item, _write_items, "item")


async def import_lost_reports(
    entries: Iterable[tuple[int, LostReportInput | str]],
    progress: Callable[[int], None] = lambda n: None,
    notify: bool = False,
) -> ImportResult:
    async def write(batch: list[tuple[int, Any]], result: ImportResult) -> list[int]:
        return await _write_reports(batch, result, notify)

    return await _run(entries, progress, _prepare_report, write, "report")


async def _run(entries, progress, prepare, write, side) -> ImportResult:  # type: ignore[no-untyped-def]
    result = ImportResult()
    batch: list[tuple[int, Any]] = []
    now = datetime.now(UTC)
    stations: dict[str, dict] = {}
    # One batch is written and matched while the next is validated: the database works in its
    # own thread, so the two overlap.
    writing: asyncio.Task | None = None
    for count, (line, entry) in enumerate(entries, 1):
        if count % 64 == 0:
            await asyncio.sleep(0)  # let the batch being written move on
        if isinstance(entry, str):
            result.bad.append((line, entry))
            continue
        try:
            batch.append((line, await prepare(entry, now, stations)))
        except ServiceError as exc:
            result.bad.append((line, problem_text(exc)))
        if len(batch) >= BATCH:
            if writing is not None:
                await writing
            writing = asyncio.create_task(_flush(batch, result, write, side, progress))
            batch = []
    if writing is not None:
        await writing
    if batch:
        await _flush(batch, result, write, side, progress)
    return result


async def _flush(batch, result, write, side, progress) -> None:  # type: ignore[no-untyped-def]
    record_ids = await write(batch, result)
    await matching.refresh_many(side, record_ids)
    result.imported += len(record_ids)
    progress(len(batch))


# --- found items ----------------------------------------------------------------------------


async def _prepare_item(data: FoundItemInput, now: datetime, stations: dict[str, dict]) -> dict[str, Any]:
    code = data.station.strip().upper()
    if code not in stations:
        stations[code] = await get_station(code)  # NotFound for an unknown station: a bad line
    data = dataclasses.replace(
        data, contents=[dataclasses.replace(c, as_printed=True) for c in data.contents]
    )
    values, rows = found_items.validated(data, now)
    return {"station": stations[code], "values": values, "rows": rows}


async def _write_items(batch: list[tuple[int, dict[str, Any]]], result: ImportResult) -> list[int]:
    actor = Actor.system("import")
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    async with write_transaction():
        by_station: dict[str, list[dict[str, Any]]] = {}
        for _, prepared in batch:
            by_station.setdefault(prepared["station"]["code"], []).append(prepared)
        records: list[tuple[str, dict[str, Any]]] = []
        for code, group in by_station.items():
            first = await references.reserve(f"FI:{code}:{year}", len(group))
            for offset, prepared in enumerate(group):
                records.append((reference(code, year, first + offset), prepared))
        await insert_rows(
            FoundItem,
            [
                {
                    **prepared["values"],
                    "reference": ref,
                    "station": prepared["station"]["id"],
                    "year": year,
                    "seq": int(ref.rsplit("-", 1)[1]),
                    "status": ItemStatus.IN_CUSTODY.value,
                    "verification_code": readable_code(),
                    "search_text": found_items.search_text_for(prepared["values"], ref, prepared["rows"]),
                    "created_at": now,
                    "updated_at": now,
                }
                for ref, prepared in records
            ],
        )
        ids = await _ids(FoundItem, [ref for ref, _ in records])
        await insert_rows(
            ItemContent, [{**row, "item": ids[ref]} for ref, prepared in records for row in prepared["rows"]]
        )
        detail = json.dumps({"imported": True})
        await insert_rows(
            CustodyEvent,
            [
                {
                    "item": ids[ref],
                    "actor_name": actor.username,
                    "kind": CustodyKind.RECEIVED.value,
                    "location": prepared["values"]["storage_location"],
                    "detail": detail,
                    "at": now,
                }
                for ref, prepared in records
            ],
        )
        await audit.record(
            actor,
            "found_item.import",
            "found_item",
            records[0][0],
            {"count": len(records), "last": records[-1][0]},
        )
    result.mapping += [(prepared["values"]["external_ref"], ref) for ref, prepared in records]
    return [ids[ref] for ref, _ in records]


async def _ids(table: Any, refs: list[str]) -> dict[str, int]:
    rows = await table.select(table.id, table.reference).where(table.reference.is_in(refs))
    return {row["reference"]: row["id"] for row in rows}


# --- lost reports -----------------------------------------------------------------------------


async def _prepare_report(data: LostReportInput, now: datetime, _: dict[str, dict]) -> dict[str, Any]:
    # Owners of migrated records gave their consent to the system they reported to.
    values, rows = lost_reports.validated(dataclasses.replace(data, consent=True), now, as_printed=True)
    return {"values": values, "rows": rows, "locale": data.locale}


async def _write_reports(
    batch: list[tuple[int, dict[str, Any]]], result: ImportResult, notify: bool
) -> list[int]:
    actor = Actor.system("import")
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    codes = [readable_code(12) for _ in batch]
    async with write_transaction():
        first = await references.reserve(f"LR:{year}", len(batch))
        records = [(report_reference(year, first + i), prepared) for i, (_, prepared) in enumerate(batch)]
        await insert_rows(
            LostReport,
            [
                {
                    **prepared["values"],
                    "reference": ref,
                    "year": year,
                    "seq": first + i,
                    "claim_code_hash": vault().keyed_hash(CLAIM_HASH_KIND, codes[i]),
                    "channel": Channel.IMPORT.value,
                    "status": ReportStatus.OPEN.value,
                    "locale": prepared["locale"],
                    "created_at": now,
                    "updated_at": now,
                    "consent_at": now,
                }
                for i, (ref, prepared) in enumerate(records)
            ],
        )
        ids = await _ids(LostReport, [ref for ref, _ in records])
        await insert_rows(
            ReportContent,
            [{**row, "report": ids[ref]} for ref, prepared in records for row in prepared["rows"]],
        )
        if notify:  # each owner gets the usual confirmation with their new claim code
            stored = {
                row["id"]: row
                for row in await LostReport.select().where(LostReport.id.is_in(list(ids.values())))
            }
            for i, (ref, _) in enumerate(records):
                await notifications.queue_for_report(
                    stored[ids[ref]],
                    MessageKind.REPORT_FILED,
                    get_settings(),
                    secret=codes[i],
                    claim_code=codes[i],
                )
        await audit.record(
            actor,
            "lost_report.import",
            "lost_report",
            records[0][0],
            {"count": len(records), "last": records[-1][0]},
        )
    result.mapping += [(prepared["values"]["external_ref"], ref) for ref, prepared in records]
    return [ids[ref] for ref, _ in records]
