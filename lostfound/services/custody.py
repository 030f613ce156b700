"""The custody log of a found item: append-only events of who did what, when, and where it is."""

from __future__ import annotations

import json
from typing import Any

from lostfound.domain.found_items import CustodyKind
from lostfound.services.context import Actor
from lostfound.tables import CustodyEvent


async def record_custody(
    item_id: int, actor: Actor, kind: CustodyKind, location: str = "", **detail: Any
) -> None:
    """Append one event; call inside the transaction of the change it records."""
    await CustodyEvent.insert(
        CustodyEvent(
            item=item_id,
            actor=actor.user_id,
            actor_name=actor.username,
            kind=kind.value,
            location=location,
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )
