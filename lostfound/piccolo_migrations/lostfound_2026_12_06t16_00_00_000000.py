"""Found items and lost reports indexed by their last save.

An import matches again, when it ends, the other side's records saved or edited while it ran. Without
an index that question read every open record: half a second for each file of found items imported
beside a million lost reports.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-12-06T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index found items and lost reports by updated_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    for table_class_name, tablename in (("FoundItem", "found_item"), ("LostReport", "lost_report")):
        manager.alter_column(
            table_class_name=table_class_name,
            tablename=tablename,
            column_name="updated_at",
            db_column_name="updated_at",
            params={"index": True},
            old_params={"index": False},
            column_class=Timestamptz,
            old_column_class=Timestamptz,
            schema=None,
        )
    return manager
