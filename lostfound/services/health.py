"""Is the service able to do its work: the database answers, and Redis when it is used."""

from __future__ import annotations

import logging

from lostfound.tables import Station

log = logging.getLogger("lostfound.health")


async def database_ok() -> bool:
    try:
        await Station.raw("SELECT 1")
    except Exception:  # any failure to reach the database means "not ready"
        log.warning("database check failed", exc_info=True)
        return False
    return True


async def redis_ok(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:  # unreachable, refused, timed out: not ready
        log.warning("redis check failed", exc_info=True)
        return False
    finally:
        await client.aclose()
