"""One way to open a write transaction on either engine."""

from __future__ import annotations

from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from lostfound.tables import AuditEvent


def write_transaction() -> Any:
    """A transaction for a write path.

    On SQLite it is ``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers
    queue instead of failing half-way with "database is locked".
    """
    engine = AuditEvent._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
