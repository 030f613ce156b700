"""Bulk import of found items and lost reports migrated from other systems.

Each record goes through the same validation as the API. A bad record is reported with its
line number and skipped; a number that fails only its check character is kept as printed
(matching repairs it). Good records are written a batch at a time, gap-free references
reserved per batch, then matched in bulk.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.crypto import readable_code
from lostfound.database import close_pool, open_pool
from lostfound.domain.accounts import normalise_station_code, station_code_problem
from lostfound.domain.found_items import CustodyKind, ItemStatus, reference
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import Channel, ReportStatus, report_reference
from lostfound.domain.matching import Decided, KeyKind, MatchFacts
from lostfound.domain.notifications import MessageKind
from lostfound.pii import vault
from lostfound.services import (
    audit,
    fast_reads,
    found_items,
    lost_reports,
    matching,
    notifications,
    references,
)
from lostfound.services.bulk_sql import column_defaults, insert_rows, insert_tuples
from lostfound.services.context import Actor
from lostfound.services.errors import NotFound, ServiceError
from lostfound.services.found_items import FoundItemInput, InvalidItem
from lostfound.services.lost_reports import CLAIM_HASH_KIND, LostReportInput
from lostfound.services.matching import Side
from lostfound.services.stations import list_stations
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, get_settings
from lostfound.tables import CustodyEvent, FoundItem, ItemContent, LostReport, ReportContent

_TZ = ZoneInfo(TIMEZONE)
# Records per transaction at most. Each batch rewrites the key-index pages it touches, and at a
# million reports nearly every page is touched: bigger batches write each page for more keys.
# Batches are written as soon as the one before is done, so a small import still flows.
BATCH = 50_000


@dataclass
class ImportResult:
    imported: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)
    mapping: list[tuple[str, str]] = field(default_factory=list)  # (external_ref, reference)


@dataclass
class Prepared:
    """One good record, ready to write: column values, content rows and its matching keys."""

    line: int
    values: dict[str, Any]
    rows: list[dict[str, Any]]
    keys: bytes  # its matching keys, packed as the record lists them (``matching.pack_keys``)
    station: dict[str, Any] | None = None  # found items
    # Lost reports: the row as the worker laid it out (``_report_columns``), values then holding
    # only the external reference, and the owner's claim code for ``--notify``.
    row: tuple[Any, ...] = ()
    claim_code: str = ""
    # Found items prepared in a worker: their candidates, scored there (``_match_in_worker``).
    decided: list[Decided] | None = None
    facts: MatchFacts | None = None  # while it is prepared; never sent between processes

    def __reduce__(self) -> tuple:
        # Batches come back from worker processes: a tuple pickles several times faster than a
        # dataclass, and the keys travel packed in one bytes object.
        return (
            Prepared,
            (
                self.line,
                self.values,
                self.rows,
                self.keys,
                self.station,
                self.row,
                self.claim_code,
                self.decided,
            ),
        )

    def key_pairs(self) -> list[tuple[int, KeyKind]]:
        return matching.unpack_keys(self.keys)  # type: ignore[return-value]


Entry = tuple[int, Any]  # (line number, parsed input, the reason it could not be parsed, or a raw line)
Parse = Callable[[str], Any]  # a raw line to a service input; raises ValueError for a bad line
Writer = Callable[[list[Prepared], ImportResult], Awaitable[list[int]]]
Batch = tuple[list[Prepared], list[tuple[int, str]]]

# Records per job for a worker process: small enough that the workers keep preparing while the
# main process writes a batch of BATCH records.
JOB = 1000
# How far before an import's start a report's last save may lie and still be looked at again when
# the import ends (see ``_catch_up_reports``): a save committed a moment after it was stamped.
SAVE_SLACK = timedelta(seconds=30)
AHEAD = BATCH // JOB  # jobs queued for the workers: at most one batch waits in memory


def problem_text(exc: ServiceError) -> str:
    """An English one-line account of a refusal, for the operator's console."""
    if isinstance(exc, InvalidItem):
        parts = []
        for name, (message, params) in exc.problems.items.items():
            parts.append(f"{name}: {message % params if params else message}")
        return "; ".join(parts)
    return exc.message % exc.params if exc.params else exc.message


def default_workers() -> int:
    """Worker processes for a large import: every core but the one that drives the database."""
    return max(1, min(4, (os.cpu_count() or 1) - 1))


def workers_for(total: int) -> int:
    """Worker processes for a file of ``total`` records: none for a small one, as starting a
    process (about a second) costs more than it saves there."""
    return default_workers() if total > 5 * JOB else 0


async def import_found_items(
    entries: Iterable[Entry],
    progress: Callable[[int], None] = lambda n: None,
    workers: int = 0,
    parse: Parse | None = None,
) -> ImportResult:
    """``entries``: (line number, input); with ``parse``, the inputs are raw lines parsed in the workers."""
    return await _run("item", entries, progress, _write_items, workers, parse)


async def import_lost_reports(
    entries: Iterable[Entry],
    progress: Callable[[int], None] = lambda n: None,
    notify: bool = False,
    workers: int = 0,
    parse: Parse | None = None,
) -> ImportResult:
    async def write(batch: list[Prepared], result: ImportResult) -> list[int]:
        return await _write_reports(batch, result, notify)

    return await _run("report", entries, progress, write, workers, parse)


async def _run(
    side: Side,
    entries: Iterable[Entry],
    progress: Callable[[int], None],
    write: Writer,
    workers: int,
    parse: Parse | None,
) -> ImportResult:
    """Parse, validate, write and match, up to BATCH records to a transaction.

    With ``workers``, parsing, validation, encryption and matching keys (pure CPU) run in that
    many processes, JOB records at a time, while this process writes and matches the batches
    before: the database never waits for the next batch, and the workers never wait for a write.
    """
    result = ImportResult()
    now = datetime.now(UTC)
    vault()  # keys exist (or are made) before any worker process looks for them
    stations = await _stations() if side == "item" else {}
    loop = asyncio.get_running_loop()
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet_gc)
        if workers
        else None
    )
    pending: deque[asyncio.Future[Batch]] = deque()  # jobs in file order, done or not
    ready: Batch = ([], [])
    chunks = _batches(entries, JOB)
    collector_was_on = gc.isenabled()
    # Starting a worker takes about half a second: until the workers are up (their first task is
    # done), they get only their first jobs and this process prepares the ones after, where it
    # would otherwise wait with nothing to write.
    ready_workers = [loop.run_in_executor(pool, _worker_up) for _ in range(workers)] if pool else []
    starting = pool is not None

    def start(chunk: list[Entry], here: bool) -> None:
        # A worker also scores a found item's candidates; this process does that as it writes.
        job = functools.partial(prepare_batch, side, chunk, now, stations, parse, match=not here)
        if here:
            pending.append(loop.create_future())
            pending[-1].set_result(job())
        else:
            assert pool is not None
            pending.append(loop.run_in_executor(pool, job))

    # Every prepared record lives until its batch is written, and none holds a cycle: the cyclic
    # collector would only walk them again and again (a third of the time of an import).
    gc.disable()
    try:
        while True:
            handed = workers if starting else AHEAD
            while len(pending) < min(handed, AHEAD) and (chunk := next(chunks, None)) is not None:
                start(chunk, here=pool is None)
            if not pending:
                break
            starting = starting and not all(up.done() for up in ready_workers)
            if starting and len(pending) < AHEAD and (chunk := next(chunks, None)) is not None:
                start(chunk, here=True)
                await asyncio.sleep(0)  # lets a worker's finished job be seen
                continue
            if pending[0].done() or not (ready[0] or ready[1]):
                job_done = await pending.popleft()
                ready[0].extend(job_done[0])
                ready[1].extend(job_done[1])
                if len(ready[0]) < BATCH:
                    continue
            # A full batch, or the workers are still busy: write what is ready rather than wait,
            # so batches grow to what the workers prepare while one is written.
            await _flush(ready, result, write, side, progress)
            ready = ([], [])
        await _flush(ready, result, write, side, progress)
        if side == "item" and pool is not None and result.imported:
            await _catch_up_reports(now - SAVE_SLACK)
    finally:
        if collector_was_on:
            gc.enable()
        if pool is not None:
            # Every job is done; a worker's exit takes a few tenths of a second that nothing waits for.
            pool.shutdown(wait=False, cancel_futures=True)
    result.bad.sort()
    if result.imported and fast_reads.on_postgres():
        # Fresh planner statistics: without them PostgreSQL guessed a key lookup touches 5% of a
        # freshly loaded key table and scanned all of it, taking seconds a lookup at a million reports.
        # VACUUM marks the new pages all-visible, so counting a key's rows reads the index alone.
        await FoundItem._meta.db.run_ddl("VACUUM (ANALYZE)")
    elif result.imported:
        # The import's pages go into the database file now, not bit by bit later: until then every
        # read looks for its pages in a write-ahead log of hundreds of megabytes (lookups at a
        # million reports took half as long again).
        await FoundItem._meta.db.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
    return result


async def _catch_up_reports(since: datetime) -> None:
    """Match again the open reports filed or edited since ``since``.

    A worker looks up a found item's reports before the item is written: a report saved between the
    two met neither the item (its lookup ran before the item's keys were there) nor the item's
    lookup. Reports saved during an import are few; looking at them again closes that gap.
    """
    rows = await LostReport.select(LostReport.id).where(
        (LostReport.updated_at >= since) & LostReport.status.is_in(list(matching.OPEN_REPORT_STATUSES))
    )
    if rows:
        await matching.refresh_many("report", [row["id"] for row in rows])


def _quiet_gc() -> None:
    gc.disable()  # in a worker too: a job's records are freed by reference counting when it is sent


def _batches(entries: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _stations() -> dict[str, dict[str, Any]]:
    """Every station by code: found items name theirs."""
    return {row["code"]: row for row in await list_stations()}


def _station(code: str, stations: dict[str, dict[str, Any]]) -> dict[str, Any] | str:
    """The station a found item names, or why the code is refused (as ``get_station`` says it)."""
    normalised = normalise_station_code(code)
    if normalised in stations and not station_code_problem(normalised):
        return stations[normalised]
    return problem_text(NotFound(N_("No station has the code %(code)s."), code=normalised[:8]))


def prepare_batch(
    side: Side,
    chunk: list[Entry],
    now: datetime,
    stations: dict[str, dict[str, Any]],
    parse: Parse | None = None,
    match: bool = False,
) -> Batch:
    """The CPU work of a job: runs in a worker process for large imports. It writes nothing; with
    ``match`` (in a worker), found items get their candidates, read from the database and scored."""
    good: list[Prepared] = []
    bad: list[tuple[int, str]] = []
    for line, entry in chunk:
        if parse is not None:
            try:
                entry = parse(entry)
            except ValueError as exc:
                bad.append((line, f"not a valid record: {exc}"))
                continue
        if isinstance(entry, str):
            bad.append((line, entry))
            continue
        try:
            prepared = (
                _prepare_item(line, entry, now, stations)
                if side == "item"
                else _prepare_report(line, entry, now)
            )
        except ServiceError as exc:
            bad.append((line, problem_text(exc)))
            continue
        if isinstance(prepared, str):
            bad.append((line, prepared))
        else:
            good.append(prepared)
    if match and side == "item" and good:
        _match_in_worker(good)
    for prepared in good:
        prepared.facts = None  # an inline job's records wait for their batch: no need to hold these
    return good, bad


def _worker_up() -> None:
    """A worker's first task, done as soon as the worker has started (see ``_run``)."""


def _match_in_worker(batch: list[Prepared]) -> None:
    """Score the candidates of found items before they are written, as ``refresh_many`` would.

    What the lookup reads is the open reports as they stand now; a report saved before the item
    is written is looked at again when the import ends (``_catch_up_reports``).
    """
    found = asyncio.run(_candidates(batch))
    for index, prepared in enumerate(batch):
        prepared.decided = found[index]


async def _candidates(batch: list[Prepared]) -> dict[int, list[Decided]]:
    await open_pool(get_settings())  # a job's own connections: a worker has no shutdown to close them in
    try:
        return await matching.candidates_many(
            "item",
            {index: prepared.key_pairs() for index, prepared in enumerate(batch)},
            {index: prepared.facts for index, prepared in enumerate(batch) if prepared.facts is not None},
        )
    finally:
        await close_pool()


async def _flush(
    prepared: tuple[list[Prepared], list[tuple[int, str]]],
    result: ImportResult,
    write: Writer,
    side: Side,
    progress: Callable[[int], None],
) -> None:
    good, bad = prepared
    result.bad += bad
    if good:
        record_ids = await write(good, result)
        known = {record: p.key_pairs() for record, p in zip(record_ids, good, strict=True)}
        decided = {
            record: p.decided for record, p in zip(record_ids, good, strict=True) if p.decided is not None
        }
        await matching.refresh_many(side, record_ids, known, decided)
        result.imported += len(record_ids)
    progress(len(good) + len(bad))


def _matching_part(side: Side, line: int, values: dict[str, Any], rows: list[dict[str, Any]]) -> Prepared:
    facts = matching.facts_of_values(side, values, rows)
    packed = matching.pack_keys(matching.hashed_keys(facts, side))
    values["match_keys"] = packed  # the record lists its keys, as refresh does
    return Prepared(line, values, rows, packed, facts=facts)


# --- found items ----------------------------------------------------------------------------


def _prepare_item(
    line: int, data: FoundItemInput, now: datetime, stations: dict[str, dict[str, Any]]
) -> Prepared | str:
    station = _station(data.station, stations)
    if isinstance(station, str):
        return station
    values, rows = found_items.validated(data, now, imported=True)
    prepared = _matching_part("item", line, values, rows)
    prepared.station = station
    return prepared


async def _write_items(batch: list[Prepared], result: ImportResult) -> list[int]:
    """Write a batch of found items; returns their ids in batch order."""
    actor = Actor.system("import")
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    refs: list[str] = [""] * len(batch)
    record_ids: list[int] = [0] * len(batch)
    async with write_transaction():
        by_station: dict[str, list[int]] = {}
        for index, prepared in enumerate(batch):
            assert prepared.station is not None
            by_station.setdefault(prepared.station["code"], []).append(index)
        for code, members in by_station.items():
            first = await references.reserve(f"FI:{code}:{year}", len(members))
            for offset, index in enumerate(members):
                refs[index] = reference(code, year, first + offset)
        rows = []
        for ref, prepared in zip(refs, batch, strict=True):
            assert prepared.station is not None
            rows.append(
                {
                    **prepared.values,
                    "reference": ref,
                    "station": prepared.station["id"],
                    "year": year,
                    "seq": int(ref.rsplit("-", 1)[1]),
                    "status": ItemStatus.IN_CUSTODY.value,
                    "verification_code": readable_code(),
                    "search_text": found_items.search_text_for(prepared.values, ref, prepared.rows),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await insert_rows(FoundItem, rows)
        for members in by_station.values():
            seqs = [int(refs[index].rsplit("-", 1)[1]) for index in members]
            station_id = batch[members[0]].station["id"]  # type: ignore[index]
            by_seq = await _ids_by_seq(FoundItem, year, min(seqs), max(seqs), FoundItem.station == station_id)
            for index, seq in zip(members, seqs, strict=True):
                record_ids[index] = by_seq[seq]
        await insert_rows(
            ItemContent,
            [
                {**row, "item": record}
                for record, prepared in zip(record_ids, batch, strict=True)
                for row in prepared.rows
            ],
        )
        detail = json.dumps({"imported": True})
        await insert_rows(
            CustodyEvent,
            [
                {
                    "item": record,
                    "actor_name": actor.username,
                    "kind": CustodyKind.RECEIVED.value,
                    "location": prepared.values["storage_location"],
                    "detail": detail,
                    "at": now,
                }
                for record, prepared in zip(record_ids, batch, strict=True)
            ],
        )
        await audit.record(
            actor, "found_item.import", "found_item", refs[0], {"count": len(refs), "last": refs[-1]}
        )
    result.mapping += [
        (prepared.values["external_ref"], ref) for ref, prepared in zip(refs, batch, strict=True)
    ]
    return record_ids


async def _ids_by_seq(table: Any, year: int, first: int, last: int, *where: Any) -> dict[int, int]:
    """Ids of the records just numbered ``first`` to ``last``: a range read, not thousands of references."""
    query = table.select(table.id, table.seq).where(
        table.year == year, table.seq >= first, table.seq <= last, *where
    )
    return {row["seq"]: row["id"] for row in await query}


# --- lost reports -----------------------------------------------------------------------------


# The columns of a lost report that only the writer knows; a worker lays out all the others.
_REPORT_LATE = ("reference", "year", "seq", "created_at", "updated_at", "consent_at")


@functools.cache
def _report_columns() -> tuple[tuple[str, ...], dict[str, Any]]:
    """The columns a worker fills, in order, and every column's default."""
    defaults = column_defaults(LostReport)
    return tuple(name for name in defaults if name not in _REPORT_LATE), defaults


def _prepare_report(line: int, data: LostReportInput, now: datetime) -> Prepared:
    values, rows = lost_reports.validated(data, now, imported=True)
    code = readable_code(12)
    values.update(
        claim_code_hash=vault().keyed_hash(CLAIM_HASH_KIND, code),
        channel=Channel.IMPORT.value,
        status=ReportStatus.OPEN.value,
        locale=data.locale,
    )
    prepared = _matching_part("report", line, values, rows)
    # The row is laid out here rather than by the process that writes it: that one is the
    # import's bottleneck, and a tuple travels back from a worker faster than a dict.
    columns, defaults = _report_columns()
    prepared.row = tuple(values.get(name, defaults[name]) for name in columns)
    prepared.values = {"external_ref": values["external_ref"]}
    prepared.claim_code = code
    return prepared


async def _write_reports(batch: list[Prepared], result: ImportResult, notify: bool) -> list[int]:
    """Write a batch of lost reports; returns their ids in batch order."""
    actor = Actor.system("import")
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    columns, _ = _report_columns()
    async with write_transaction():
        first = await references.reserve(f"LR:{year}", len(batch))
        refs = [report_reference(year, first + i) for i in range(len(batch))]
        await insert_tuples(
            LostReport,
            (*columns, *_REPORT_LATE),
            [
                (*prepared.row, ref, year, first + i, now, now, now)
                for i, (ref, prepared) in enumerate(zip(refs, batch, strict=True))
            ],
        )
        by_seq = await _ids_by_seq(LostReport, year, first, first + len(batch) - 1)
        record_ids = [by_seq[first + i] for i in range(len(batch))]
        await insert_rows(
            ReportContent,
            [
                {**row, "report": record}
                for record, prepared in zip(record_ids, batch, strict=True)
                for row in prepared.rows
            ],
        )
        if notify:  # each owner gets the usual confirmation with their new claim code
            stored = {}
            for start in range(0, len(record_ids), matching.CHUNK):
                chunk = record_ids[start : start + matching.CHUNK]
                stored.update(
                    {row["id"]: row for row in await LostReport.select().where(LostReport.id.is_in(chunk))}
                )
            for record, prepared in zip(record_ids, batch, strict=True):
                code = prepared.claim_code
                await notifications.queue_for_report(
                    stored[record], MessageKind.REPORT_FILED, get_settings(), secret=code, claim_code=code
                )
        await audit.record(
            actor, "lost_report.import", "lost_report", refs[0], {"count": len(refs), "last": refs[-1]}
        )
    result.mapping += [
        (prepared.values["external_ref"], ref) for ref, prepared in zip(refs, batch, strict=True)
    ]
    return record_ids
