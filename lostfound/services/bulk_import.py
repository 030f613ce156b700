"""Bulk import of found items and lost reports migrated from other systems.

Each record goes through the same validation as the API. A bad record is reported with its
line number and skipped; a number that fails only its check character is kept as printed
(matching repairs it). Good records are written a batch at a time, gap-free references
reserved per batch, then matched in bulk; one whose external reference is already there (an
import run again) is mapped to that record instead of copied.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.crypto import readable_code
from lostfound.database import close_pool, open_pool
from lostfound.domain.accounts import (
    normalise_station_code,
    station_code_problem,
    station_code_shape_problem,
)
from lostfound.domain.found_items import CustodyKind, ItemStatus, reference
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import Channel, ReportStatus, report_reference
from lostfound.domain.matching import Decided, KeyKind, MatchFacts, valid_id_names_everyone
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
    search,
)
from lostfound.services.bulk_sql import bound_in_advance, column_defaults, insert_rows, insert_tuples
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
    # Lines whose external reference a record of the same side already has (an import run again).
    already: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong)
    mapped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, external_ref, reference)
    # The line each external reference was first seen on in this run: a repeat further down the file,
    # batches later, is that line's record again, not one imported before (``_not_yet_imported``).
    first_line: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def mapping(self) -> list[tuple[str, str]]:
        """(external_ref, reference) in line order, of records written now and found already there."""
        return [(external_ref, reference) for _, external_ref, reference in sorted(self.mapped)]


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
# A raw line (bytes, as the command line reads it) to a service input; raises ValueError for a bad line.
Parse = Callable[[str | bytes], Any]
Writer = Callable[[list[Prepared], ImportResult], Awaitable[list[int]]]
Batch = tuple[list[Prepared], list[tuple[int, str]]]

# Records per job for a worker process: small enough that the workers keep preparing while the
# main process writes a batch of BATCH records.
JOB = 1000
# A file too small to give each process JOBS_PER_PROCESS jobs of JOB records is cut into smaller
# jobs, of SMALL_JOB records at least (``job_size``).
SMALL_JOB = 250
JOBS_PER_PROCESS = 4
# Records written in one transaction at least, unless the file ends first. The key rows of a
# transaction land all over the key tables, and each page they touch is written out once (twice
# with SQLite's write-ahead log): written 1,000 reports at a time, 400,000 reports wrote 12 GB.
MIN_FLUSH = BATCH // 2
# Whether this process takes jobs that no worker has started; the tests turn it off to be sure that
# the workers' part of an import runs in them.
TAKE_OVER = True
# Records written before the planner's statistics are refreshed (``_fresh_statistics``): the short
# writes at the end of a file, a job at a time, would otherwise each wait for an ANALYZE.
STATISTICS_AFTER = 5_000


@dataclass
class _Job:
    """A job of lines: not handed out yet (``future`` None), prepared by a worker (``worker`` is its
    future there) or by this process."""

    chunk: list[Entry]
    future: asyncio.Future[Batch] | None = None
    worker: Future[Batch] | None = None


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


def workers_for(total: int, side: Side = "report") -> int:
    """Worker processes for a file of ``total`` records: none for a small one, as starting a
    process (about half a second) costs more than it saves there.

    A job of lost reports is some 0.2 s of work, a job of found items, each looked up among the
    reports, 1 to 2.5 s: 2,400 found items into a million reports took 412–447 a second in one
    process and 593 with a worker.
    """
    return default_workers() if total > _WORTH_A_WORKER[side] * JOB else 0


_WORTH_A_WORKER: dict[Side, int] = {"report": 5, "item": 1}  # jobs in a file


def job_size(total: int | None, workers: int) -> int:
    """Records per job for a file of ``total`` records, prepared by ``workers`` processes and this one.

    A job of found items takes up to 2.5 s at a million reports: 2,400 of them in three jobs left
    one process working alone at the end. A small file is cut into jobs enough for every process
    to get several; a large one keeps JOB, as the lookups within a job share the facts of their
    candidates (jobs of 250 made 20,000 found items 15% slower).
    """
    if not workers or total is None:
        return JOB
    return min(JOB, max(SMALL_JOB, -(-total // ((workers + 1) * JOBS_PER_PROCESS))))


def _worker_up() -> None:
    """The first thing a worker process does: its answer says the pool can take jobs."""


async def import_found_items(
    entries: Iterable[Entry],
    progress: Callable[[int], None] = lambda n: None,
    workers: int = 0,
    parse: Parse | None = None,
    total: int | None = None,
) -> ImportResult:
    """``entries``: (line number, input); with ``parse``, the inputs are raw lines parsed in the workers.

    ``total``: how many entries there are, when ``entries`` cannot say (``job_size``)."""
    return await _run("item", entries, progress, _write_items, workers, parse, total)


async def import_lost_reports(
    entries: Iterable[Entry],
    progress: Callable[[int], None] = lambda n: None,
    notify: bool = False,
    workers: int = 0,
    parse: Parse | None = None,
    total: int | None = None,
) -> ImportResult:
    async def write(batch: list[Prepared], result: ImportResult) -> list[int]:
        return await _write_reports(batch, result, notify)

    return await _run("report", entries, progress, write, workers, parse, total)


async def _run(
    side: Side,
    entries: Iterable[Entry],
    progress: Callable[[int], None],
    write: Writer,
    workers: int,
    parse: Parse | None,
    total: int | None = None,
) -> ImportResult:
    """Parse, validate, write and match, MIN_FLUSH to BATCH records to a transaction.

    With ``workers``, parsing, validation, encryption and matching keys (pure CPU), and each
    record's lookup among the other side's, run in that many processes, a job of ``job_size``
    records at a time, while this process writes the batches before: the workers never wait for a
    write. When this process has too little to write, it takes over the next job no worker has
    started, so both sides of the machine stay busy.
    """
    result = ImportResult()
    now = datetime.now(UTC)
    vault()  # keys exist (or are made) before any worker process looks for them
    stations = await _stations() if side == "item" else {}
    last_other = await _last_id(matching.SIDES[side].other)
    loop = asyncio.get_running_loop()
    pool = (
        ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
        )
        if workers
        else None
    )
    # A pool claims a job for each worker, and one more, the moment it is handed one, though a
    # worker process takes some 0.7 s to start. Until one has answered, jobs stay here, where this
    # process takes them: a small file is done before a worker could have helped with it.
    up = asyncio.wrap_future(pool.submit(_worker_up), loop=loop) if pool is not None else None
    pending: deque[_Job] = deque()  # jobs in file order, done or not
    ready: Batch = ([], [])
    if total is None and isinstance(entries, Sized):
        total = len(entries)
    size = job_size(total, workers)
    ahead = BATCH // size  # jobs handed out ahead of the writing: a batch at most waits besides
    chunks = _batches(entries, size)
    read_all = False
    unanalysed = 0  # records written since the statistics were last refreshed
    collector_was_on = gc.isenabled()

    async def prepare_here(chunk: list[Entry]) -> asyncio.Future[Batch]:
        good, bad = _prepare_records(side, chunk, now, stations, parse)
        if good:
            # Looked up as a worker does, before the batch is written: the write then has all it
            # needs, records, keys and suggestions, for one transaction.
            await _look_up(side, good)
        done: asyncio.Future[Batch] = loop.create_future()
        done.set_result((_without_facts(good), bad))
        return done

    def to_workers(job: _Job) -> None:
        assert pool is not None
        work = functools.partial(prepare_batch, side, job.chunk, now, stations, parse, match=True)
        job.worker = pool.submit(work)
        job.future = asyncio.wrap_future(job.worker, loop=loop)

    async def hand_out(chunk: list[Entry]) -> _Job:
        job = _Job(chunk)
        if pool is None:
            job.future = await prepare_here(chunk)
        elif up is not None and up.done():
            to_workers(job)
        return job

    async def take_over() -> bool:
        """Prepare here the first job that no worker has started (False: there is none)."""
        if not TAKE_OVER:
            return False
        for job in pending:
            if job.future is None or (job.worker is not None and job.worker.cancel()):
                job.worker, job.future = None, await prepare_here(job.chunk)
                return True
        return False

    # Every prepared record lives until its batch is written, and none holds a cycle: the cyclic
    # collector would only walk them again and again (a third of the time of an import).
    gc.disable()
    try:
        while True:
            if up is not None and up.done():
                for job in pending:
                    if job.future is None:
                        to_workers(job)
            while pending and (head := pending[0].future) is not None and head.done():
                if len(ready[0]) >= BATCH:
                    break
                job_done = head.result()
                pending.popleft()
                ready[0].extend(job_done[0])
                ready[1].extend(job_done[1])
            # The workers always have the next jobs, a batch's worth, so they go on while one is written.
            while not read_all and len(pending) < ahead:
                if (chunk := next(chunks, None)) is None:
                    read_all = True
                else:
                    pending.append(await hand_out(chunk))
            # Once the file is read, whatever is ready is written, so that the last write is a short one.
            waiting = len(ready[0]) + len(ready[1])
            if waiting >= MIN_FLUSH or len(ready[0]) >= BATCH or (waiting and read_all):
                unanalysed += len(ready[0])
                await _flush(ready, result, write, side, progress)
                ready = ([], [])
                # The last batch gets the VACUUM (ANALYZE) below.
                if unanalysed >= STATISTICS_AFTER and (pending or not read_all):
                    await _fresh_statistics(side)
                    unanalysed = 0
                continue
            if not pending:
                break
            # Too little to be worth a transaction yet: rather than wait for the workers (while
            # they start, or when they are slower than the writing), do their next job here.
            if await take_over():
                await asyncio.sleep(0)  # lets a worker's finished job be seen
            else:
                waits = [job.future for job in pending if job.future is not None][:1]
                if up is not None and not up.done():
                    waits.append(up)  # the jobs waiting for it go to the workers then
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if result.imported:
            await _catch_up(matching.SIDES[side].other, last_other, now)
    finally:
        if collector_was_on:
            gc.enable()
        if pool is not None:
            # Every job is done; a worker's exit takes a few tenths of a second that nothing waits for.
            # One still starting answers nobody: its answer would come to a closed event loop.
            assert up is not None
            up.cancel()
            _cancel_queued(pending)
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


async def _fresh_statistics(side: Side) -> None:
    """PostgreSQL: statistics of the side's records as they now stand, every STATISTICS_AFTER records.

    The next batch asks which of its references are already there (``_not_yet_imported``). Without
    statistics of a table that has just grown from nothing, PostgreSQL guessed that such a question
    matches a fifth of the table and read all of it, for every 500 references: 200,000 lost reports
    took five minutes where the autovacuum daemon, which would have counted them meanwhile, was off.
    ANALYZE reads a sample of the table, a few tenths of a second at a million records. SQLite's
    planner needs none: it takes the index on the references without statistics.
    """
    if not fast_reads.on_postgres():
        return
    table = matching.SIDES[side].records
    await table._meta.db.run_ddl(f"ANALYZE {table._meta.tablename}")


async def _last_id(side: Side) -> int:
    table = matching.SIDES[side].records
    row = await table.select(table.id).order_by(table.id, ascending=False).first()
    return row["id"] if row else 0


async def _catch_up(side: Side, last_id: int, started: datetime) -> None:
    """Match again the open records of ``side`` saved after ``last_id`` or edited since ``started``.

    An import's records are looked up before they are written: a record of the other side saved
    between the two met neither the imported record (its lookup ran before that one's keys were
    there) nor the imported record's lookup. Records saved during an import are few; looking at
    them again closes that gap.
    """
    table = matching.SIDES[side].records
    statuses = matching.open_statuses(side)
    # Two range reads, one by id and one by the index of last saves, and the status checked here:
    # asked in one query (or with the status), both engines read every open record instead.
    rows = [
        row
        for condition in (table.id > last_id, table.updated_at >= started)
        for row in await table.select(table.id, table.status).where(condition)
    ]
    record_ids = sorted({row["id"] for row in rows if row["status"] in statuses})
    if record_ids:
        await matching.refresh_many(side, record_ids)


def _cancel_queued(pending: Iterable[_Job]) -> None:
    """Cancel the jobs no worker has started (after Ctrl-C or an error; none are left otherwise).

    ``shutdown(cancel_futures=True)`` leaves the cancelling to the executor's own thread, which
    skips it once the executor is dropped: the process then waited at exit for the workers to
    prepare every job queued, a batch's worth, 25 to 50 seconds after Ctrl-C.
    """
    for job in pending:
        if job.worker is not None:
            job.worker.cancel()


def _start_worker() -> None:
    gc.disable()  # in a worker too: a job's records are freed by reference counting when it is sent
    # Ctrl-C reaches the whole process group: the import's own process stops the workers, which
    # would otherwise each die with a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    if normalised not in stations or station_code_shape_problem(normalised):
        return problem_text(NotFound(N_("No station has the code %(code)s."), code=normalised[:8]))
    # A station coded LR before the code was reserved: its items would take lost reports' references.
    return station_code_problem(normalised) or stations[normalised]


def prepare_batch(
    side: Side,
    chunk: list[Entry],
    now: datetime,
    stations: dict[str, dict[str, Any]],
    parse: Parse | None = None,
    match: bool = False,
) -> Batch:
    """The CPU work of a job: runs in a worker process for large imports. It writes nothing; with
    ``match`` (in a worker), the records get their candidates, read from the database and scored."""
    good, bad = _prepare_records(side, chunk, now, stations, parse)
    if match and good:
        _match_in_worker(side, good)
    return _without_facts(good), bad


def _prepare_records(
    side: Side,
    chunk: list[Entry],
    now: datetime,
    stations: dict[str, dict[str, Any]],
    parse: Parse | None,
) -> Batch:
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
    return good, bad


def _without_facts(good: list[Prepared]) -> list[Prepared]:
    for prepared in good:
        prepared.facts = None  # the records wait for their batch: no need to hold these
    return good


def _match_in_worker(side: Side, batch: list[Prepared]) -> None:
    """``_look_up`` in a worker process, on connections of the job's own."""

    async def look_up() -> None:
        await open_pool(get_settings())  # a worker has no shutdown to close a pool in
        try:
            await _look_up(side, batch)
        finally:
            await close_pool()

    asyncio.run(look_up())


async def _look_up(side: Side, batch: list[Prepared]) -> None:
    """Score the candidates of records before they are written, as ``refresh_many`` would.

    What the lookup reads is the other side's open records as they stand now; one saved before
    the batch is written is looked at again when the import ends (``_catch_up``).
    """
    found = await matching.candidates_many(
        side,
        {index: prepared.key_pairs() for index, prepared in enumerate(batch)},
        {index: prepared.facts for index, prepared in enumerate(batch) if prepared.facts is not None},
    )
    for index, prepared in enumerate(batch):
        prepared.decided = found[index]


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
        # One transaction for the check, the records, their keys and their suggestions (the writers'
        # own transactions join it): no other import brings in the same references in between, and
        # an import stopped half-way leaves whole batches. A record written without its keys would
        # never meet the other side, and the import run again would skip it as already there.
        async with write_transaction(check_foreign_keys=False):
            await _one_writer_at_a_time(side)
            fresh = await _not_yet_imported(side, good, result)
            record_ids = await write(fresh, result) if fresh else []
            if record_ids:
                known: dict[int, list[tuple[int, KeyKind]]] = {}
                decided: dict[int, list[Decided]] = {}
                for record, p in zip(record_ids, fresh, strict=True):
                    # Looked up before the batch (``_look_up``): nothing here reads the records
                    # this transaction has not committed yet.
                    assert p.decided is not None
                    known[record], decided[record] = p.key_pairs(), p.decided
                await matching.refresh_many(side, record_ids, known, decided)
        result.imported += len(record_ids)
    progress(len(good) + len(bad))


# PostgreSQL advisory lock keys, one per side: imports of a side write one batch at a time.
_IMPORT_LOCKS: dict[Side, int] = {"report": 0x4C46_494D_0001, "item": 0x4C46_494D_0002}


async def _one_writer_at_a_time(side: Side) -> None:
    """Wait until no other import of ``side`` holds a batch's transaction open.

    In READ COMMITTED, two imports of the same file at once each found the other's references not
    yet there and wrote every record twice (the index on external references is not unique). The
    lock is held until this transaction ends, and the check after it, a statement of its own, sees
    what the other committed meanwhile. SQLite's BEGIN IMMEDIATE serialises the batches already.
    """
    if fast_reads.on_postgres():
        table = matching.SIDES[side].records
        await table.raw("SELECT pg_advisory_xact_lock({})", _IMPORT_LOCKS[side])


async def _not_yet_imported(side: Side, good: list[Prepared], result: ImportResult) -> list[Prepared]:
    """The records of ``good`` whose external reference no record of ``side`` has yet.

    An import run again (after it was interrupted, say) brings in only what it had not: a second copy
    of a report would be the runner-up of every match of the first, and neither would ever be
    suggested automatically. A record already there before this run is mapped to its reference; a
    reference that repeats an earlier line of the file, in this batch or any before, is a bad line.
    """
    first_line = result.first_line
    known = await _known_references(side, {p.values["external_ref"] for p in good} - first_line.keys())
    fresh: list[Prepared] = []
    for prepared in good:
        external_ref = prepared.values["external_ref"]
        if not external_ref:
            fresh.append(prepared)
        elif (first := first_line.setdefault(external_ref, prepared.line)) != prepared.line:
            result.bad.append((prepared.line, f"external_ref {external_ref} is that of line {first}"))
        elif external_ref in known:
            result.already += 1
            result.mapped.append((prepared.line, external_ref, known[external_ref]))
        else:
            fresh.append(prepared)
    return fresh


async def _known_references(side: Side, external_refs: set[str]) -> dict[str, str]:
    """The reference of each record of ``side`` that has one of ``external_refs``."""
    table = matching.SIDES[side].records
    wanted = sorted(external_refs - {""})
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join(["{}"] * len(chunk))
        # The index holds only records that have a reference: the query says so, or it is not used.
        sql = (
            f"SELECT external_ref, reference FROM {table._meta.tablename} "
            f"WHERE external_ref <> '' AND external_ref IN ({marks})"
        )
        known.update((row["external_ref"], row["reference"]) for row in await table.raw(sql, *chunk))
    return known


def _matching_part(side: Side, line: int, values: dict[str, Any], rows: list[dict[str, Any]]) -> Prepared:
    facts = matching.facts_of_values(side, values, rows)
    packed = matching.pack_keys(matching.hashed_keys(facts, side))
    values["match_keys"] = packed  # the record lists its keys, as refresh does
    values["holds_valid_id"] = valid_id_names_everyone(facts)
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
                    "matched_at": now,  # looked up before the write, its keys and suggestions beside it
                }
            )
        async with search.indexed_together():
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
    result.mapped += [
        (prepared.line, prepared.values["external_ref"], ref)
        for ref, prepared in zip(refs, batch, strict=True)
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
_REPORT_LATE = ("reference", "year", "seq", "created_at", "updated_at", "consent_at", "matched_at")


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
    prepared.row = bound_in_advance(LostReport, tuple(values.get(name, defaults[name]) for name in columns))
    prepared.values = {"external_ref": values["external_ref"]}
    prepared.claim_code = code
    return prepared


async def _write_reports(batch: list[Prepared], result: ImportResult, notify: bool) -> list[int]:
    """Write a batch of lost reports; returns their ids in batch order."""
    actor = Actor.system("import")
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    columns, _ = _report_columns()
    (stamp,) = bound_in_advance(LostReport, (now,))
    async with write_transaction():
        first = await references.reserve(f"LR:{year}", len(batch))
        refs = [report_reference(year, first + i) for i in range(len(batch))]
        await insert_tuples(
            LostReport,
            (*columns, *_REPORT_LATE),
            [
                (*prepared.row, ref, year, first + i, stamp, stamp, stamp, stamp)
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
    result.mapped += [
        (prepared.line, prepared.values["external_ref"], ref)
        for ref, prepared in zip(refs, batch, strict=True)
    ]
    return record_ids
