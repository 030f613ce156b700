"""Recording each attempt to reach the owner of an unreported item. Audited."""

from __future__ import annotations

from typing import Any

from lostfound.domain.contact import ContactMethod, ContactOutcome
from lostfound.domain.i18n_markers import N_
from lostfound.services import audit, found_items
from lostfound.services.context import Actor
from lostfound.services.errors import Forbidden
from lostfound.services.found_items import InvalidItem
from lostfound.services.item_contents import Problems, free_text
from lostfound.services.transactions import write_transaction
from lostfound.tables import ContactAttempt


async def record_attempt(
    actor: Actor, reference: str, content_id: int | None, method: str, outcome: str, note: str = ""
) -> None:
    item = await found_items.get_item(reference)
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may record contact attempts."))
    problems = Problems()
    if method not in {m.value for m in ContactMethod}:
        problems.add("method", N_("Choose how you tried to reach the owner."))
    if outcome not in {o.value for o in ContactOutcome}:
        problems.add("outcome", N_("Choose what happened."))
    if content_id is not None and content_id not in {row["id"] for row in item["contents"]}:
        problems.add("content", N_("Choose a lead from this item."))
    text = free_text(note, 500, "note", problems)
    if problems:
        raise InvalidItem(problems)
    async with write_transaction():
        await ContactAttempt.insert(
            ContactAttempt(
                item=item["id"],
                content=content_id,
                actor=actor.user_id,
                actor_name=actor.username,
                method=method,
                outcome=outcome,
                note=text,
            )
        )
        await audit.record(
            actor,
            "found_item.contact",
            "found_item",
            item["reference"],
            {"method": method, "outcome": outcome},
        )


async def attempts_for(item_id: int) -> list[dict[str, Any]]:
    return await (
        ContactAttempt.select(
            ContactAttempt.all_columns(),
            ContactAttempt.actor.display_name.as_alias("actor_display"),
            ContactAttempt.content.phone_masked.as_alias("lead_phone"),
            ContactAttempt.content.kind.as_alias("lead_kind"),
        )
        .where(ContactAttempt.item == item_id)
        .order_by(ContactAttempt.id)
    )


def leads(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Content rows that can lead to the owner: phone numbers found inside, named documents and cards."""
    return [row for row in item["contents"] if row["phone_masked"] or row["holder_name"]]
