"""Stations: listing, creating and editing them (admins only, enforced by the web layer)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lostfound.domain.accounts import (
    normalise_station_code,
    station_code_problem,
    station_code_shape_problem,
)
from lostfound.domain.i18n_markers import N_
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.services.errors import Conflict, NotFound, ServiceError
from lostfound.services.transactions import write_transaction
from lostfound.tables import Station


@dataclass(frozen=True)
class StationInput:
    code: str
    name_zh: str
    name_en: str
    address_zh: str = ""
    address_en: str = ""
    phone: str = ""
    opening_hours_zh: str = ""
    opening_hours_en: str = ""
    is_bureau: bool = False  # a district bureau: stations send it their unclaimed property

    def cleaned(self) -> StationInput:
        values = {k: v.strip() if isinstance(v, str) else v for k, v in asdict(self).items()}
        values["code"] = normalise_station_code(values["code"])
        return StationInput(**values)


# The column sizes of the station table; longer input is refused before it reaches the database.
FIELD_LIMITS = {
    name: getattr(Station, name).length
    for name in StationInput.__dataclass_fields__
    if hasattr(getattr(Station, name), "length")
}


def _validate(data: StationInput, new: bool = True) -> None:
    """``new``: the station is being created, so its code must be one a station may be given; an
    existing station's code cannot change, and one given before a code was reserved stays."""
    problem = station_code_problem(data.code) if new else station_code_shape_problem(data.code)
    if problem:
        raise ServiceError(problem, field="code")
    if not data.name_zh:
        raise ServiceError(N_("Enter the station's Chinese name."), field="name_zh")
    if not data.name_en:
        raise ServiceError(N_("Enter the station's English name."), field="name_en")
    for name, value in asdict(data).items():
        if name in FIELD_LIMITS and len(value) > FIELD_LIMITS[name]:
            raise ServiceError(
                N_("At most %(limit)d characters, please."), field=name, limit=FIELD_LIMITS[name]
            )


async def list_stations(active_only: bool = False) -> list[dict]:
    query = Station.select().order_by(Station.code)
    if active_only:
        query = query.where(Station.active.eq(True))
    return await query


async def get_station(code: str) -> dict:
    normalised = normalise_station_code(code)
    row = (
        None
        if station_code_shape_problem(normalised)
        else await Station.select().where(Station.code == normalised).first()
    )
    if row is None:
        raise NotFound(N_("No station has the code %(code)s."), code=normalised[:8])
    return row


async def create_station(actor: Actor, data: StationInput) -> dict:
    data = data.cleaned()
    _validate(data)
    async with write_transaction():
        if await Station.exists().where(Station.code == data.code):
            raise Conflict(
                N_("A station with the code %(code)s already exists."), field="code", code=data.code
            )
        await Station.insert(Station(**asdict(data)))
        await audit.record(actor, "station.create", "station", data.code, {"name_zh": data.name_zh})
    return await get_station(data.code)


async def update_station(actor: Actor, code: str, data: StationInput) -> dict:
    data = data.cleaned()
    _validate(data, new=False)
    current = await get_station(code)
    if data.code != current["code"]:
        raise ServiceError(N_("A station's code cannot be changed."), field="code")
    changes = {k: v for k, v in asdict(data).items() if current.get(k) != v}
    if changes:
        async with write_transaction():
            await Station.update(changes).where(Station.code == current["code"])
            await audit.record(
                actor, "station.update", "station", current["code"], {"fields": sorted(changes)}
            )
    return await get_station(code)
