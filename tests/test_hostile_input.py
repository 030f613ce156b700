"""Odd and hostile input gets a clear answer, never a 500, and leaves nothing half-written."""

from __future__ import annotations

import asyncio

import httpx

from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.tables import ApiToken, AuditEvent, Station
from tests.factories import SYSTEM, csrf_from, http_client, make_user, post_form, sign_in, soup, text_of


async def test_simultaneous_guesses_cannot_outrun_the_lockout(app) -> None:
    await make_user("dc.officer")

    async def guess() -> int:
        async with http_client(app) as browser:
            page = await browser.get("/login")
            response = await browser.post(
                "/login",
                data={"username": "dc.officer", "password": "a-wrong-guess", "_csrf_token": csrf_from(page)},
            )
            return response.status_code

    statuses = await asyncio.gather(*(guess() for _ in range(8)))
    assert sorted(statuses) == [400] * 5 + [429] * 3


async def test_junk_usernames_are_a_plain_failed_sign_in(client: httpx.AsyncClient) -> None:
    for junk in ("x" * 100_000, "dc.officer\x00", "<script>alert(1)</script>"):
        page = await client.get("/login")
        response = await client.post(
            "/login", data={"username": junk, "password": "whatever-it-is", "_csrf_token": csrf_from(page)}
        )
        assert response.status_code == 400, junk[:20]
    targets = await AuditEvent.select(AuditEvent.target_id).output(as_list=True)
    assert targets and all(len(t) <= 32 for t in targets)


async def test_nul_characters_in_addresses_get_a_400_page(client: httpx.AsyncClient) -> None:
    await make_user("dc.admin", role=Role.ADMIN)
    await sign_in(client, "dc.admin")
    for path in (
        "/admin/users/%00",
        "/admin/stations/%00",
        "/admin/audit?actor=%00",
        "/admin/users?station=%00",
    ):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert soup(response).h1.get_text(strip=True) == "无法处理该请求"
    odd = await client.get("/admin/users/" + "a" * 500)
    assert odd.status_code == 404


async def test_overlong_station_fields_are_refused_with_the_limit(client: httpx.AsyncClient) -> None:
    await make_user("dc.admin", role=Role.ADMIN)
    await sign_in(client, "dc.admin")
    form = {"code": "LX", "name_zh": "柳" * 150, "name_en": "Liuxi", "phone": "1" * 100}
    response = await post_form(client, "/admin/stations/new", "/admin/stations/new", form)
    assert response.status_code == 400 and "最多 100 个字符" in text_of(response)
    assert not await Station.exists().where(Station.code == "LX")


async def test_audit_page_survives_odd_filters(client: httpx.AsyncClient) -> None:
    await make_user("dc.admin", role=Role.ADMIN)
    await sign_in(client, "dc.admin")
    for query in (
        "page=99999999999999999999",
        "since=0001-01-01",
        "until=9999-12-31",
        "page=-3",
        "since=yesterday",
    ):
        assert (await client.get(f"/admin/audit?{query}")).status_code == 200, query
    assert (await client.get("/admin/audit?page=abc")).status_code == 400


async def test_signed_in_pages_are_not_cached(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    assert "no-store" not in (await client.get("/login")).headers.get("cache-control", "")
    await sign_in(client, "dc.officer")
    assert (await client.get("/")).headers["cache-control"] == "no-store"


async def test_a_password_reset_revokes_the_accounts_api_tokens(client: httpx.AsyncClient) -> None:
    admin = await make_user("dc.admin", role=Role.ADMIN)
    await make_user("dc.officer")
    token = await accounts.create_token(SYSTEM, "dc.officer")
    await accounts.reset_password(admin.actor(), "dc.officer", "Fresh-Temporary-9")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 0


async def test_new_account_for_an_unknown_station_is_a_field_error(client: httpx.AsyncClient) -> None:
    await make_user("dc.admin", role=Role.ADMIN)
    await sign_in(client, "dc.admin")
    form = {
        "username": "xx.one",
        "display_name": "x",
        "role": "duty_officer",
        "station_code": "QQ",
        "password": "Temporary-Pass-1",
        "confirm_password": "Temporary-Pass-1",
    }
    response = await post_form(client, "/admin/users/new", "/admin/users/new", form)
    assert response.status_code == 400 and "没有代码为 QQ 的派出所" in text_of(response)
