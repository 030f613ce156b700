"""What every kind of notice shares: reading one by its reference, and moving it from one state to the next."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lostfound.domain.i18n_markers import N_
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.services.errors import Conflict, NotFound
from lostfound.services.transactions import write_transaction
from lostfound.tables import Notice


async def notice_row(reference: str, kinds: Iterable[str]) -> dict[str, Any]:
    """A notice of one of ``kinds`` with its station's names and phone, or ``NotFound``."""
    notice = await (
        Notice.select(
            Notice.all_columns(),
            Notice.station.code.as_alias("station_code"),
            Notice.station.name_zh.as_alias("station_name_zh"),
            Notice.station.name_en.as_alias("station_name_en"),
            Notice.station.phone.as_alias("station_phone"),
            Notice.created_by.display_name.as_alias("created_by_name"),
            Notice.approved_by.display_name.as_alias("approved_by_name"),
        )
        .where(
            (Notice.reference == reference.strip().upper()[:24]) & Notice.kind.is_in([str(k) for k in kinds])
        )
        .first()
    )
    if notice is None:
        raise NotFound(N_("No notice has the number %(reference)s."), reference=reference[:24])
    return notice


async def move_status(
    actor: Actor, notice: dict[str, Any], expected: str, changes: dict, action: str, also: Any = None
) -> None:
    """Apply ``changes`` only if the notice is still ``expected`` (and ``also`` holds); audited."""
    async with write_transaction():
        where = (Notice.id == notice["id"]) & (Notice.status == expected)
        changed = (
            await Notice.update(changes).where(where if also is None else where & also).returning(Notice.id)
        )
        if not changed:
            raise Conflict(N_("The notice changed meanwhile. Reload the page."))
        await audit.record(actor, action, "notice", notice["reference"], {})
