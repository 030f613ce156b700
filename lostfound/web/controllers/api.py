"""JSON API v1 for staff scripts: authenticate with ``Authorization: Bearer <token>``."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get

from lostfound.services import stations
from lostfound.web.access import current_member


class Me(msgspec.Struct):
    username: str
    display_name: str
    role: str
    station: str


class StationOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    phone: str
    opening_hours_zh: str
    opening_hours_en: str


class StationList(msgspec.Struct):
    stations: list[StationOut]


class ApiV1Controller(Controller):
    path = "/api/v1"
    tags = ["staff"]
    security = [{"BearerToken": []}]

    @get("/me", summary="The account a token belongs to")
    async def me(self, request: Request) -> Me:
        member = current_member(request)
        assert member is not None
        return Me(member.username, member.display_name, member.role.value, member.station_code)

    @get("/stations", summary="Active stations with their public contact details")
    async def list_stations(self) -> StationList:
        rows = await stations.list_stations(active_only=True)
        return StationList(
            stations=[StationOut(**{f: row[f] for f in StationOut.__struct_fields__}) for row in rows]
        )
