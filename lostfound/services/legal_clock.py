"""The one-year clock of found property: items whose claim period ended become ``unclaimed``.

Only items in custody run out. An owner identified and told to come has claimed the item (art.
318): an ``owner_found`` item waits for its hand-over however long that takes.

Run hourly by the background loop and by ``lostfound clock run``; ``now`` can be given, so a
test (or an operator catching up) decides what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lostfound.domain.found_items import CustodyKind, ItemStatus
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.transactions import write_transaction
from lostfound.tables import FoundItem

# An item whose owner was found has been claimed, and may not go to the state (nor be disposed of)
# under its owner's feet. An item on its way to another station waits until it is received there:
# nobody may dispose of what is on the road.
RUNNING = (ItemStatus.IN_CUSTODY.value,)


async def expire_due(now: datetime | None = None) -> list[str]:
    """Mark every item past its claim deadline ``unclaimed``; returns their references."""
    now = now or datetime.now(UTC)
    actor = Actor.system("legal-clock")
    due = await FoundItem.select(FoundItem.id, FoundItem.reference, FoundItem.storage_location).where(
        FoundItem.claim_deadline.is_not_null()
        & (FoundItem.claim_deadline <= now)
        & FoundItem.status.is_in(list(RUNNING))
    )
    done: list[str] = []
    for row in due:
        async with write_transaction():
            changed = await (
                FoundItem.update({FoundItem.status: ItemStatus.UNCLAIMED.value, FoundItem.updated_at: now})
                .where((FoundItem.id == row["id"]) & FoundItem.status.is_in(list(RUNNING)))
                .returning(FoundItem.id)
            )
            if not changed:
                continue
            # Its suggestions stay: until it is disposed of, a late owner can still have it back.
            await record_custody(row["id"], actor, CustodyKind.CLAIM_PERIOD_ENDED, row["storage_location"])
            await audit.record(actor, "found_item.unclaimed", "found_item", row["reference"], {})
        done.append(row["reference"])
    return done


async def unclaimed_items(station_code: str | None) -> list[dict[str, Any]]:
    query = FoundItem.select(
        FoundItem.id,
        FoundItem.reference,
        FoundItem.category,
        FoundItem.description,
        FoundItem.claim_deadline,
        FoundItem.storage_location,
        FoundItem.station.code.as_alias("station_code"),
    ).where(FoundItem.status == ItemStatus.UNCLAIMED.value)
    if station_code is not None:
        query = query.where(FoundItem.station.code == station_code)
    return await query.order_by(FoundItem.claim_deadline)
