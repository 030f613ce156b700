"""JSON API for found items: intake, reading (numbers masked), listing, photos."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.response import Response

from lostfound.services import found_items, item_photos, matching
from lostfound.web.access import current_member
from lostfound.web.api_bodies import FoundItemIn, found_item_input
from lostfound.web.forms import client_ip, page_number
from lostfound.web.item_views import MATCH_REFUSALS, OwnersOut, item_out, list_filter, owners_out


class FoundItemsApi(Controller):
    path = "/api/v1/found-items"
    tags = ["found items"]
    security = [{"BearerToken": []}]

    @post("/", summary="Log a found item", status_code=201)
    async def create(self, request: Request, data: JSONBody[FoundItemIn]) -> dict[str, Any]:
        member = current_member(request)
        assert member is not None
        ref = await found_items.create_item(member.actor(client_ip(request)), found_item_input(data))
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

    @get(
        "/{reference:str}/matches",
        summary="Likely owners (lost reports), best first, with reasons",
        responses=MATCH_REFUSALS,
    )
    async def matches(self, reference: FromPath[str]) -> OwnersOut:
        item = await found_items.get_item(reference)
        return owners_out(await matching.matches_of("item", item["id"]))

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
