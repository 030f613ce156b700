"""When each found item and lost report was last matched, and an index of those waiting for it.

A save stands even when the matching it triggers fails (the failure is logged), and a server stopped
between the two leaves the same. The hourly pass used to find only records without any keys: an edited
record whose matching failed kept its old keys and suggestions until its next edit. Now a save clears
``matched_at`` in its own transaction and matching sets it, so the pass finds both. Records already
keyed count as matched at their last save; the index holds only those waiting, so it costs nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T03:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "records already keyed count as matched; an index of those still to match"

# The conditions ``services.matching.OVERDUE`` queries with, word for word: SQLite uses a partial index
# only for a query whose conditions include the index's own.
_INDEXES = {
    "found_item": "matched_at IS NULL AND status IN ('in_custody', 'transferred', 'unclaimed')",
    "lost_report": "matched_at IS NULL AND status = 'open'",
}
# The indexes of migration 2026-12-06T11:30, which this one replaces, are made again on the way back.
_OPEN = {
    "found_item": "status IN ('in_custody', 'transferred', 'unclaimed')",
    "lost_report": "status = 'open'",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_fill_and_index)
    manager.add_raw_backwards(_drop)
    return manager


async def _fill_and_index():
    from piccolo.engine import engine_finder

    engine = engine_finder()
    for table, condition in _INDEXES.items():
        await engine.run_ddl(f"UPDATE {table} SET matched_at = updated_at WHERE length(match_keys) > 0")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {table}_unkeyed")
        await engine.run_ddl(f"CREATE INDEX {table}_match_overdue ON {table} (updated_at) WHERE {condition}")


async def _drop():
    from piccolo.engine import engine_finder

    engine = engine_finder()
    for table, statuses in _OPEN.items():
        await engine.run_ddl(f"DROP INDEX IF EXISTS {table}_match_overdue")
        await engine.run_ddl(
            f"CREATE INDEX {table}_unkeyed ON {table} (updated_at) WHERE length(match_keys) = 0 AND {statuses}"
        )
