"""Found items and lost reports say whether they hold a valid ID number, written with their keys.

A lookup by a valid ID meets namesakes by their names and places; one holding another valid ID
scores −25 and can never reach review, so it is let go without being read. Records written before
this migration say False until their keys are next written, and are read as before.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "holds_valid_id on found items and lost reports"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    for class_name, table in (("FoundItem", "found_item"), ("LostReport", "lost_report")):
        manager.add_column(
            table_class_name=class_name,
            tablename=table,
            column_name="holds_valid_id",
            db_column_name="holds_valid_id",
            column_class_name="Boolean",
            column_class=Boolean,
            params={
                "default": False,
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
