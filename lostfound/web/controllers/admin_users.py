"""Account management: admins for every station, supervisors for their own."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role, may_manage_account, roles_assignable_by
from lostfound.services import accounts, stations
from lostfound.services.accounts import StaffMember
from lostfound.services.errors import ServiceError
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip, field_errors, form_data
from lostfound.web.templating import render

_NEW_FIELDS = ("username", "display_name", "role", "station_code")


def _me(request: Request) -> StaffMember:
    member = current_member(request)
    assert member is not None
    return member


async def _station_choices(member: StaffMember) -> list[dict]:
    if member.role is Role.ADMIN:
        return await stations.list_stations(active_only=True)
    return [await stations.get_station(member.station_code)]


async def _managed(member: StaffMember, username: str) -> StaffMember:
    target = await accounts.member_by_username(username)
    if not may_manage_account(member.role, member.station_code, target.role, target.station_code):
        raise PermissionDeniedException()
    return target


async def _detail_page(
    request: Request, member: StaffMember, target: StaffMember, errors: dict[str, str], status_code: int = 200
) -> Any:
    row = next(r for r in await accounts.list_accounts(target.station_code) if r["id"] == target.id)
    return render(
        request,
        "admin/user_detail.html",
        status_code=status_code,
        account=row,
        is_self=target.id == member.id,
        errors=errors,
        page_title=target.display_name,
    )


class AdminUsersController(Controller):
    include_in_schema = False
    path = "/admin/users"

    @get("/")
    async def list_page(self, request: Request, station: FromQuery[str] = "") -> Any:
        member = _me(request)
        station_code = station.upper() if member.role is Role.ADMIN else member.station_code
        return render(
            request,
            "admin/users.html",
            accounts=await accounts.list_accounts(station_code or None),
            stations=await _station_choices(member),
            selected_station=station_code,
            page_title=i18n.gettext("Accounts"),
        )

    @get("/new")
    async def new_page(self, request: Request) -> Any:
        member = _me(request)
        return await self._form(request, member, {"station_code": member.station_code}, {})

    @post("/new")
    async def create(self, request: Request) -> Any:
        member = _me(request)
        form = await form_data(request)
        errors: dict[str, str] = {}
        status = 400
        if form.get("password", "") != form.get("confirm_password", ""):
            errors["confirm_password"] = i18n.gettext("The two passwords differ.")
        else:
            try:
                created = await accounts.create_account(
                    member.actor(client_ip(request)),
                    accounts.NewAccount(
                        username=form.get("username", ""),
                        display_name=form.get("display_name", ""),
                        role=form.get("role", ""),
                        station_code=form.get("station_code", ""),
                        password=form.get("password", ""),
                        must_change_password=True,
                    ),
                )
            except ServiceError as exc:
                errors, status = field_errors(exc), exc.status_code
        if errors:
            return await self._form(request, member, form, errors, status_code=status)
        flash(
            request,
            i18n.gettext(
                "Account %(username)s created. The password you set must be changed at the first sign-in.",
                username=created.username,
            ),
            category="success",
        )
        return Redirect(path=f"/admin/users/{created.username}", status_code=303)

    @get("/{username:str}")
    async def detail(self, request: Request, username: FromPath[str]) -> Any:
        member = _me(request)
        return await _detail_page(request, member, await _managed(member, username), errors={})

    @post("/{username:str}/active")
    async def set_active(self, request: Request, username: FromPath[str]) -> Any:
        member = _me(request)
        form = await form_data(request)
        active = form.get("active") == "1"
        try:
            await accounts.set_active(member.actor(client_ip(request)), username, active)
        except ServiceError as exc:
            flash(request, i18n.gettext(exc.message, **exc.params), category="error")
        else:
            message = (
                N_("Account %(username)s activated.") if active else N_("Account %(username)s deactivated.")
            )
            flash(request, i18n.gettext(message, username=username), category="success")
        return Redirect(path=f"/admin/users/{username}", status_code=303)

    @post("/{username:str}/password")
    async def reset_password(self, request: Request, username: FromPath[str]) -> Any:
        member = _me(request)
        target = await _managed(member, username)
        form = await form_data(request)
        try:
            if form.get("new_password", "") != form.get("confirm_password", ""):
                raise ServiceError(N_("The two passwords differ."), field="confirm_password")
            await accounts.reset_password(
                member.actor(client_ip(request)), username, form.get("new_password", "")
            )
        except ServiceError as exc:
            return await _detail_page(request, member, target, errors=field_errors(exc), status_code=400)
        flash(
            request,
            i18n.gettext("A temporary password was set for %(username)s.", username=username),
            category="success",
        )
        return Redirect(path=f"/admin/users/{username}", status_code=303)

    @staticmethod
    async def _form(
        request: Request, member: StaffMember, values: dict, errors: dict, status_code: int = 200
    ) -> Any:
        return render(
            request,
            "admin/user_form.html",
            status_code=status_code,
            values={name: values.get(name, "") for name in _NEW_FIELDS},
            errors=errors,
            roles=roles_assignable_by(member.role),
            stations=await _station_choices(member),
            page_title=i18n.gettext("New account"),
        )
