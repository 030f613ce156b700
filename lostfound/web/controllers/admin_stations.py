"""Admin pages for stations."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.services import stations
from lostfound.services.errors import ServiceError
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, field_errors, form_data
from lostfound.web.templating import render

STATION_FIELDS = [f.name for f in fields(stations.StationInput)]


def _input(form: dict[str, str], code: str | None = None) -> stations.StationInput:
    values: dict[str, object] = {name: form.get(name, "") for name in STATION_FIELDS}
    values["is_bureau"] = bool(form.get("is_bureau"))
    if code is not None:
        values["code"] = code
    return stations.StationInput(**values)


class AdminStationsController(Controller):
    include_in_schema = False
    path = "/admin/stations"

    @get("/")
    async def list_page(self, request: Request) -> Any:
        return render(
            request,
            "admin/stations.html",
            stations=await stations.list_stations(),
            page_title=i18n.gettext("Stations"),
        )

    @get("/new")
    async def new_page(self, request: Request) -> Any:
        return self._form(request, values={}, errors={}, creating=True)

    @post("/new")
    async def create(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None
        form = await form_data(request)
        try:
            station = await stations.create_station(member.actor(client_ip(request)), _input(form))
        except ServiceError as exc:
            return self._form(
                request, values=form, errors=field_errors(exc), creating=True, status_code=exc.status_code
            )
        flash(request, i18n.gettext("Station %(code)s created.", code=station["code"]), category="success")
        return Redirect(path="/admin/stations", status_code=303)

    @get("/{code:str}")
    async def edit_page(self, request: Request, code: FromPath[str]) -> Any:
        station = await stations.get_station(code)
        return self._form(request, values=station, errors={}, creating=False)

    @post("/{code:str}")
    async def update(self, request: Request, code: FromPath[str]) -> Any:
        member = current_member(request)
        assert member is not None
        station = await stations.get_station(code)
        form = await form_data(request)
        try:
            await stations.update_station(
                member.actor(client_ip(request)), code, _input(form, station["code"])
            )
        except ServiceError as exc:
            values = {**form, "code": station["code"]}
            return self._form(
                request, values=values, errors=field_errors(exc), creating=False, status_code=exc.status_code
            )
        flash(request, i18n.gettext("Station %(code)s saved.", code=station["code"]), category="success")
        return Redirect(path="/admin/stations", status_code=303)

    @staticmethod
    def _form(request: Request, values: Any, errors: dict, creating: bool, status_code: int = 200) -> Any:
        title = i18n.gettext("New station") if creating else i18n.gettext("Edit station")
        return render(
            request,
            "admin/station_form.html",
            status_code=status_code,
            values={name: values.get(name, "") for name in STATION_FIELDS},
            errors=errors,
            creating=creating,
            page_title=title,
        )
