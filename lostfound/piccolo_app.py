"""Piccolo app registration: tables and migrations of lostfound."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="lostfound",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["lostfound.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
