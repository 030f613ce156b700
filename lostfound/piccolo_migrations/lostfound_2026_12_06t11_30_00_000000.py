"""An index of the open found items and lost reports that have no matching keys, by their last save.

A save stands even when the matching it triggers fails (the failure is logged). The server looks for
such records every hour and matches them; the index holds only them, so that costs nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T11:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial indexes of open records without matching keys"

# The conditions ``services.matching.UNKEYED`` queries with, word for word: SQLite uses a partial index
# only for a query whose conditions include the index's own.
_INDEXES = {
    "found_item": "length(match_keys) = 0 AND status IN ('in_custody', 'transferred', 'unclaimed')",
    "lost_report": "length(match_keys) = 0 AND status = 'open'",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager


async def _create():
    from piccolo.engine import engine_finder

    for table, condition in _INDEXES.items():
        await engine_finder().run_ddl(
            f"CREATE INDEX {table}_unkeyed ON {table} (updated_at) WHERE {condition}"
        )


async def _drop():
    from piccolo.engine import engine_finder

    for table in _INDEXES:
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {table}_unkeyed")
