"""JSON API for found items: intake, reading (numbers masked), listing, photos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.response import Response

from lostfound.services import found_items, item_photos, matching
from lostfound.services.found_items import ContentInput, FinderInput, FoundItemInput
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, page_number
from lostfound.web.item_views import item_out, list_filter, match_out

Amount = str | int | float | None


class FinderIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str = ""
    phone: str = ""
    consent_to_publish: bool = False
    wants_news: bool = False
    reward: str = "undecided"


class ContentIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    holder_name: str = ""
    id_number: str = ""
    card_number: str = ""
    card_last4: str = ""
    bank: str = ""
    amount: Amount = None
    phone: str = ""
    note: str = ""
    as_printed: bool = False
    device_number: str = ""  # kinds imei and serial_number


class FoundItemIn(msgspec.Struct, forbid_unknown_fields=True):
    category: str
    found_at: datetime
    station: str = ""
    description: str = ""
    colour: str = ""
    brand: str = ""
    found_place: str = ""
    district: str = ""
    external_ref: str = ""
    finder: FinderIn = msgspec.field(default_factory=FinderIn)
    storage_location: str = ""
    estimated_value: Amount = None
    contents: list[ContentIn] = msgspec.field(default_factory=list)


def amount_text(value: Amount) -> str:
    """Amounts may come as JSON numbers or strings; the service parses the text either way."""
    return "" if value is None else str(value)


def content_input(row: ContentIn) -> ContentInput:
    return ContentInput(**{**msgspec.structs.asdict(row), "amount": amount_text(row.amount)})


def to_input(body: FoundItemIn) -> FoundItemInput:
    return FoundItemInput(
        station=body.station,
        category=body.category,
        found_at=body.found_at,
        description=body.description,
        colour=body.colour,
        brand=body.brand,
        found_place=body.found_place,
        district=body.district,
        external_ref=body.external_ref,
        storage_location=body.storage_location,
        estimated_value=amount_text(body.estimated_value),
        finder=FinderInput(**msgspec.structs.asdict(body.finder)),
        contents=[content_input(c) for c in body.contents],
    )


class FoundItemsApi(Controller):
    path = "/api/v1/found-items"
    tags = ["found items"]
    security = [{"BearerToken": []}]

    @post("/", summary="Log a found item", status_code=201)
    async def create(self, request: Request, data: JSONBody[FoundItemIn]) -> dict[str, Any]:
        member = current_member(request)
        assert member is not None
        ref = await found_items.create_item(member.actor(client_ip(request)), to_input(data))
        return item_out(await found_items.get_item(ref))

    @get("/", summary="Found items, newest first, with the same filters as the item list page")
    async def list(
        self,
        station: FromQuery[str] = "",
        status: FromQuery[str] = "",
        category: FromQuery[str] = "",
        found_from: FromQuery[str] = "",
        found_to: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> dict[str, Any]:
        filters = list_filter(station, status, category, found_from, found_to, q)
        result = await found_items.list_items(filters, page=page_number(page))
        return {
            "items": [
                {
                    "reference": row["reference"],
                    "station": row["station_code"],
                    "category": row["category"],
                    "description": row["description"],
                    "status": row["status"],
                    "found_at": row["found_at"].isoformat(),
                    "found_place": row["found_place"],
                    "storage_location": row["storage_location"],
                }
                for row in result.items
            ],
            "page": result.page,
            "has_next": result.has_next,
        }

    @get("/{reference:str}", summary="One found item as stored, numbers masked")
    async def read(self, reference: FromPath[str]) -> dict[str, Any]:
        return item_out(await found_items.get_item(reference))

    @get("/{reference:str}/matches", summary="Likely owners (lost reports), best first, with reasons")
    async def matches(self, reference: FromPath[str]) -> dict[str, Any]:
        item = await found_items.get_item(reference)
        return {"matches": [match_out(row) for row in await matching.matches_of("item", item["id"])]}

    @post(
        "/{reference:str}/photos",
        summary="Add a photo (multipart field `photo`; `?document=true` for a photo of an ID card, bank card "
        "or slip, whose public copy is then blurred over all its text)",
        status_code=201,
    )
    async def add_photo(
        self,
        request: Request,
        reference: FromPath[str],
        data: MultipartBody[dict[str, UploadFile]],
        document: FromQuery[bool] = False,
    ) -> Response[dict[str, Any]]:
        member = current_member(request)
        assert member is not None
        upload = data.get("photo")
        payload = await upload.read() if isinstance(upload, UploadFile) else b""
        photo = await item_photos.add_photo(member.actor(client_ip(request)), reference, payload, document)
        return Response(photo, status_code=201)
