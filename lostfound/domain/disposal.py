"""Disposal of unclaimed property: what may happen to which kind of item."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from lostfound.domain.found_items import DOCUMENT_KINDS, ContentKind
from lostfound.domain.i18n_markers import N_


class DisposalMethod(StrEnum):
    TREASURY = "treasury"  # cash is paid to the state treasury
    AUCTION = "auction"
    DESTRUCTION = "destruction"
    ISSUING_AUTHORITY = "issuing_authority"  # ID documents go back to the authority that issued them
    BANK = "bank"  # bank cards go back to their banks
    SEPARATED = "separated"  # a wallet or bag: its contents each go their own way


METHOD_LABELS: dict[DisposalMethod, str] = {
    DisposalMethod.TREASURY: N_("Cash paid to the state treasury"),
    DisposalMethod.AUCTION: N_("Sold at public auction, proceeds to the treasury"),
    DisposalMethod.DESTRUCTION: N_("Destroyed (no value, or unsafe to keep)"),
    DisposalMethod.ISSUING_AUTHORITY: N_("ID documents sent to the issuing authority"),
    DisposalMethod.BANK: N_("Bank cards sent back to their banks"),
    DisposalMethod.SEPARATED: N_(
        "Contents separated: cash to the treasury, documents to the issuing authority, cards to their "
        "banks, the rest auctioned or destroyed"
    ),
}


class DisposalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # and carried out: the item is disposed of
    REFUSED = "refused"


_SPECIAL = frozenset({ContentKind.CASH, ContentKind.BANK_CARD, ContentKind.DEPOSIT_SLIP}) | DOCUMENT_KINDS


def allowed_methods(category: str, content_kinds: Iterable[str]) -> list[DisposalMethod]:
    """The lawful ways to dispose of an item of ``category`` holding ``content_kinds``."""
    if category == "cash":
        return [DisposalMethod.TREASURY]
    if category == "id_document":
        return [DisposalMethod.ISSUING_AUTHORITY]
    if category == "bank_card":
        return [DisposalMethod.BANK]
    if any(kind in _SPECIAL for kind in content_kinds):
        return [DisposalMethod.SEPARATED]
    return [DisposalMethod.AUCTION, DisposalMethod.DESTRUCTION]


# An owner confirmed for the item has claimed it (art. 318): it waits for them, never for disposal.
OWNER_CONFIRMED = N_(
    "The owner of this item was confirmed (%(reference)s): it waits for them to collect it and cannot be "
    "disposed of."
)
# A suggestion may be the owner: disposing of the item would drop it unseen, and the owner never hears.
OWNER_SUGGESTED = N_(
    "An owner may have reported this item (%(reference)s): confirm or reject the suggestion in the match "
    "queue first."
)


def disposal_blocker(confirmed: str | None, suggested: Sequence[str]) -> tuple[str, str] | None:
    """Why an item may not be disposed of, as (message, references of the reports), or None if it may.

    ``confirmed`` is the report confirmed as its owner's, ``suggested`` those still waiting for review.
    """
    if confirmed:
        return OWNER_CONFIRMED, confirmed
    if suggested:
        return OWNER_SUGGESTED, ", ".join(suggested)
    return None
