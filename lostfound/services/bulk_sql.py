"""Many rows in one ``executemany`` on the current write transaction (bulk import, matching).

Building a Piccolo object per row costs more than the insert itself once there are thousands;
values go through the same adapters (Piccolo registers them with sqlite3; asyncpg has its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import ADAPTERS, SQLiteEngine
from piccolo.table import Table

from lostfound.services.fast_reads import numbered


def column_defaults(table: type[Table]) -> dict[str, Any]:
    """Every column ``insert_rows`` writes (all but the primary key), in its order, with its default."""
    return {
        column._meta.db_column_name: column.get_default_value()
        for column in table._meta.columns
        if not column._meta.primary_key
    }


def bound_in_advance(table: type[Table], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``values`` as SQLite will store them, converted now by Piccolo's own adapters.

    sqlite3 calls an adapter for every value that is not a plain int, float or str as it binds it:
    a lost report's five timestamps took about a sixth of the instructions of an import's inserts.
    Done in the import's worker instead, the writer binds plain values. PostgreSQL (COPY) takes
    them as they are.
    """
    if not isinstance(table._meta.db, SQLiteEngine):
        return values
    bound = list(values)
    for index, value in enumerate(values):
        if (convert := _CONVERT.get(type(value))) is not None:
            bound[index] = convert(value)
    return tuple(bound)


# What sqlite3 makes of a value as it binds it: Piccolo's adapters, and a bool as the integer it is.
_CONVERT: dict[type, Callable[[Any], Any]] = {**ADAPTERS, bool: int}


async def insert_rows(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (column name -> value; missing columns take their defaults). Inside a transaction."""
    if not rows:
        return
    defaults = column_defaults(table)
    columns = list(defaults)
    await insert_tuples(
        table, columns, [tuple(row.get(name, defaults[name]) for name in columns) for row in rows]
    )


async def insert_tuples(
    table: type[Table], columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Insert value tuples in ``columns`` order: the fast path for narrow tables such as the key tables."""
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if isinstance(engine, PostgresEngine) and transaction is not None and values:
        # PostgreSQL's COPY: an INSERT per row cost some 10 µs a key row, most of a report's import.
        await transaction.connection.copy_records_to_table(
            table._meta.tablename, records=values, columns=list(columns)
        )
        return
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    await execute_many(table, f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})', values)


async def delete_tuples(
    table: type[Table], columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Delete the rows whose ``columns`` hold each of the value tuples."""
    where = " AND ".join(f'"{name}" = ?' for name in columns)
    await execute_many(table, f'DELETE FROM "{table._meta.tablename}" WHERE {where}', values)


async def update_columns(
    table: type[Table], columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Set ``columns`` of each row: ``values`` holds (new values..., row id) tuples."""
    assignments = ", ".join(f'"{column}" = ?' for column in columns)
    await execute_many(table, f'UPDATE "{table._meta.tablename}" SET {assignments} WHERE "id" = ?', values)


def _open_transaction(table: type[Table]) -> tuple[bool, Any]:
    """(whether it is PostgreSQL, the connection) of the write transaction the caller has open."""
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk reads and writes need an open write transaction")
    return isinstance(engine, PostgresEngine), transaction.connection


async def fetch_in_transaction(table: type[Table], sql: str, params: Sequence[Any]) -> list[Any]:
    """Rows (by column name) of a read on the open write transaction, which sees what it wrote.

    Plain SQL: Piccolo builds a query with thousands of ids slower than the database answers it."""
    postgres, connection = _open_transaction(table)
    if postgres:
        return list(await connection.fetch(numbered(sql), *params))
    return list(await connection.execute_fetchall(sql, tuple(params)))


async def execute_many(table: type[Table], sql: str, values: Sequence[tuple[Any, ...]]) -> None:
    """Run ``sql`` (``?`` placeholders) once per value tuple, on the open write transaction."""
    if not values:
        return
    postgres, connection = _open_transaction(table)
    if postgres:
        sql = numbered(sql)
    else:
        # A bigger page cache for this connection: bulk writes land all over the key indexes.
        await connection.execute("PRAGMA cache_size = -524288")
    await connection.executemany(sql, values)
