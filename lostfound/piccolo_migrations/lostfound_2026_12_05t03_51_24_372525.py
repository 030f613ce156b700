"""Keyed hashes, external references and a report's category are never searched by: their indexes only slowed writes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-05T03:51:24:372525"
VERSION = "1.38.0"
DESCRIPTION = "drop the indexes nothing reads"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="FoundItem",
        tablename="found_item",
        column_name="external_ref",
        db_column_name="external_ref",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="FoundItem",
        tablename="found_item",
        column_name="finder_phone_hash",
        db_column_name="finder_phone_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ItemContent",
        tablename="item_content",
        column_name="number_hash",
        db_column_name="number_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ItemContent",
        tablename="item_content",
        column_name="phone_hash",
        db_column_name="phone_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LostReport",
        tablename="lost_report",
        column_name="owner_id_hash",
        db_column_name="owner_id_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LostReport",
        tablename="lost_report",
        column_name="owner_phone_hash",
        db_column_name="owner_phone_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LostReport",
        tablename="lost_report",
        column_name="category",
        db_column_name="category",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LostReport",
        tablename="lost_report",
        column_name="external_ref",
        db_column_name="external_ref",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ReportContent",
        tablename="report_content",
        column_name="number_hash",
        db_column_name="number_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ReportContent",
        tablename="report_content",
        column_name="phone_hash",
        db_column_name="phone_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
