"""Substring search index for found items (engine-specific DDL; see lostfound/services/search.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T00:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "substring search index for found items"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lostfound", description=DESCRIPTION)
    manager.add_raw(_create_search_index)
    manager.add_raw_backwards(_drop_search_index)
    return manager


# Substring search that works for Chinese (see lostfound/services/search.py): an FTS5
# trigram mirror of found_item.search_text on SQLite, a pg_trgm GIN index on PostgreSQL.
_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE found_item_fts USING fts5("
    "search_text, content='found_item', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER found_item_fts_insert AFTER INSERT ON found_item BEGIN "
    "INSERT INTO found_item_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER found_item_fts_delete AFTER DELETE ON found_item BEGIN "
    "INSERT INTO found_item_fts(found_item_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER found_item_fts_update AFTER UPDATE OF search_text ON found_item BEGIN "
    "INSERT INTO found_item_fts(found_item_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO found_item_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX found_item_search_trgm ON found_item USING gin (search_text gin_trgm_ops)",
]


async def _create_search_index():
    from piccolo.engine import engine_finder

    engine = engine_finder()
    for statement in _SQLITE_SEARCH if engine.engine_type == "sqlite" else _POSTGRES_SEARCH:
        await engine.run_ddl(statement)


async def _drop_search_index():
    from piccolo.engine import engine_finder

    engine = engine_finder()
    if engine.engine_type == "sqlite":
        for name in ("found_item_fts_insert", "found_item_fts_delete", "found_item_fts_update"):
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        await engine.run_ddl("DROP TABLE IF EXISTS found_item_fts")
    else:
        await engine.run_ddl("DROP INDEX IF EXISTS found_item_search_trgm")
