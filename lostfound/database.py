"""The Piccolo engine for the configured database, and applying migrations."""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from lostfound.settings import Settings

# Pages are read through the operating system's cache, which outlives a connection: Piccolo opens
# one per transaction and one per query outside a transaction, and a cold private cache made each
# batch of a large import re-read the key indexes. (SQLite caps the mapping at its compile-time
# limit, 2 GB by default.)
SQLITE_MMAP_BYTES = 1 << 33
SQLITE_TUNING = (f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}",)


class TunedSQLiteConnection(sqlite3.Connection):
    """A connection that memory-maps the file from the moment it opens.

    Given to ``sqlite3.connect`` as its ``factory``: Piccolo opens a query outside a transaction on a
    connection of its own (not through ``get_connection``), and that one needs the tuning as much.
    A scan of a million reports through such a connection took 0.95 s with ``pread`` for every page,
    0.54 s mapped.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pragma in SQLITE_TUNING:
            self.execute(pragma)


def engine_for(settings: Settings) -> Engine:
    if settings.uses_postgres:
        # The service asks short indexed questions: compiling one (PostgreSQL's JIT, which its
        # planner starts whenever a key lookup over a million reports looks costly) took 8 ms of
        # a 1 ms match lookup.
        return PostgresEngine(config={"dsn": settings.database_url, "server_settings": {"jit": "off"}})
    # Writers queue for the lock (BEGIN IMMEDIATE) rather than failing after sqlite3's default 5 s.
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30, factory=TunedSQLiteConnection)


async def open_pool(settings: Settings) -> None:
    """Open the asyncpg pool (PostgreSQL only; SQLite connects per query)."""
    from piccolo_conf import DB

    if isinstance(DB, PostgresEngine):
        await DB.start_connection_pool(min_size=settings.db_pool_min, max_size=settings.db_pool_max)


async def close_pool() -> None:
    from lostfound.services import fast_reads
    from piccolo_conf import DB

    await fast_reads.close()

    if isinstance(DB, PostgresEngine):
        await DB.close_connection_pool()


async def migrate() -> None:
    """Apply every pending migration; a no-op when the schema is current."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    from piccolo_conf import DB

    if isinstance(DB, SQLiteEngine):
        # Write-ahead logging (stored in the file): readers never wait for the writer, and the
        # matcher's long-lived read connection sees each commit as it lands.
        await DB.run_ddl("PRAGMA journal_mode=WAL")
