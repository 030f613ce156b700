"""Matching found items and lost reports: index keys, look up candidates, score, store suggestions.

Runs after every create and relevant edit on either side (``refresh_item`` / ``refresh_report``).
Keys and suggestions of one record are replaced in one transaction; confirmed and rejected
pairs are an officer's decision and are never recomputed.
"""

from __future__ import annotations

import json
import logging
import sys
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lostfound.domain import banks, devices, names
from lostfound.domain import identifiers as ids
from lostfound.domain import matching as m
from lostfound.domain.found_items import ID_NUMBER_KINDS, PASSPORT_KINDS, ContentKind, ItemStatus
from lostfound.domain.lost_reports import ReportStatus
from lostfound.pii import vault
from lostfound.services import audit, fast_reads
from lostfound.services.bulk_sql import (
    delete_tuples,
    execute_many,
    fetch_in_transaction,
    insert_rows,
    insert_tuples,
    update_columns,
)
from lostfound.services.context import Actor
from lostfound.services.item_contents import ID_COLUMN, PHONE_COLUMN, read_phone
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE
from lostfound.tables import FoundItem, ItemKey, LostReport, Match, ReportKey

logger = logging.getLogger("lostfound.matching")

Side = Literal["item", "report"]
OWNER_ID_COLUMN = "lost_report.owner_id"
OWNER_PHONE_COLUMN = "lost_report.owner_phone"
# A key shared by more records than this (a common name in a busy week) only counts for
# candidates that some other key also found: it would flood the scorer otherwise.
MAX_POSTINGS = 25
# A thing that names nobody (a bag, keys) has only its looks to go by, and at a million reports a
# week's black bags in a district are dozens: for such a record, this many rows of each crowded
# look key are read, and the candidates sharing its rarest keys are scored (``m.rarest_shared``).
MAX_LOOK_POSTINGS = 200
CHUNK = 5000  # ids per IN (...): well under SQLite's and PostgreSQL's parameter limits
# Only records still in play are matched.
OPEN_ITEM_STATUSES = (ItemStatus.IN_CUSTODY.value, ItemStatus.TRANSFERRED.value, ItemStatus.UNCLAIMED.value)
OPEN_REPORT_STATUSES = (ReportStatus.OPEN.value,)


# An item whose owner was confirmed stays theirs: it is matched with nobody else. The clock now leaves
# such items ``owner_found``, but it used to make them ``unclaimed`` once their claim period ended,
# and those rows remain. Only unclaimed rows look up their confirmed match.
_STILL_UNOWNED = (
    "(found_item.status <> 'unclaimed' OR NOT EXISTS "
    "(SELECT 1 FROM match WHERE match.item = found_item.id AND match.state = 'confirmed'))"
)


def _open_filter(side: Side, statuses: Sequence[str]) -> str:
    """The SQL condition, after ``AND``, of the records of ``side`` in play (``statuses`` bound after the ids)."""
    condition = f"status IN ({_marks(statuses)})"
    return f"{condition} AND {_STILL_UNOWNED}" if side == "item" else condition


def open_statuses(side: Side) -> tuple[str, ...]:
    """The statuses in which a record of ``side`` is still in play."""
    return OPEN_ITEM_STATUSES if side == "item" else OPEN_REPORT_STATUSES


@dataclass(frozen=True)
class SideTables:
    records: type
    table: str
    contents: str
    content_fk: str
    keys: type
    key_table: str
    key_fk: str
    other: Side


SIDES: dict[str, SideTables] = {
    "item": SideTables(
        FoundItem, "found_item", "item_content", "item", ItemKey, "item_key", "item", "report"
    ),
    "report": SideTables(
        LostReport, "lost_report", "report_content", "report", ReportKey, "report_key", "report", "item"
    ),
}


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- facts --------------------------------------------------------------------------------


def _decrypt(token: str, column: str) -> str:
    return vault().decrypt(token, column) if token else ""


def _add_id(facts: m.MatchFacts, number: str, today: Any, holder: str = "") -> None:
    number = ids.normalise_id_number(number)
    if number:
        valid = not ids.is_masked(number) and ids.check_id_number(number, today) is None
        facts.ids.append(m.IdFact(number, valid, holder))


# Scoring only asks whether a candidate has a phone (agreement comes from the keys that met),
# so candidates' phone numbers are not decrypted at all.
PHONE_PRESENT = "present"


def _phone(token: str, column: str, decrypt: bool) -> str:
    if not decrypt:
        return PHONE_PRESENT
    number = _decrypt(token, column)
    # A local number saved before the city's area code was set is keyed as one saved since.
    return read_phone(number) or number


def _add_content(
    facts: m.MatchFacts, row: Sequence[Any], today: Any, phones: bool = True, numbers: bool = True
) -> None:
    _, kind, holder, number_enc, last4, phone_enc, bank = row
    name = names.normalise_name(holder) if holder else ""
    if name and name not in facts.names:
        facts.names.append(name)
    if numbers:  # see ``load_facts``
        _add_number(facts, kind, number_enc, today, name)
    if last4:
        facts.card_last4.append(last4)
    if kind == ContentKind.BANK_CARD and bank:
        facts.banks.append(banks.bank_key(bank))
    if phone_enc:
        facts.phones.append(_phone(phone_enc, PHONE_COLUMN, phones))


def _add_number(facts: m.MatchFacts, kind: str, number_enc: str, today: Any, holder: str = "") -> None:
    """A content row's ID, passport, IMEI or serial number (``holder``: the normalised name on it)."""
    if kind in ID_NUMBER_KINDS:
        _add_id(facts, _decrypt(number_enc, ID_COLUMN), today, holder)
    elif kind in PASSPORT_KINDS and number_enc:
        facts.passports.append(_decrypt(number_enc, ID_COLUMN))
    elif kind == ContentKind.IMEI and number_enc:
        # Decrypted for candidates too (unlike phones): a different *valid* IMEI counts against.
        facts.imeis.append(devices.normalise_imei(_decrypt(number_enc, ID_COLUMN)))
    elif kind == ContentKind.SERIAL_NUMBER and number_enc:
        facts.serials.append(devices.serial_key(_decrypt(number_enc, ID_COLUMN)))
    elif kind == ContentKind.BANK_CARD and number_enc:
        facts.cards.append(_decrypt(number_enc, ID_COLUMN))


_TZ = ZoneInfo(TIMEZONE)


def _local(value: datetime | str | None) -> datetime | None:
    """Weeks of loss are the city's weeks, whatever zone the database hands times back in."""
    moment = fast_reads.moment(value)
    return moment.astimezone(_TZ) if moment is not None else None


def _item_facts(
    category: str,
    district: str,
    found_at: datetime | str | None,
    description: str = "",
    colour: str = "",
    brand: str = "",
) -> m.MatchFacts:
    found_at = _local(found_at)
    return m.MatchFacts(
        category=category,
        district=district,
        time_from=found_at,
        time_to=found_at,
        description=description or "",
        colour=colour or "",
        brand=brand or "",
    )


def _report_facts(
    category: str,
    district: str,
    lost_from: datetime | str | None,
    lost_to: datetime | str | None,
    name: str,
    id_enc: str,
    phone_enc: str,
    description: str,
    colour: str,
    brand: str,
    today: Any,
    phones: bool = True,
    numbers: bool = True,
) -> m.MatchFacts:
    fact = m.MatchFacts(
        category=category,
        district=district,
        time_from=_local(lost_from),
        time_to=_local(lost_to),
        description=description or "",
        colour=colour or "",
        brand=brand or "",
    )
    owner = names.normalise_name(name) if name else ""
    if owner:
        fact.names.append(owner)
    if numbers:
        _add_id(fact, _decrypt(id_enc, OWNER_ID_COLUMN), today, owner)
    if phone_enc:
        fact.phones.append(_phone(phone_enc, OWNER_PHONE_COLUMN, phones))
    return fact


def _finish(fact: m.MatchFacts) -> m.MatchFacts:
    fact.names = [n for n in fact.names if n]
    fact.phones = sorted(set(fact.phones))
    fact.card_last4 = sorted(set(fact.card_last4))
    fact.banks = sorted(set(filter(None, fact.banks)))
    fact.imeis = sorted(set(fact.imeis))
    fact.serials = sorted(set(fact.serials))
    fact.cards = sorted(set(fact.cards))
    return fact


def _today() -> date:
    return datetime.now(_TZ).date()


def facts_of_values(side: Side, values: dict[str, Any], rows: Sequence[dict[str, Any]]) -> m.MatchFacts:
    """Facts of a record about to be written, from its column values: what ``load_facts`` will read back."""
    today = _today()
    if side == "item":
        fact = _item_facts(
            values.get("category", ""),
            values.get("district", ""),
            values.get("found_at"),
            values.get("description", ""),
            values.get("colour", ""),
            values.get("brand", ""),
        )
    else:
        fact = _report_facts(
            values.get("category", ""),
            values.get("district", ""),
            values.get("lost_from"),
            values.get("lost_to"),
            values.get("owner_name", ""),
            values.get("owner_id_enc", ""),
            values.get("owner_phone_enc", ""),
            values.get("description", ""),
            values.get("colour", ""),
            values.get("brand", ""),
            today,
        )
    for row in sorted(rows, key=lambda r: r.get("position", 0)):
        # The shape of a content row as load_facts selects it: (record, kind, holder, number, last 4, phone, bank).
        columns = ("kind", "holder_name", "number_enc", "card_last4", "phone_enc", "bank")
        _add_content(fact, (0, *(row.get(name, "") for name in columns)), today)
    return _finish(fact)


async def load_facts(
    side: Side,
    record_ids: Sequence[int],
    open_only: bool = False,
    phones: bool = True,
    unless_valid_id: Collection[int] = (),
    numbers_of: Collection[int] | None = None,
) -> dict[int, m.MatchFacts]:
    """Facts of records of one side, numbers decrypted in memory only.

    ``open_only``: only records still in play; ``phones`` false: a phone is only marked present;
    ``unless_valid_id``: records left out (not decrypted, their contents not read) if they hold a valid ID;
    ``numbers_of``: the records whose ID, passport, IMEI and serial numbers are read (None: all). A
    candidate's numbers only count against numbers of the same kind (its ID against a valid one): a
    record that holds none meets candidates whose numbers need not be decrypted.
    """
    today = _today()
    facts: dict[int, m.MatchFacts] = {}
    statuses: Sequence[str] = ()
    if open_only:
        statuses = open_statuses(side)
    status_filter = f" AND {_open_filter(side, statuses)}" if statuses else ""
    for chunk in _chunks(list(record_ids)):
        if side == "item":
            rows = await fast_reads.fetch(
                "SELECT id, holds_valid_id, category, district, found_at, description, colour, brand "
                f"FROM found_item WHERE id IN ({_marks(chunk)}){status_filter}",
                [*chunk, *statuses],
                inline=True,
            )
            for record, valid_id, *columns in rows:
                if not (valid_id and record in unless_valid_id):
                    facts[record] = _item_facts(*columns)
        else:
            rows = await fast_reads.fetch(
                "SELECT id, holds_valid_id, category, district, lost_from, lost_to, owner_name, owner_id_enc, "
                "owner_phone_enc, description, colour, brand "
                f"FROM lost_report WHERE id IN ({_marks(chunk)}){status_filter}",
                [*chunk, *statuses],
                inline=True,
            )
            for record, valid_id, *columns in rows:
                if not (valid_id and record in unless_valid_id):
                    numbers = numbers_of is None or record in numbers_of
                    facts[record] = _report_facts(*columns, today, phones, numbers)
        tables = SIDES[side]
        present = [record for record in chunk if record in facts]
        if not present:
            continue
        contents = await fast_reads.fetch(
            f"SELECT {tables.content_fk}, kind, holder_name, number_enc, card_last4, phone_enc, bank "
            f"FROM {tables.contents} WHERE {tables.content_fk} IN ({_marks(present)}) ORDER BY position",
            present,
            inline=True,
        )
        for row in contents:
            if row[0] in facts:
                _add_content(facts[row[0]], row, today, phones, numbers_of is None or row[0] in numbers_of)
    for fact in facts.values():
        _finish(fact)
    return facts


def hashed_keys(facts: m.MatchFacts, side: Side) -> list[tuple[int, m.KeyKind]]:
    # Distinct texts give distinct keys: a collision of 64-bit keyed hashes is not worth a set.
    pairs = m.blocking_keys(facts, side)
    return list(
        zip(vault().match_keys([text for text, _ in pairs]), [kind for _, kind in pairs], strict=True)
    )


def pack_keys(keys: Iterable[tuple[int, int]]) -> bytes:
    """A record's keys as it keeps them (``match_keys``): key, kind, key, kind... in little-endian 64 bits."""
    packed = array("q", [part for key, kind in keys for part in (key, int(kind))])
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_keys(packed: bytes) -> list[tuple[int, int]]:
    numbers = array("q")
    numbers.frombytes(packed or b"")
    if sys.byteorder == "big":
        numbers.byteswap()
    return list(zip(numbers[::2], numbers[1::2], strict=True))


async def _drop_keys(side: Side, record_ids: Sequence[int]) -> None:
    """Delete the key rows of these records (inside the caller's transaction), found by the keys each keeps."""
    tables = SIDES[side]
    listed = await _listed_keys(side, record_ids)
    rows = [(key, kind, record) for record, keys in listed.items() for key, kind in keys]
    await delete_tuples(tables.keys, ("key", "kind", tables.key_fk), rows)


async def _listed_keys(side: Side, record_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    """The keys each of these records lists (``match_keys``), a chunk of records at a time."""
    records = SIDES[side].records
    listed: dict[int, list[tuple[int, int]]] = {}
    for chunk in _chunks(list(record_ids)):
        for row in await records.select(records.id, records.match_keys).where(records.id.is_in(list(chunk))):
            listed[row["id"]] = unpack_keys(row["match_keys"])
    return listed


# --- candidates and scores -----------------------------------------------------------------


async def _postings(side: Side, distinct: Sequence[int]) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
    """Rows of the other side's key table for these keys (key -> [(kind, record)]), and the crowded keys.

    A crowded key (a common name in a big district) is shared by hundreds of records at a million
    reports: its rows are counted in the index, not read (see ``_crowded_rows``).
    """
    other = SIDES[SIDES[side].other]
    table, column = other.key_table, other.key_fk
    crowded: set[int] = set()
    found: dict[int, list[tuple[int, int]]] = {}
    # One read: the rows of the selective keys, and the crowded keys (marked 1) without their rows.
    # Each counted key must become one probe of the key index: SQLite keeps the left side of a
    # CROSS JOIN outside, PostgreSQL needs a LATERAL subquery it cannot flatten (OFFSET 0).
    if fast_reads.on_postgres():
        rows_of_key = (
            f"CROSS JOIN LATERAL (SELECT kind, {column} AS record FROM {table} AS t "
            "WHERE t.key = c.key OFFSET 0) AS r"
        )
    else:
        rows_of_key = f"CROSS JOIN (SELECT key, kind, {column} AS record FROM {table}) AS r ON r.key = c.key"
    for chunk in _chunks(list(distinct)):
        rows = await fast_reads.fetch(
            f"WITH counts AS (SELECT key, COUNT(*) AS n FROM {table} WHERE key IN ({_marks(chunk)}) GROUP BY key) "
            f"SELECT c.key, r.kind, r.record, 0 FROM counts AS c {rows_of_key} WHERE c.n <= {MAX_POSTINGS} "
            f"UNION ALL SELECT key, 0, 0, 1 FROM counts WHERE n > {MAX_POSTINGS}",
            chunk,
            inline=True,
        )
        for key, kind, record, busy in rows:
            if busy:
                crowded.add(key)
            else:
                found.setdefault(key, []).append((kind, record))
    return found, crowded


async def _crowded_rows(
    side: Side, keys: dict[int, list[tuple[int, m.KeyKind]]], crowded: set[int], found: dict[int, list]
) -> None:
    """Add the rows of crowded number keys (a masked ID's region and last 4) for records already found.

    Only number keys change a score (ID and phone levels come from the keys that met); a crowded
    name or place key would only confirm what the record's facts already show.
    """
    wanted = sorted(
        {
            key
            for record_keys in keys.values()
            for key, kind in record_keys
            if key in crowded and kind in m.NUMBER_KEYS
        }
    )
    records = {record for rows in found.values() for _, record in rows}
    if not wanted or not records:
        return
    other = SIDES[SIDES[side].other]
    sql = f"SELECT key, kind, {other.key_fk} FROM {other.key_table} WHERE key IN "
    for chunk in _chunks(wanted):  # a few dozen rows a key: filtered here, not by a second IN list
        for key, kind, record in await fast_reads.fetch(f"{sql}({_marks(chunk)})", chunk, inline=True):
            if record in records:
                found.setdefault(key, []).append((kind, record))


async def _look_rows(
    side: Side, keys: dict[int, list[tuple[int, m.KeyKind]]], crowded: set[int]
) -> dict[int, list[tuple[int, int]]]:
    """Up to MAX_LOOK_POSTINGS rows of each crowded look key of these records."""
    wanted = sorted(
        {
            key
            for record_keys in keys.values()
            for key, kind in record_keys
            if kind in m.LOOK_KEYS and key in crowded
        }
    )
    other = SIDES[SIDES[side].other]
    # One statement of one bounded probe per key (SQLite takes at most 500 parts to a UNION). The
    # rows come in the key index's order, so both engines read the same ones (PostgreSQL's plan,
    # without the ORDER BY, could take any 200).
    probe = (
        f"SELECT * FROM (SELECT key, kind, {other.key_fk} FROM {other.key_table} "
        f"WHERE key = ? ORDER BY kind, {other.key_fk} LIMIT {MAX_LOOK_POSTINGS}) AS k"
    )
    rows: dict[int, list[tuple[int, int]]] = {}
    for chunk in _chunks(wanted, 100):
        for key, kind, record in await fast_reads.fetch(
            " UNION ALL ".join([probe] * len(chunk)), chunk, inline=True
        ):
            rows.setdefault(key, []).append((kind, record))
    return rows


# Of a record's MAX_CANDIDATES, the places kept for look-alikes when its look keys are crowded: an
# owner with a common name meets dozens of namesakes' cards, and her bag must still be read.
LOOK_PLACES = 10


def _met_by(
    record_keys: list[tuple[int, m.KeyKind]],
    postings: dict[int, list[tuple[int, int]]],
    crowded: set[int],
    by_looks: dict[int, list[tuple[int, int]]],
) -> dict[int, set[tuple[m.KeyKind, m.KeyKind]]]:
    """The candidates of one record worth scoring, with the kinds of keys that met (ours, theirs).

    A record known only by its looks is matched by its rarest look keys, crowded ones read in part.
    Any other is matched by its selective keys, crowded ones only adding to those; but things
    known only by their looks (a bag naming nobody) are indexed by their look keys alone, so a
    report filed after a busy week's look-alikes reads its crowded look keys in part too, or it
    would never meet the bag found before it. Those look-alikes take LOOK_PLACES of its places, and
    any its keyed candidates leave: neither crowds the other out (a wallet met by the owner's name
    among bags that merely look like hers; her bag among namesakes' cards). ``by_looks``:
    ``postings`` with the rows read of crowded look keys."""
    looks = [(key, kind) for key, kind in record_keys if kind in m.LOOK_KEYS]
    if len(looks) == len(record_keys):
        return m.rarest_shared(record_keys, by_looks) if looks else {}
    met = postings.keys() | crowded
    keyed = _agreed(record_keys, postings, crowded) if any(key in met for key, _ in record_keys) else {}
    if not any(key in crowded for key, _ in looks):
        return m.strongest(keyed)
    agreed = m.strongest(keyed, m.MAX_CANDIDATES - LOOK_PLACES)
    room = m.MAX_CANDIDATES - len(agreed)
    for other, pairs in m.rarest_shared(looks, by_looks).items():
        if other in agreed:
            agreed[other] |= pairs
        elif room:
            agreed[other], room = set(pairs), room - 1
    return agreed


def _agreed(
    keys: list[tuple[int, m.KeyKind]], postings: dict[int, list[tuple[int, int]]], crowded: set[int]
) -> dict[int, set[tuple[m.KeyKind, m.KeyKind]]]:
    """Candidates with the kinds of keys that met (ours, theirs); crowded keys only add to others."""
    selective, busy = [], []
    for key in {key for key, _ in keys}:
        (busy if key in crowded else selective).extend(
            (key, kind, record) for kind, record in postings.get(key, [])
        )
    agreed = m.keys_meeting(keys, selective)
    if busy:
        extra = m.keys_meeting(keys, (row for row in busy if row[2] in agreed))
        for record, pairs in extra.items():
            agreed[record] |= pairs
    return agreed


async def _by_id(
    side: Side,
    columns: Sequence[str],
    record_ids: Sequence[int],
    condition: str = "",
    params: Sequence[Any] = (),
    in_transaction: bool = False,
    lock: str = "",
) -> list[tuple[Any, ...]]:
    """``columns`` of those of ``record_ids`` that meet ``condition`` (its ``params`` bound after the
    ids), a chunk at a time. ``in_transaction``: as the caller's write transaction sees them, with
    ``lock`` (a locking clause) on PostgreSQL, where rows are locked one by one."""
    table = SIDES[side]
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(list(record_ids)):
        sql = f"SELECT {', '.join(columns)} FROM {table.table} WHERE id IN ({_marks(chunk)})"
        sql += f" AND {condition}" if condition else ""
        if in_transaction:
            sql += f" {lock}" if lock and fast_reads.on_postgres() else ""
            rows = await fetch_in_transaction(table.records, sql, [*chunk, *params])
            found += [tuple(row[column] for column in columns) for row in rows]  # rows by column name
        else:
            found += await fast_reads.fetch(sql, [*chunk, *params], inline=True)
    return found


async def _open_records(side: Side, record_ids: Sequence[int], in_transaction: bool = False) -> set[int]:
    """Those of ``record_ids`` still open; ``in_transaction``: as the caller's write transaction sees them."""
    statuses = open_statuses(side)
    condition = _open_filter(side, statuses)
    rows = await _by_id(side, ("id",), record_ids, condition, statuses, in_transaction=in_transaction)
    return {row[0] for row in rows}


async def _saved_at(
    side: Side, record_ids: Sequence[int], in_transaction: bool = False
) -> dict[int, datetime | None]:
    """When each record was last saved (``updated_at``). ``in_transaction``: as the caller's write
    transaction sees it, the rows locked on PostgreSQL until it ends, so no save slips in before its
    write (SQLite has one writer at a time)."""
    rows = await _by_id(
        side, ("id", "updated_at"), record_ids, in_transaction=in_transaction, lock="ORDER BY id FOR UPDATE"
    )
    return {record: fast_reads.moment(saved) for record, saved in rows}


async def _still_open(side: Side, decided: dict[int, list[m.Decided]]) -> dict[int, list[m.Decided]]:
    """The candidates read before the write transaction, less those closed since (withdrawn, matched,
    expired meanwhile): their own closing dropped their suggestions, and these would bring them back."""
    others = sorted({d.other for found in decided.values() for d in found})
    if not others:
        return decided
    still = await _open_records(SIDES[side].other, others, in_transaction=True)
    if len(still) == len(others):
        return decided
    return {record: [d for d in found if d.other in still] for record, found in decided.items()}


def _pair(side: Side, facts: m.MatchFacts, other: m.MatchFacts, agreed: set) -> m.Scored | None:
    """The pair's score, or None when it cannot reach review (``decide`` would drop it)."""
    if side == "item":
        return m.score_at_least(facts, other, agreed, m.REVIEW_SCORE)
    return m.score_at_least(other, facts, {(theirs, mine) for mine, theirs in agreed}, m.REVIEW_SCORE)


async def candidates_many(
    side: Side,
    keys: dict[int, list[tuple[int, m.KeyKind]]],
    facts: dict[int, m.MatchFacts] | None = None,
) -> dict[int, list[m.Decided]]:
    """Scored candidates of several records of one side, best first, from each record's point of view.

    Without ``facts``, the facts of the records that met a candidate are read from the database
    (a large import keeps them out of memory: most of its records meet nothing).
    """
    async with fast_reads.one_connection():
        return await _scored_candidates(side, keys, facts)


async def _scored_candidates(
    side: Side,
    keys: dict[int, list[tuple[int, m.KeyKind]]],
    facts: dict[int, m.MatchFacts] | None,
) -> dict[int, list[m.Decided]]:
    postings, crowded = await _postings(
        side, sorted({key for record_keys in keys.values() for key, _ in record_keys})
    )
    await _crowded_rows(side, keys, crowded, postings)
    look_rows = await _look_rows(side, keys, crowded)
    by_looks = {**postings, **look_rows} if look_rows else postings
    agreed = {
        record: _met_by(record_keys, postings, crowded, by_looks) for record, record_keys in keys.items()
    }
    if facts is None:
        facts = await load_facts(side, sorted(record for record, found in agreed.items() if found))
    other_side = SIDES[side].other
    wanted = sorted({other for found in agreed.values() for other in found})
    other_facts = await load_facts(
        other_side,
        wanted,
        open_only=True,
        phones=False,
        unless_valid_id=_hopeless_if_valid_id(agreed, facts),
        numbers_of={
            other
            for record, found in agreed.items()
            if found and _compares_numbers(facts[record])
            for other in found
        },
    )
    return {
        record: m.decide(
            (other, scored)
            for other, pairs in found.items()
            if other in other_facts
            and (scored := _pair(side, facts[record], other_facts[other], pairs)) is not None
        )
        if found
        else []
        for record, found in agreed.items()
    }


def _compares_numbers(facts: m.MatchFacts) -> bool:
    """Whether a record holds a number that a candidate's number of the same kind is compared with:
    a valid ID (one that fails its check, or is masked, agrees only through its keys), a passport,
    an IMEI or a serial number."""
    return m.holds_valid_id(facts) or bool(facts.passports or facts.imeis or facts.serials)


def _hopeless_if_valid_id(
    agreed: dict[int, dict[int, set[tuple[m.KeyKind, m.KeyKind]]]], facts: dict[int, m.MatchFacts]
) -> set[int]:
    """Candidates none of whose pairs could reach review if the candidate holds a valid ID: every record
    that met one holds a valid ID too and met it by names and places alone (a namesake's report, most
    of the third a lookup at a million reports lets go). Left unread, they are dropped as scoring would.

    Both ends' IDs must name everyone they give (``valid_id_names_everyone``, the ``holds_valid_id``
    column), or the IDs may be two people's that count nothing against each other. One met by a card's
    last 4 alone, under a name of its own, is let go too: a stranger, at best a pair to review."""
    verdict: dict[int, bool] = {}
    for record, found in agreed.items():
        if not found:
            continue  # a record that met nothing has no facts read
        valid = m.valid_id_names_everyone(facts[record])
        for other, pairs in found.items():
            hopeless = valid and m.hopeless_against_valid_id(pairs, m.REVIEW_SCORE)
            verdict[other] = verdict.get(other, True) and hopeless
    return {other for other, hopeless in verdict.items() if hopeless}


async def candidates(side: Side, facts: m.MatchFacts, keys: list[tuple[int, m.KeyKind]]) -> list[m.Decided]:
    """Scored candidates for one record (not stored): what ``lostfound match`` and the bench time."""
    return (await candidates_many(side, {0: keys}, {0: facts}))[0]


# --- refreshing records ------------------------------------------------------------------------


async def refresh_many(
    side: Side,
    record_ids: Sequence[int],
    known: dict[int, list[tuple[int, m.KeyKind]]] | None = None,
    scored: dict[int, list[m.Decided]] | None = None,
) -> dict[int, list[m.Decided]]:
    """Re-index records of one side and replace their suggestions; returns them best first.

    ``known`` gives the keys of records just written (bulk import, which works them out beside
    the database work): they are open, have no keys or suggestions yet, and are not read back.
    ``scored``: candidates of some of those already found and scored (by an import's workers).
    """
    scored = scored or {}
    facts: dict[int, m.MatchFacts] | None = None
    async with fast_reads.one_connection():  # the reads; the writes below take a connection of their own
        if known is not None:
            keys = {record: known[record] for record in record_ids}
            live = set(keys)
        else:
            read_as_saved = await _saved_at(side, record_ids)  # before the facts: see below
            facts = await load_facts(side, record_ids)
            keys = {record: hashed_keys(fact, side) for record, fact in facts.items()}
            live = await _open_records(side, list(facts))
        unscored = [record for record in live if record not in scored]
        decided = (
            await candidates_many(
                side,
                {r: keys[r] for r in unscored},
                None if facts is None else {r: facts[r] for r in unscored},
            )
            if unscored
            else {}
        )
    if facts is not None and unscored:
        decided.update(await _with_standing_pairs(side, {r: keys[r] for r in unscored}, facts, decided))
    decided.update((record, found) for record, found in scored.items() if record in live)
    tables = SIDES[side]
    async with write_transaction():
        if known is None:  # records written with their keys listed (bulk import) list them already
            assert facts is not None
            await _drop_keys(side, list(keys))
            # A record saved again since it was read gets these keys, but stays due for matching
            # (``match_overdue``): its own matching may have been done before this write undid it.
            now, saved = datetime.now(UTC), await _saved_at(side, list(keys), in_transaction=True)
            await update_columns(
                tables.records,
                ("match_keys", "holds_valid_id", "matched_at"),
                [
                    (
                        pack_keys(record_keys),
                        m.valid_id_names_everyone(facts[record]),
                        now if saved.get(record) == read_as_saved.get(record) else None,
                        record,
                    )
                    for record, record_keys in keys.items()
                ],
            )
        rows = [(key, int(kind), record) for record, record_keys in keys.items() for key, kind in record_keys]
        # In the table's order, near enough: by the key alone sorts in half the time of whole rows.
        rows.sort(key=itemgetter(0))
        await insert_tuples(tables.keys, ("key", "kind", tables.key_fk), rows)
        decided = await _still_open(side, decided)
        await _store(side, decided, list(keys), fresh=known is not None)
    return decided


async def _with_standing_pairs(
    side: Side,
    keys: dict[int, list[tuple[int, m.KeyKind]]],
    facts: dict[int, m.MatchFacts],
    decided: dict[int, list[m.Decided]],
) -> dict[int, list[m.Decided]]:
    """The records' candidates with their standing suggestions scored too, where the lookup missed them.

    A lookup through crowded look keys reads a bounded sample: a bag known only by its looks meets a
    report whose own lookup, made later for a phone change, reads a sample without the bag. A suggestion
    is re-scored from both records' keys and facts instead of dropped for that, so what is suggested
    does not depend on which side was edited last. Returns the records whose list changed."""
    mine, theirs = SIDES[side].key_fk, SIDES[side].other
    standing: dict[int, set[int]] = {}
    for chunk in _chunks(list(keys)):
        for row in await Match.select(getattr(Match, mine), getattr(Match, theirs)).where(
            getattr(Match, mine).is_in(list(chunk)) & (Match.state == "suggested")
        ):
            standing.setdefault(row[mine], set()).add(row[theirs])
    missed = {
        record: others - {d.other for d in decided.get(record, [])} for record, others in standing.items()
    }
    wanted = sorted({other for others in missed.values() for other in others})
    if not wanted:
        return {}
    other_facts = await load_facts(theirs, wanted, open_only=True, phones=False)
    their_keys = {
        other: [(key, kind, other) for key, kind in listed]
        for other, listed in (await _listed_keys(theirs, wanted)).items()
    }
    changed: dict[int, list[m.Decided]] = {}
    for record, others in missed.items():
        found = [(d.other, d.scored) for d in decided.get(record, [])]
        for other in sorted(others & other_facts.keys()):
            pairs = m.keys_meeting(keys[record], their_keys.get(other, [])).get(other, set())
            if (scored := _pair(side, facts[record], other_facts[other], pairs)) is not None:
                found.append((other, scored))
        if len(found) > len(decided.get(record, [])):
            changed[record] = m.decide(found)
    return changed


async def open_count(side: Side) -> int:
    table = SIDES[side].records
    return await table.count().where(table.status.is_in(list(open_statuses(side))))


async def rematch_open(
    side: Side, progress: Callable[[int], None] = lambda n: None, batch: int = 1000
) -> int:
    """Re-key and re-match every open record of one side, a batch at a time; returns how many.

    A record keeps the keys it was saved with until it is next edited: after an upgrade that keys
    records differently, this gives the older ones the keys the new lookups look for. Reports
    first, then items, as an import leaves them (``lostfound rematch``).
    """
    table = SIDES[side].records
    statuses = open_statuses(side)
    done = last = 0
    while True:
        rows = await (
            table.select(table.id)
            .where((table.id > last) & table.status.is_in(list(statuses)))
            .order_by(table.id)
            .limit(batch)
        )
        if not rows:
            return done
        record_ids = [row["id"] for row in rows]
        await refresh_many(side, record_ids)
        done, last = done + len(record_ids), record_ids[-1]
        progress(len(record_ids))


# Open records waiting for their matching, word for word as the partial indexes of migration
# 2026-12-07T03:00:01 say it (SQLite uses such an index only for a query that repeats its conditions).
OVERDUE: dict[Side, str] = {
    "item": "matched_at IS NULL AND status IN ('in_custody', 'transferred', 'unclaimed')",
    "report": "matched_at IS NULL AND status = 'open'",
}
# A record is saved, then matched: one saved this recently may be in between. One saved longer ago
# than a day is left to `lostfound rematch`: a record whose matching keeps failing is not retried
# for ever, its failure logged every hour till then.
OVERDUE_AFTER = timedelta(minutes=1)
OVERDUE_WITHIN = timedelta(days=1)
OVERDUE_CHUNK = 500  # records matched in one transaction by the hourly pass


async def match_overdue(now: datetime | None = None) -> dict[Side, int]:
    """Match the open records whose matching failed, or never ran, after a save; how many, by side.

    The save stands when its matching fails (``_safely`` logs the failure), and a server stopped
    between the two leaves the same. A new record would meet nothing until edited; an edited one
    would keep the keys and suggestions of what it said before (``matched_at`` tells both). A record
    whose matching fails again is logged and left for the next pass; the others are matched.
    """
    now = now or datetime.now(UTC)
    done: dict[Side, int] = {}
    for side in ("report", "item"):
        name = SIDES[side].table
        # Without statistics SQLite would read the index by status instead.
        index = "" if fast_reads.on_postgres() else f" INDEXED BY {name}_match_overdue"
        sql = f"SELECT id FROM {name}{index} WHERE {OVERDUE[side]} AND updated_at >= ? AND updated_at < ?"
        rows = await fast_reads.fetch(sql, [now - OVERDUE_WITHIN, now - OVERDUE_AFTER])
        waiting = [row[0] for row in rows]
        done[side] = 0
        for start in range(0, len(waiting), OVERDUE_CHUNK):
            chunk = waiting[start : start + OVERDUE_CHUNK]
            try:
                done[side] += await _match_if_overdue(side, chunk)
            except Exception:
                for record in chunk:  # one record failing again must not hold back the others
                    try:
                        done[side] += await _match_if_overdue(side, [record])
                    except Exception:
                        logger.exception("matching %s %d failed again", side, record)
    return done


async def _match_if_overdue(side: Side, record_ids: Sequence[int]) -> int:
    """Match those of ``record_ids`` still due, in one transaction; how many."""
    async with write_transaction():  # refresh_many's writes join it, and it holds the records
        # Every worker of the server runs the pass: one takes each record.
        rows = await _by_id(
            side, ("id",), record_ids, OVERDUE[side], in_transaction=True, lock="FOR UPDATE SKIP LOCKED"
        )
        due = [row[0] for row in rows]
        if due:
            await refresh_many(side, due)
    return len(due)


async def refresh(side: Side, record_id: int) -> list[m.Decided]:
    return (await refresh_many(side, [record_id])).get(record_id, [])


async def refresh_item(item_id: int) -> list[m.Decided]:
    return await _safely("item", item_id)


async def refresh_report(report_id: int) -> list[m.Decided]:
    return await _safely("report", report_id)


async def _safely(side: Side, record_id: int) -> list[m.Decided]:
    """Matching must never undo the save that triggered it: a failure is logged, `lostfound match` redoes it."""
    try:
        return await refresh(side, record_id)
    except Exception:
        logger.exception("matching %s %d failed", side, record_id)
        return []


async def forget(side: Side, record_id: int) -> None:
    """Drop a record's keys and open suggestions (erased, withdrawn, returned)."""
    tables = SIDES[side]
    column = getattr(Match, tables.key_fk)
    async with write_transaction():
        await _drop_keys(side, [record_id])
        await update_columns(tables.records, ("match_keys", "holds_valid_id"), [(b"", False, record_id)])
        others = await Match.select(getattr(Match, tables.other)).where(
            (column == record_id) & (Match.state == "suggested")
        )
        await Match.delete().where((column == record_id) & (Match.state == "suggested"))
        await rebalance(tables.other, [row[tables.other] for row in others])


async def drop_suggestions(item_id: int, report_id: int | None = None) -> None:
    """Delete the open suggestions of an item, and of a report, now matched or returned (inside the
    caller's transaction). Their rivals lose a rival: a pair that now stands out becomes ``auto``."""
    touches = (
        Match.item == item_id if report_id is None else (Match.item == item_id) | (Match.report == report_id)
    )
    rows = await Match.select(Match.item, Match.report).where(touches & (Match.state == "suggested"))
    await Match.delete().where(touches & (Match.state == "suggested"))
    await rebalance("item", sorted({row["item"] for row in rows} - {item_id}))
    await rebalance("report", sorted({row["report"] for row in rows} - {report_id}))


async def _store(
    side: Side, decided: dict[int, list[m.Decided]], record_ids: Sequence[int], fresh: bool = False
) -> None:
    """Replace the suggestions of these records (inside the caller's transaction); ``fresh``: they have none.

    A pair suggested before and still suggested keeps its row, and so its id: an officer comparing
    it (``/matches/{id}``) while either side is edited can still decide on it."""
    mine, theirs = SIDES[side].key_fk, SIDES[side].other
    column = getattr(Match, mine)
    settled: set[tuple[int, int]] = set()
    touched: set[int] = set()
    standing: dict[tuple[int, int], int] = {}  # suggested pairs, to their row
    # Pairs an officer rejected when nothing but looks, names, places and times agreed, to their row.
    rejected_unidentified: dict[tuple[int, int], int] = {}
    for chunk in [] if fresh else _chunks(list(record_ids), 5000):
        for row in await Match.select(
            Match.id, column, getattr(Match, theirs), Match.state, Match.reasons
        ).where(column.is_in(list(chunk))):
            pair = (row[mine], row[theirs])
            if row["state"] == "suggested":
                touched.add(row[theirs])
                standing[pair] = row["id"]
            else:
                settled.add(pair)
                if row["state"] == "rejected" and not m.identified(stored_reasons(row["reasons"])):
                    rejected_unidentified[pair] = row["id"]
    now = datetime.now(UTC)
    kept, added, reopened = [], [], []
    for record, found in decided.items():
        for d in found:
            pair = (record, d.other)
            if pair in settled:
                # A black backpack rejected for its looks, whose owner's ID card then turns up in
                # its lining: what was rejected is not what now agrees, so an officer sees it again.
                if pair in rejected_unidentified and d.scored.identified:
                    reasons = json.dumps([r.as_dict() for r in d.scored.reasons])
                    reopened.append((d.scored.score, d.decision, reasons, rejected_unidentified[pair]))
                continue
            reasons = json.dumps([r.as_dict() for r in d.scored.reasons])
            if (row_id := standing.pop(pair, None)) is not None:
                kept.append((d.scored.score, d.decision, reasons, row_id))
            else:
                added.append(
                    {
                        mine: record,
                        theirs: d.other,
                        "score": d.scored.score,
                        "decision": d.decision,
                        "reasons": reasons,
                        "state": "suggested",
                        "created_at": now,
                    }
                )
    for chunk in _chunks(sorted(standing.values()), 5000):  # what is no longer suggested
        await Match.delete().where(Match.id.is_in(list(chunk)))
    await update_columns(Match, ("score", "decision", "reasons"), kept)
    await insert_rows(Match, added)
    if reopened:
        await _reopen(reopened)
    touched |= {d.other for found in decided.values() for d in found}
    # Every suggestion these records now have names one of the touched records of the other side,
    # and rebalancing those weighs each of their suggestions against all its rivals at both ends:
    # rebalancing these records as well would only decide their suggestions a second time, alike.
    await rebalance(theirs, sorted(touched))


async def _reopen(rows: list[tuple[float, str, str, int]]) -> None:
    """Rejected pairs back to suggestions, each with its new (score, decision, reasons), audited."""
    await update_columns(Match, ("score", "decision", "reasons"), rows)
    ids_ = [row_id for *_, row_id in rows]
    await Match.update(
        {Match.state: "suggested", Match.decided_by: None, Match.decided_at: None, Match.note: ""}
    ).where(Match.id.is_in(ids_))
    for row in await Match.select(
        Match.score, Match.item.reference.as_alias("item"), Match.report.reference.as_alias("report")
    ).where(Match.id.is_in(ids_)):
        detail = {"report": row["report"], "score": row["score"]}
        await audit.record(Actor.system("matching"), "match.reopen", "found_item", row["item"], detail)


def stored_reasons(raw: Any) -> list[dict[str, Any]]:
    """A match row's reasons: a list from PostgreSQL's JSON column, a string from SQLite's."""
    return raw if isinstance(raw, list) else json.loads(raw or "[]")


async def rebalance(side: Side, record_ids: Sequence[int]) -> None:
    """``auto`` only for a pair that stands out from both ends: each record's best by the margin.

    Lists of ids go to the database CHUNK at a time: a batch of an import holds tens of
    thousands, past what one statement may carry (32,767 parameters on PostgreSQL).
    """
    if not record_ids:
        return
    async with write_transaction():  # the caller's, when it has one: it reads what that one wrote
        rows = await _suggestions(SIDES[side].key_fk, list(record_ids))
        if not rows:
            return
        # Every suggestion at either end of these rows, each once, so that each row meets its rivals.
        everything = {
            other["id"]: other
            for end in ("item", "report")
            for other in await _suggestions(end, sorted({row[end] for row in rows}))
        }
        by_item: dict[int, list[tuple[int, float]]] = {}
        by_report: dict[int, list[tuple[int, float]]] = {}
        for other in everything.values():
            by_item.setdefault(other["item"], []).append((other["id"], other["score"]))
            by_report.setdefault(other["report"], []).append((other["id"], other["score"]))
        auto_ids = {
            row["id"]
            for row in rows
            if _stands_out(row, by_item.get(row["item"], []) + by_report.get(row["report"], []))
        }
        review_ids = [row["id"] for row in rows if row["id"] not in auto_ids]
        for decision, match_ids in (("auto", sorted(auto_ids)), ("review", review_ids)):
            for chunk in _chunks(match_ids):
                await execute_many(
                    Match,
                    f'UPDATE "match" SET decision = ? WHERE id IN ({_marks(chunk)})',
                    [(decision, *chunk)],
                )


async def _suggestions(column: str, record_ids: Sequence[int]) -> list[Any]:
    """The open suggestions of these items or reports (``column``), read on the write transaction."""
    rows: list[Any] = []
    for chunk in _chunks(record_ids):
        rows += await fetch_in_transaction(
            Match,
            f'SELECT id, item, report, score, reasons FROM "match" WHERE {column} IN ({_marks(chunk)}) '
            "AND state = 'suggested'",
            chunk,
        )
    return rows


def _stands_out(row: dict[str, Any], rivals: list[tuple[int, float]]) -> bool:
    """Whether a suggestion may be ``auto`` and beats every other one of its item and its report."""
    if not m.may_be_auto(row["score"], stored_reasons(row["reasons"])):
        return False
    return all(row["score"] - score >= m.AUTO_MARGIN for match_id, score in rivals if match_id != row["id"])


# --- reading suggestions -----------------------------------------------------------------------


async def matches_of(side: Side, record_id: int) -> list[dict[str, Any]]:
    """Suggestions and confirmed matches of one record, best first, as the API shows them."""
    column = getattr(Match, SIDES[side].key_fk)
    rows = await (
        Match.select(
            Match.id,
            Match.score,
            Match.decision,
            Match.reasons,
            Match.state,
            Match.item.reference.as_alias("found_item"),
            Match.report.reference.as_alias("lost_report"),
        )
        .where((column == record_id) & (Match.state != "rejected"))
        .order_by(Match.score, ascending=False)
        .order_by(getattr(Match, SIDES[side].other), ascending=False)  # equal scores: the latest first
    )
    other = "lost_report" if side == "item" else "found_item"
    return [
        {
            other: row[other],
            "score": row["score"],
            "decision": row["decision"],
            "state": row["state"],
            "reasons": stored_reasons(row["reasons"]),
            "id": row["id"],
        }
        for row in rows
    ]


async def matches_for_reference(reference: str, refresh_first: bool = False) -> list[dict[str, Any]]:
    """The API answer for a found item or a lost report given by its reference."""
    from lostfound.services import found_items, lost_reports

    side: Side = "report" if reference.strip().upper().startswith("LR-") else "item"
    record = await (
        lost_reports.get_report(reference) if side == "report" else found_items.get_item(reference)
    )
    if refresh_first:
        await refresh(side, record["id"])
    return [{k: v for k, v in row.items() if k != "id"} for row in await matches_of(side, record["id"])]
