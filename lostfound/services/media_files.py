"""Which media files the records name, and sweeping the ones none names.

A photo's files are written inside the transaction that records them: a worker killed before the
commit (or a failed intake whose clean-up was cut short) leaves files no row names. The sweep
removes those, and the temp files of interrupted writes, once they are older than any intake.
"""

from __future__ import annotations

import asyncio

from lostfound.services import fast_reads
from lostfound.settings import Settings
from lostfound.storage import MediaStore

# Columns that hold media keys: (table, column).
MEDIA_COLUMNS = (
    ("item_photo", "master_key"),
    ("item_photo", "display_key"),
    ("item_photo", "thumb_key"),
    ("item_photo", "public_key"),
    ("deed_photo", "master_key"),
    ("deed_photo", "display_key"),
    ("deed_photo", "thumb_key"),
    ("handover", "signature_key"),
    ("notice_item", "public_key"),
)
# Far longer than any intake takes between writing its files and committing its rows.
ORPHAN_AFTER_SECONDS = 3600


async def referenced_keys() -> set[str]:
    keys: set[str] = set()
    for table, column in MEDIA_COLUMNS:
        rows = await fast_reads.fetch(f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" <> \'\'')
        keys.update(row[0] for row in rows)
    return keys


async def sweep_orphans(settings: Settings, older_than_seconds: float = ORPHAN_AFTER_SECONDS) -> list[str]:
    """Remove the files no record names (and stale temp files); returns what was removed."""
    keys = await referenced_keys()
    store = MediaStore(settings.media_dir)
    return await asyncio.to_thread(store.sweep_orphans, keys, older_than_seconds)
