"""The key tables are kept in key order, keyed by (key, kind, record), with no row id.

A lookup only ever reads (key, kind, record) by key, and a record's rows are found by the keys it
lists (``match_keys``): a table with a row id held every key twice, once in the table and once in
its lookup index. On SQLite the table becomes the index (WITHOUT ROWID); on PostgreSQL the lookup
index becomes the primary key and the id column goes. A million reports' SQLite file went from
2.49 to 1.87 GB, within what SQLite memory-maps (2 GB).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "key tables keyed by (key, kind, record)"

_SIDES = (("item_key", "item", "found_item"), ("report_key", "report", "lost_report"))


def _sqlite_rebuild(table: str, record: str, records: str, keyed: bool) -> list[str]:
    if keyed:
        columns = '"key" INTEGER NOT NULL DEFAULT 0, "kind" INTEGER NOT NULL DEFAULT 0, '
        tail = f', PRIMARY KEY ("key", "kind", "{record}")) WITHOUT ROWID'
        after = []
    else:
        columns = '"id" INTEGER PRIMARY KEY NOT NULL, "key" INTEGER NOT NULL DEFAULT 0, "kind" INTEGER NOT NULL DEFAULT 0, '
        tail = ")"
        after = [f"CREATE INDEX {table}_lookup ON {table} (key, kind, {record})"]
    return [
        f'CREATE TABLE "{table}_new" ({columns}"{record}" INTEGER NOT NULL REFERENCES "{records}" ("id") '
        f"ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null{tail}",
        # A record never holds one key of one kind twice; OR IGNORE only guards the copy.
        f'INSERT OR IGNORE INTO "{table}_new" ("key", "kind", "{record}") SELECT "key", "kind", "{record}" FROM "{table}"',
        f'DROP TABLE "{table}"',
        f'ALTER TABLE "{table}_new" RENAME TO "{table}"',
        *after,
    ]


def _postgres(table: str, record: str, keyed: bool) -> list[str]:
    if keyed:
        return [
            f'ALTER TABLE "{table}" DROP COLUMN "id"',
            f'ALTER TABLE "{table}" ADD PRIMARY KEY ("key", "kind", "{record}")',
            f"DROP INDEX IF EXISTS {table}_lookup",
        ]
    return [
        f'ALTER TABLE "{table}" DROP CONSTRAINT "{table}_pkey"',
        f'ALTER TABLE "{table}" ADD COLUMN "id" SERIAL PRIMARY KEY',
        f"CREATE INDEX {table}_lookup ON {table} (key, kind, {record})",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_keyed)
    manager.add_raw_backwards(_with_row_ids)
    return manager


async def _keyed():
    await _run(keyed=True)


async def _with_row_ids():
    await _run(keyed=False)


async def _run(keyed: bool) -> None:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    for table, record, records in _SIDES:
        if isinstance(engine, PostgresEngine):
            statements = _postgres(table, record, keyed)
        else:
            statements = _sqlite_rebuild(table, record, records, keyed)
        for statement in statements:
            await engine.run_ddl(statement)
