"""The signed-in member's own account: changing the password."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect

from lostfound import i18n
from lostfound.services import accounts
from lostfound.services.errors import ServiceError
from lostfound.web.access import current_member
from lostfound.web.auth import SESSION_STAMP, SESSION_USER
from lostfound.web.forms import client_ip, field_errors, form_data
from lostfound.web.templating import render


class AccountController(Controller):
    include_in_schema = False
    path = "/account"

    @get("/password")
    async def password_page(self, request: Request) -> Any:
        return render(request, "account/password.html", errors={}, page_title=i18n.gettext("Change password"))

    @post("/password")
    async def change_password(self, request: Request) -> Any:
        member = current_member(request)
        assert member is not None  # guaranteed by the access table
        form = await form_data(request)
        errors: dict[str, str] = {}
        if form.get("new_password", "") != form.get("confirm_password", ""):
            errors["confirm_password"] = i18n.gettext("The two new passwords differ.")
        else:
            try:
                member = await accounts.change_own_password(
                    member.actor(client_ip(request)),
                    member,
                    form.get("current_password", ""),
                    form.get("new_password", ""),
                )
            except ServiceError as exc:
                errors = field_errors(exc)
        if errors:
            return render(
                request,
                "account/password.html",
                status_code=400,
                errors=errors,
                page_title=i18n.gettext("Change password"),
            )
        # Other sessions of this account end; this one carries on with the new stamp.
        request.set_session({SESSION_USER: member.id, SESSION_STAMP: member.password_stamp})
        flash(request, i18n.gettext("Your password has been changed."), category="success")
        return Redirect(path="/", status_code=303)
