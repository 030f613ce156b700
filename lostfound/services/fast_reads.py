"""Hot read paths (matching lookups) on a connection that is kept open.

Piccolo's SQLite engine opens a connection (and a thread) for every query, some 3 ms each;
a match lookup is a handful of indexed reads that take microseconds, so on SQLite it reads
through one long-lived read-only connection per event loop. On PostgreSQL it borrows from
Piccolo's asyncpg pool. SQL is written with ``?`` placeholders.

``inline`` reads (matching's point reads by key or id, 10–50 µs each) run on the event loop's
own thread: a hop to a connection thread and back costs some 150 µs, several times the read.
Longer reads (the board's page, a scan of a table) keep the hop so the loop serves meanwhile.
Inline reads give SQLite's own values: Piccolo's converters (an ``int(Decimal(...))`` for every
integer) cost more than the read, so times come back as text and ``moment`` reads them.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import aiosqlite
from piccolo.engine.postgres import PostgresEngine

from lostfound.database import TunedSQLiteConnection
from lostfound.tables import FoundItem

_connections: dict[int, aiosqlite.Connection] = {}
_inline_connections: dict[int, sqlite3.Connection] = {}
_PLACEHOLDER = re.compile(r"\?")
# The PostgreSQL connection the reads of one lookup share (``one_connection``).
_held: ContextVar[Any] = ContextVar("lostfound_read_connection", default=None)


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...``."""
    counter = iter(range(1, 100_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def on_postgres() -> bool:
    """Whether reads go to PostgreSQL (a few hot queries are phrased per engine for its planner)."""
    return isinstance(FoundItem._meta.db, PostgresEngine)


@asynccontextmanager
async def one_connection() -> AsyncIterator[None]:
    """The reads inside go through one PostgreSQL connection (nothing changes on SQLite).

    A read that borrows from the pool pays for a second round trip, as asyncpg resets the
    connection when it is given back: about 0.2 ms on reads of 0.1 ms, five to seven times a
    lookup. Only for a run of reads: the connection is not held across writes, which take
    their own from the same pool."""
    engine = FoundItem._meta.db
    if not isinstance(engine, PostgresEngine) or engine.pool is None or _held.get() is not None:
        yield
        return
    async with engine.pool.acquire() as connection:
        token = _held.set(connection)
        try:
            yield
        finally:
            _held.reset(token)


async def fetch(sql: str, params: Sequence[Any] = (), inline: bool = False) -> list[tuple[Any, ...]]:
    engine = FoundItem._meta.db
    if isinstance(engine, PostgresEngine):
        held = _held.get()
        if held is not None:
            return [tuple(row) for row in await held.fetch(numbered(sql), *params)]
        pool = engine.pool
        if pool is None:  # a command-line run without a pool
            connection = await engine.get_new_connection()
            try:
                return [tuple(row) for row in await connection.fetch(numbered(sql), *params)]
            finally:
                await connection.close()
        async with pool.acquire() as connection:
            return [tuple(row) for row in await connection.fetch(numbered(sql), *params)]
    if inline:
        return _inline_connection(engine.connection_kwargs["database"]).execute(sql, tuple(params)).fetchall()
    connection = await _sqlite_connection(engine.connection_kwargs["database"])
    # One trip to the connection's thread (execute, fetch and close there), not three.
    return [tuple(row) for row in await connection.execute_fetchall(sql, tuple(params))]


async def _sqlite_connection(path: str) -> aiosqlite.Connection:
    loop_id = id(asyncio.get_running_loop())
    connection = _connections.get(loop_id)
    if connection is None:
        connection = aiosqlite.connect(
            path, timeout=30, detect_types=3, isolation_level=None, factory=TunedSQLiteConnection
        )
        connection.daemon = True  # never keep a finished command-line run alive
        await connection
        await connection.execute("PRAGMA query_only = ON")
        _connections[loop_id] = connection
    return connection


def _inline_connection(path: str) -> sqlite3.Connection:
    loop_id = id(asyncio.get_running_loop())
    connection = _inline_connections.get(loop_id)
    if connection is None:
        connection = sqlite3.connect(
            path, timeout=30, isolation_level=None, check_same_thread=False, factory=TunedSQLiteConnection
        )
        connection.execute("PRAGMA query_only = ON")
        _inline_connections[loop_id] = connection
    return connection


def moment(value: datetime | str | None) -> datetime | None:
    """A timestamptz column's value as an inline read gives it (text on SQLite), as Piccolo reads it."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


async def close() -> None:
    """Close this loop's read connections (at shutdown, and in tests that swap databases)."""
    inline = _inline_connections.pop(id(asyncio.get_running_loop()), None)
    if inline is not None:
        inline.close()
    connection = _connections.pop(id(asyncio.get_running_loop()), None)
    if connection is not None:
        await connection.close()
