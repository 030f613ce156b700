"""Gap-free reference numbers, correct when two officers save at the same moment.

The counter row is bumped with one upsert inside the caller's write transaction: on
PostgreSQL the row lock holds the next writer until commit, on SQLite ``BEGIN IMMEDIATE``
does; a rolled-back intake returns its number, so no gaps appear.
"""

from __future__ import annotations

from lostfound.tables import ReferenceCounter

_BUMP = (
    "INSERT INTO reference_counter (scope, last) VALUES ({}, 1) "
    "ON CONFLICT (scope) DO UPDATE SET last = reference_counter.last + 1 RETURNING last"
)


async def next_number(scope: str) -> int:
    """The next number in ``scope`` (e.g. ``FI:DC:2025``). Call inside a write transaction."""
    rows = await ReferenceCounter.raw(_BUMP, scope)
    return int(rows[0]["last"])


_RESERVE = (
    "INSERT INTO reference_counter (scope, last) VALUES ({}, {}) "
    "ON CONFLICT (scope) DO UPDATE SET last = reference_counter.last + {} RETURNING last"
)


async def reserve(scope: str, count: int) -> int:
    """Reserve ``count`` numbers at once (bulk import); returns the first. Inside a write transaction."""
    rows = await ReferenceCounter.raw(_RESERVE, scope, count, count)
    return int(rows[0]["last"]) - count + 1
