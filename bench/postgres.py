"""Scratch databases for the benchmarks: one statement on the server's admin connection."""

from __future__ import annotations


async def admin(dsn: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()
