"""Is the service able to do its work: the database answers."""

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
