"""One way to open a write transaction on either engine."""

from __future__ import annotations

from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from lostfound.tables import AuditEvent


def write_transaction(*, check_foreign_keys: bool = True) -> Any:
    """A transaction for a write path.

    On SQLite it is ``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers
    queue instead of failing half-way with "database is locked".

    ``check_foreign_keys=False`` is for a bulk import's batch, whose rows point only at rows it
    wrote itself and at stations (which the service never deletes). On SQLite each row's parent is
    then not looked up: a batch's key and content rows name the records the same transaction has
    just written and read back, and the check cost a third of writing a key row. Nothing in a
    batch deletes, so no cascade is skipped; the import's tests check the result with
    ``PRAGMA foreign_key_check``. PostgreSQL checks as usual, and a transaction already open is
    joined as it is.
    """
    engine = AuditEvent._meta.db
    if not isinstance(engine, SQLiteEngine):
        return engine.transaction()
    if check_foreign_keys or engine.current_transaction.get() is not None:
        return engine.transaction(transaction_type=TransactionType.immediate)
    return _UncheckedSQLiteTransaction(engine, transaction_type=TransactionType.immediate)


class _UncheckedSQLiteTransaction(SQLiteTransaction):
    """``BEGIN IMMEDIATE`` on a connection that does not look up the parent of every row it inserts.

    SQLite can only switch foreign key checks before a transaction begins, so it is done as the
    connection opens (Piccolo turns them on there); the connection is closed with the transaction.
    """

    async def get_connection(self) -> Any:
        connection = await super().get_connection()
        await connection.execute("PRAGMA foreign_keys = 0")
        return connection
