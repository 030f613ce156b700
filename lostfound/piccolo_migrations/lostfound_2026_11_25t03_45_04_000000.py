"""Indexes for matching that Piccolo's column options cannot express (composite and unique)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T03:45:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes on matching keys; one match row per item and report"

# A lookup reads (key, kind, record) from the index alone, never the table.
_CREATE = [
    "CREATE INDEX item_key_lookup ON item_key (key, kind, item)",
    "CREATE INDEX report_key_lookup ON report_key (key, kind, report)",
    "CREATE UNIQUE INDEX match_pair ON match (item, report)",
]
_DROP = [
    "DROP INDEX IF EXISTS item_key_lookup",
    "DROP INDEX IF EXISTS report_key_lookup",
    "DROP INDEX IF EXISTS match_pair",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager


async def _create():
    from piccolo.engine import engine_finder

    for statement in _CREATE:
        await engine_finder().run_ddl(statement)


async def _drop():
    from piccolo.engine import engine_finder

    for statement in _DROP:
        await engine_finder().run_ddl(statement)
