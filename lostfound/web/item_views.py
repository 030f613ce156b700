"""Shapes of a found item for the API and helpers shared by the item pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec
from litestar.openapi import ResponseSpec

from lostfound.services.found_items import ItemFilter, decimal_text
from lostfound.settings import TIMEZONE
from lostfound.web.forms import beijing_day

_TZ = ZoneInfo(TIMEZONE)
PROBLEM = "application/problem+json"


def list_filter(
    station: str, status: str, category: str, found_from: str, found_to: str, text: str
) -> ItemFilter:
    """Filters from query parameters; dates are days in Beijing time, ``found_to`` inclusive."""
    until = beijing_day(found_to)
    return ItemFilter(
        station=station.strip().upper()[:8],
        status=status.strip()[:20],
        category=category.strip()[:24],
        found_from=beijing_day(found_from),
        found_to=until + timedelta(days=1) if until else None,
        text=text,
    )


def content_out(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row["id"], "kind": row["kind"]}
    for key in ("holder_name", "number_masked", "card_last4", "bank", "phone_masked", "note"):
        if row.get(key):
            out[key] = row[key]
    if row.get("amount") is not None:
        out["amount"] = decimal_text(row["amount"])
    if row.get("as_printed"):
        out["as_printed"] = True
    return out


def item_out(item: dict[str, Any]) -> dict[str, Any]:
    """The API's view of an item: everything stored except the encrypted numbers, which are masked."""
    return {
        "reference": item["reference"],
        "station": item["station_code"],
        "status": item["status"],
        "category": item["category"],
        "description": item["description"],
        "colour": item["colour"],
        "brand": item["brand"],
        "found_at": item["found_at"].isoformat(),
        "found_place": item["found_place"],
        "district": item["district"],
        "external_ref": item["external_ref"],
        "storage_location": item["storage_location"],
        "estimated_value": decimal_text(item["estimated_value"]) or None,
        "finder": {
            "name": item["finder_name"],
            "phone_masked": item["finder_phone_masked"],
            "consent_to_publish": item["finder_consent_to_publish"],
            "reward": item["finder_reward"],
        },
        "contents": [content_out(row) for row in item["contents"]],
        "photos": [
            {
                "id": p["id"],
                "width": p["width"],
                "height": p["height"],
                "redacted_public_variant": bool(p["public_key"]),
            }
            for p in item["photos"]
        ],
        "custody": [
            {"at": e["at"].isoformat(), "kind": e["kind"], "by": e["actor_name"], "location": e["location"]}
            for e in item["custody"]
        ],
        "received_by": item["received_by_name"],
        "created_at": item["created_at"].isoformat(),
    }


class ReasonOut(msgspec.Struct, omit_defaults=True):
    """One field's part in a score: how it compares (``level``) and what that weighs, in bits."""

    field: str  # id_number, passport, phone, name, card_number, card_last4, bank, imei, serial, time, …
    level: str  # exact, one_edit, partial, masked, homophone, different, in_window, …
    weight: float
    days: int | None = None  # time: days from the loss to the find
    similarity: float | None = None  # description: how alike the two descriptions read (0 to 1)


class OwnerOut(msgspec.Struct):
    """A lost report that may be the found item's owner's."""

    lost_report: str
    score: float
    decision: Literal["auto", "review"]
    state: Literal["suggested", "confirmed"]
    reasons: list[ReasonOut]


class FoundOut(msgspec.Struct):
    """A found item that may be what the report's owner lost."""

    found_item: str
    score: float
    decision: Literal["auto", "review"]
    state: Literal["suggested", "confirmed"]
    reasons: list[ReasonOut]


class OwnersOut(msgspec.Struct):
    matches: list[OwnerOut]  # best first


class FoundItemsOut(msgspec.Struct):
    matches: list[FoundOut]  # best first


class ProblemOut(msgspec.Struct, omit_defaults=True):
    """A refusal, as every API endpoint answers one (``application/problem+json``), in the caller's language."""

    status: int
    title: str
    detail: str
    field: str = ""  # the field at fault, when one is
    errors: list[dict[str, str]] = []  # each field at fault: {"field", "message"}


# What the match endpoints answer besides their matches.
MATCH_REFUSALS = {
    400: ResponseSpec(ProblemOut, description="A malformed request", media_type=PROBLEM),
    401: ResponseSpec(ProblemOut, description="No valid bearer token of an officer", media_type=PROBLEM),
    403: ResponseSpec(ProblemOut, description="The token's account may not see matches", media_type=PROBLEM),
    404: ResponseSpec(ProblemOut, description="No record has this reference", media_type=PROBLEM),
}


def owners_out(rows: list[dict[str, Any]]) -> OwnersOut:
    """A found item's matches as the API shows them (``matching.matches_of``)."""
    return msgspec.convert({"matches": rows}, OwnersOut)


def found_items_out(rows: list[dict[str, Any]]) -> FoundItemsOut:
    """A lost report's matches as the API shows them (``matching.matches_of``)."""
    return msgspec.convert({"matches": rows}, FoundItemsOut)
