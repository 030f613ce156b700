"""Handing an item back (认领): what must hold before an officer may give it to a claimant.

Pure rules, no I/O. The service compares keyed hashes and passes the outcomes in; these
functions say whether the handover may go ahead and, if not, why — in words an officer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lostfound.domain.i18n_markers import N_

# Failed identity checks on one item, within the window, before checks stop until a supervisor looks.
MAX_FAILED_CHECKS = 3
FAILED_CHECK_WINDOW_HOURS = 24
ADULT_AGE = 18


class IdCheck(StrEnum):
    """How the claimant's (or, for a proxy, the owner's) ID number compares with what the item holds."""

    EXACT = "exact"  # the keyed hash equals that of an ID document in the item (or of the owner's report)
    MISREAD = "misread"  # the item's number failed its check digit and is one character from this valid one
    MASKED_AGREES = (
        "masked_agrees"  # the item holds only a partly readable number, and what is readable agrees
    )
    DIFFERENT = "different"  # a valid number of someone else
    INVALID = "invalid"  # the number typed fails its own check: a typing error, nothing compared
    NOTHING_TO_COMPARE = "nothing_to_compare"  # no ID number in the item nor on a confirmed report


ID_CHECK_LABELS: dict[IdCheck, str] = {
    IdCheck.EXACT: N_("The ID number agrees with the ID details of the item."),
    IdCheck.MISREAD: N_(
        "The ID number agrees, except for one character that was misread when the item was logged "
        "(the number logged fails its check digit). Compare it with the document in the item."
    ),
    IdCheck.MASKED_AGREES: N_(
        "The item holds only a partly readable ID number, and its readable part agrees. The contents "
        "must be described as well."
    ),
    IdCheck.DIFFERENT: N_(
        "The ID number does not agree with the ID details of the item: it belongs to someone else."
    ),
    IdCheck.INVALID: N_("This is not a valid ID number (its check digit is wrong). Check what was typed."),
    IdCheck.NOTHING_TO_COMPARE: N_(
        "The item holds no ID number to compare with. The claimant must describe the item and its contents."
    ),
}

# Outcomes that prove the identity on their own; the others need the contents described.
STRONG_CHECKS = frozenset({IdCheck.EXACT, IdCheck.MISREAD})
# Outcomes recorded as a failed verification (a possible false claim) for the supervisor.
FAILED_CHECKS = frozenset({IdCheck.DIFFERENT})


class FailedCheckState(StrEnum):
    OPEN = "open"  # waiting for the supervisor
    REVIEWED = "reviewed"


@dataclass(frozen=True)
class Claim:
    """What the officer established at the desk, as the rules need it."""

    id_check: IdCheck
    # Contents of the item (wallet, bag) and how many of them the claimant described correctly.
    contents_total: int
    contents_described: int
    # For items without contents: the claimant described the item itself correctly.
    item_described: bool
    proxy: bool = False
    proxy_id_valid: bool = False
    proxy_birth_date: date | None = None
    proxy_is_owner: bool = False  # the proxy's ID number is the owner's: not a proxy at all
    authorisation_seen: bool = False
    second_officer_needed: bool = False
    second_officer_confirmed: bool = False
    signed: bool = False


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def needs_second_officer(has_cash_or_slip: bool, estimated_value: Decimal | None, threshold: Decimal) -> bool:
    """Cash and deposit slips always; anything else valued at ``threshold`` yuan or more."""
    return has_cash_or_slip or (estimated_value is not None and estimated_value >= threshold)


def contents_needed(claim: Claim) -> int:
    """How many contents the claimant must describe: one with a proven ID, at least half without."""
    if claim.contents_total == 0:
        return 0
    if claim.id_check in STRONG_CHECKS:
        return 1
    return (claim.contents_total + 1) // 2


Problem = tuple[str, str, dict[str, int]]  # (form field, untranslated message, its parameters)


def problems(claim: Claim, today: date) -> list[Problem]:
    """Everything that stops the handover, in form order; empty when it may go ahead."""
    found: list[Problem] = []
    if claim.id_check in (IdCheck.DIFFERENT, IdCheck.INVALID):
        found.append(("id_number", ID_CHECK_LABELS[claim.id_check], {}))
    needed = contents_needed(claim)
    if claim.contents_described < needed:
        found.append(
            (
                "contents",
                N_("The claimant must describe at least %(count)d of the contents correctly."),
                {"count": needed},
            )
        )
    if claim.contents_total == 0 and claim.id_check not in STRONG_CHECKS and not claim.item_described:
        found.append(
            ("item_described", N_("Without an ID that agrees, the claimant must describe the item."), {})
        )
    if claim.proxy:
        if not claim.proxy_id_valid:
            found.append(("proxy_id_number", N_("Enter the valid ID number of the person collecting."), {}))
        elif claim.proxy_is_owner:
            found.append(
                (
                    "proxy_id_number",
                    N_("The person collecting is the owner: untick “collecting for someone”."),
                    {},
                )
            )
        elif claim.proxy_birth_date is None or age_on(claim.proxy_birth_date, today) < ADULT_AGE:
            found.append(("proxy_id_number", N_("Someone collecting for the owner must be an adult."), {}))
        if not claim.authorisation_seen:
            found.append(
                ("authorisation_seen", N_("A proxy needs a letter of authorisation signed by the owner."), {})
            )
    if claim.second_officer_needed and not claim.second_officer_confirmed:
        found.append(
            (
                "second_officer",
                N_(
                    "Cash and valuables are handed over by two officers: a second officer must sign in below."
                ),
                {},
            )
        )
    if not claim.signed:
        found.append(("signature", N_("The claimant must sign on the screen."), {}))
    return found


def handover_reference(station_code: str, year: int, seq: int) -> str:
    """``HO-DC-2026-000007``: the receipt number, per station and year."""
    return f"HO-{station_code}-{year}-{seq:06d}"
