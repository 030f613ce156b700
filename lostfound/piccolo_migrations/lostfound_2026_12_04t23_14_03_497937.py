"""Found items and lost reports list their matching keys; the key tables drop their index by record."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, ForeignKey
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T23:14:03:497937"
VERSION = "1.38.0"
DESCRIPTION = "records list their matching keys; key tables without an index by record"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)

    manager.add_column(
        table_class_name="FoundItem",
        tablename="found_item",
        column_name="match_keys",
        db_column_name="match_keys",
        column_class_name="Bytea",
        column_class=Bytea,
        params={
            "default": b"",
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

    manager.add_column(
        table_class_name="LostReport",
        tablename="lost_report",
        column_name="match_keys",
        db_column_name="match_keys",
        column_class_name="Bytea",
        column_class=Bytea,
        params={
            "default": b"",
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

    manager.alter_column(
        table_class_name="ItemKey",
        tablename="item_key",
        column_name="item",
        db_column_name="item",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ReportKey",
        tablename="report_key",
        column_name="report",
        db_column_name="report",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
