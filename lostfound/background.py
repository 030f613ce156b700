"""Work each worker does beside serving requests: deliver the outbox, apply retention, run the legal
clock, match records whose matching failed when they were saved, sweep media files no record names.

Both are safe in several workers at once (rows are claimed by conditional updates), and
both survive the database going away: a failed pass is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from lostfound.notify.senders import senders_for
from lostfound.services.legal_clock import expire_due
from lostfound.services.matching import match_overdue
from lostfound.services.media_files import sweep_orphans
from lostfound.services.notifications import deliver_due
from lostfound.services.retention import run_retention
from lostfound.settings import Settings

logger = logging.getLogger("lostfound.background")

RETENTION_EVERY_SECONDS = 3600


async def run_forever(settings: Settings, stop: asyncio.Event) -> None:
    senders = senders_for(settings)
    last_retention = 0.0
    while not stop.is_set():
        try:
            await deliver_due(senders, settings.outbox_max_attempts)
            if time.monotonic() - last_retention >= RETENTION_EVERY_SECONDS:
                run = await run_retention(settings)
                last_retention = time.monotonic()
                if run.reminded or run.expired or run.erased:
                    logger.info("retention: %s", run)
                unclaimed = await expire_due()
                if unclaimed:
                    logger.info("claim period ended: %s", ", ".join(unclaimed))
                rematched = await match_overdue()
                if any(rematched.values()):
                    logger.info("matched records whose matching had failed: %s", rematched)
                swept = await sweep_orphans(settings)
                if swept:
                    logger.info("removed %d media file(s) no record names", len(swept))
        except Exception:
            logger.exception("background pass failed; trying again shortly")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.outbox_poll_seconds)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[None]:
    """Run the background loop for the lifetime of the app."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(settings, stop), name="lostfound-background")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=20)
