"""Sign in, sign out and the language switch."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect

from lostfound import i18n
from lostfound.services import accounts
from lostfound.services.errors import ServiceError
from lostfound.settings import get_settings
from lostfound.web.access import current_member
from lostfound.web.auth import SESSION_STAMP, SESSION_USER
from lostfound.web.forms import client_ip, field_errors, form_data, safe_next
from lostfound.web.locale import LANGUAGE_COOKIE
from lostfound.web.rate_limits import per_client
from lostfound.web.sessions import rotate_session_id
from lostfound.web.templating import render


class AuthController(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_page(
        self, request: Request, next: FromQuery[str] = "/", signed_out: FromQuery[bool] = False
    ) -> Any:
        if current_member(request) is not None:
            return Redirect(path=safe_next(next))
        return render(
            request,
            "login.html",
            next=safe_next(next),
            errors={},
            username="",
            signed_out=signed_out,
            page_title=i18n.gettext("Sign in"),
        )

    # Sign-in attempts per client address per minute (failed ones also lock the username).
    @post(
        "/login", middleware=[per_client("login", "minute", get_settings().login_attempts_per_minute, True)]
    )
    async def login(self, request: Request) -> Any:
        form = await form_data(request)
        settings = get_settings()
        next_path = safe_next(form.get("next"))
        try:
            member = await accounts.authenticate(
                form.get("username", ""),
                form.get("password", ""),
                client_ip(request),
                failures=request.app.stores.get("login_failures"),
                max_failures=settings.login_failures_before_lockout,
                lockout_seconds=settings.login_lockout_seconds,
            )
        except ServiceError as exc:
            return render(
                request,
                "login.html",
                status_code=exc.status_code,
                next=next_path,
                errors=field_errors(exc),
                username=form.get("username", ""),
                signed_out=False,
                page_title=i18n.gettext("Sign in"),
            )
        rotate_session_id(request)
        request.set_session({SESSION_USER: member.id, SESSION_STAMP: member.password_stamp})
        return Redirect(
            path="/account/password" if member.must_change_password else next_path, status_code=303
        )

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        member = current_member(request)
        if member is not None:
            await accounts.record_logout(member, client_ip(request))
        request.clear_session()
        return Redirect(path="/login?signed_out=1", status_code=303)

    @post("/language")
    async def switch_language(self, request: Request) -> Response:
        form = await form_data(request)
        locale = i18n.from_tag(form.get("lang")) or i18n.DEFAULT
        response = Redirect(path=safe_next(form.get("next")), status_code=303)
        response.set_cookie(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=i18n.language_tag(locale),
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=get_settings().secure_cookies,
            )
        )
        return response
