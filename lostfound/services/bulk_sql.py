"""Many rows in one ``executemany`` on the current write transaction (bulk import, matching).

Building a Piccolo object per row costs more than the insert itself once there are thousands;
values go through the same adapters (Piccolo registers them with sqlite3; asyncpg has its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table


def _defaults(table: type[Table]) -> dict[str, Any]:
    return {
        column._meta.db_column_name: column.get_default_value()
        for column in table._meta.columns
        if not column._meta.primary_key
    }


async def insert_rows(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (column name -> value; missing columns take their defaults). Inside a transaction."""
    if not rows:
        return
    defaults = _defaults(table)
    columns = list(defaults)
    await insert_tuples(
        table, columns, [tuple(row.get(name, defaults[name]) for name in columns) for row in rows]
    )


async def insert_tuples(
    table: type[Table], columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Insert value tuples in ``columns`` order: the fast path for narrow tables such as the key tables."""
    if not values:
        return
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk inserts need an open write transaction")
    if isinstance(engine, PostgresEngine):
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    else:
        marks = ", ".join("?" for _ in columns)
        # A bigger page cache for this connection: bulk inserts land all over the key indexes.
        await transaction.connection.execute("PRAGMA cache_size = -524288")
    names = ", ".join(f'"{name}"' for name in columns)
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
    await transaction.connection.executemany(sql, values)
