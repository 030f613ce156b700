"""An index of the references other systems gave found items and lost reports, where there is one.

An import run again (after it was interrupted, say) looks up each record's external reference and
skips those already there. Records made by hand have none: the index leaves them out.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial indexes on external_ref"

_TABLES = ("found_item", "lost_report")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_create)
    manager.add_raw_backwards(_drop)
    return manager


async def _create():
    from piccolo.engine import engine_finder

    for table in _TABLES:
        await engine_finder().run_ddl(
            f"CREATE INDEX {table}_external_ref ON {table} (external_ref) WHERE external_ref <> ''"
        )


async def _drop():
    from piccolo.engine import engine_finder

    for table in _TABLES:
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {table}_external_ref")
