"""The access table covers every route, and each role gets exactly what it should."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from lostfound.domain.roles import Role
from lostfound.web.access import ACCESS, PUBLIC
from tests.factories import http_client, make_user, sign_in, soup, text_of


def _registered_paths(app: Litestar) -> set[str]:
    return {route.path_format for route in app.routes}


def test_every_registered_route_has_an_access_rule(app: Litestar) -> None:
    missing = sorted(_registered_paths(app) - ACCESS.keys())
    assert not missing, f"routes without an entry in lostfound/web/access.py ACCESS: {missing}"


def test_the_access_table_names_no_route_that_does_not_exist(app: Litestar) -> None:
    stale = sorted(ACCESS.keys() - _registered_paths(app))
    assert not stale, f"ACCESS entries for routes that are not registered: {stale}"


def test_a_route_missing_from_the_table_is_refused_for_everybody(app: Litestar) -> None:
    from litestar import get

    from lostfound.web.access import access_guard

    @get("/unlisted")
    async def unlisted() -> str:
        return "secret"

    extra = Litestar(route_handlers=[unlisted], guards=[access_guard])
    assert "/unlisted" in _registered_paths(extra) - ACCESS.keys()
    from litestar.testing import TestClient

    with TestClient(extra) as test_client:
        assert test_client.get("/unlisted").status_code == 403


STAFF_PAGES = {
    "/": set(Role),
    "/account/password": set(Role),
    "/admin/users": {Role.ADMIN, Role.SUPERVISOR},
    "/admin/users/new": {Role.ADMIN, Role.SUPERVISOR},
    "/admin/stations": {Role.ADMIN},
    "/admin/stations/new": {Role.ADMIN},
    "/admin/stations/DC": {Role.ADMIN},
    "/admin/audit": {Role.ADMIN},
    "/transfers": {Role.DUTY_OFFICER, Role.SUPERVISOR},
    "/deeds": {Role.DUTY_OFFICER, Role.SUPERVISOR, Role.PRESS},
    "/deeds/new": {Role.DUTY_OFFICER, Role.SUPERVISOR},
    "/press/notices": {Role.DUTY_OFFICER, Role.SUPERVISOR, Role.PRESS},
    "/figures": {Role.PRESS, Role.SUPERVISOR, Role.ADMIN},
    "/notices": {Role.DUTY_OFFICER, Role.SUPERVISOR},
    "/notices/new": {Role.DUTY_OFFICER, Role.SUPERVISOR},
    "/unclaimed": {Role.DUTY_OFFICER, Role.SUPERVISOR},
    "/handovers/checks": {Role.SUPERVISOR, Role.ADMIN},
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_each_role_reaches_its_pages_and_is_refused_the_others(
    client: httpx.AsyncClient, role: Role
) -> None:
    await make_user("someone", role=role)
    await sign_in(client, "someone")
    for path, allowed in STAFF_PAGES.items():
        response = await client.get(path, follow_redirects=False)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, f"{role.value} GET {path}: {response.status_code}"
        if expected == 403:
            assert soup(response).h1.get_text(strip=True) == "无权访问"
            assert "Traceback" not in response.text


async def test_wrong_role_gets_a_403_page_in_english_when_english_is_chosen(
    client: httpx.AsyncClient,
) -> None:
    await make_user("dc.press", role=Role.PRESS)
    await sign_in(client, "dc.press")
    client.cookies.set("lang", "en")
    response = await client.get("/admin/audit")
    assert response.status_code == 403
    assert soup(response).html["lang"] == "en"
    assert soup(response).h1.get_text(strip=True) == "Access denied"


async def test_anonymous_api_call_gets_401_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


async def test_navigation_offers_only_what_the_role_may_open(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty", role=Role.DUTY_OFFICER)
    await sign_in(client, "dc.duty")
    links = {a["href"] for a in soup(await client.get("/")).select("nav a")}
    assert "/admin/audit" not in links and "/admin/users" not in links
    assert "/" in links


async def test_supervisor_navigation_includes_accounts_but_not_stations(client: httpx.AsyncClient) -> None:
    await make_user("dc.sup", role=Role.SUPERVISOR)
    await sign_in(client, "dc.sup")
    links = {a["href"] for a in soup(await client.get("/")).select("nav a")}
    assert "/admin/users" in links and "/admin/stations" not in links


async def test_unknown_page_gets_a_404_page_without_a_stack_trace(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers={"accept-language": "en-GB,en;q=0.9"})
    assert response.status_code == 404
    assert soup(response).h1.get_text(strip=True) == "Page not found"
    assert "Traceback" not in response.text
    chinese = await client.get("/no/such/page")
    assert soup(chinese).h1.get_text(strip=True) == "页面不存在"


async def test_unexpected_errors_show_a_500_page_and_no_trace(database: None) -> None:
    from litestar import get

    from lostfound.web import access
    from lostfound.web.app import create_app

    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("internal detail that must not leak")

    app = create_app(manage_pool=False)
    app.register(boom)
    access.ACCESS["/boom"] = PUBLIC
    try:
        async with http_client(app) as test_client:
            response = await test_client.get("/boom")
    finally:
        del access.ACCESS["/boom"]
    assert response.status_code == 500
    assert "internal detail" not in response.text and "Traceback" not in response.text
    assert "服务器出了点问题" in text_of(response)


async def test_pages_carry_hardening_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    missing = await client.get("/no/such/page")
    assert missing.headers["x-frame-options"] == "DENY"
