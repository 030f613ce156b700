"""Good deeds. A handover proposes a ``returned_property`` deed for the finder; the press office
takes it from there."""

from __future__ import annotations

from typing import Any

from lostfound import i18n
from lostfound.domain.deeds import DeedKind, DeedStatus, Naming, ParticipantRole, returned_property_title
from lostfound.domain.found_items import CATEGORY_LABELS, Category
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.tables import Deed, DeedParticipant


async def propose_for_return(actor: Actor, item: dict[str, Any], station_id: int) -> int | None:
    """Propose a deed for the finder of a returned item; call inside the handover's transaction.

    Only when a finder is named: an item left at the desk by nobody in particular praises nobody.
    The finder is named only as far as they agreed at intake.
    """
    if not item.get("finder_name"):
        return None
    category = CATEGORY_LABELS.get(Category(item["category"]), "")
    deed = Deed(
        station=station_id,
        kind=DeedKind.RETURNED_PROPERTY.value,
        status=DeedStatus.PROPOSED.value,
        occurred_at=item["found_at"],
        place=item["found_place"],
        title=returned_property_title(i18n.translate("zh_Hans", category)),
        narrative="",
        item=item["id"],
        created_by=actor.user_id,
    )
    await deed.save()
    deed_id = int(deed.id)
    consent = bool(item["finder_consent_to_publish"])
    await DeedParticipant.insert(
        DeedParticipant(
            deed=deed_id,
            role=ParticipantRole.CIVILIAN.value,
            name=item["finder_name"],
            consent_to_name=consent,
            naming=(Naming.SURNAME if consent else Naming.ANONYMOUS).value,
        )
    )
    await audit.record(actor, "deed.propose", "deed", deed_id, {"item": item["reference"]})
    return deed_id


async def deeds_of_item(item_id: int) -> list[dict[str, Any]]:
    return await Deed.select().where(Deed.item == item_id).order_by(Deed.id)
