"""Bearer tokens on /api/v1 and the OpenAPI description."""

from __future__ import annotations

import httpx

from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.tables import ApiToken
from tests.factories import SYSTEM, make_station, make_user, sign_in


async def test_a_token_identifies_its_owner(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer", display_name="周明远")
    token = await accounts.create_token(SYSTEM, "dc.officer", "desk scanner")
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "dc.officer",
        "display_name": "周明远",
        "role": "duty_officer",
        "station": "DC",
    }
    stored = await ApiToken.select(ApiToken.token_hash, ApiToken.last_used_at).first()
    assert token not in stored["token_hash"] and stored["last_used_at"] is not None


async def test_stations_are_listed_for_token_holders(client: httpx.AsyncClient) -> None:
    await make_user("dc.officer")
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    token = await accounts.create_token(SYSTEM, "dc.officer")
    body = (await client.get("/api/v1/stations", headers={"Authorization": f"Bearer {token}"})).json()
    assert [s["code"] for s in body["stations"]] == ["DC", "FY"]
    assert body["stations"][1]["name_zh"] == "方岩派出所"


async def test_bad_tokens_and_tokens_of_deactivated_staff_get_401(client: httpx.AsyncClient) -> None:
    admin = await make_user("dc.admin", role=Role.ADMIN)
    await make_user("dc.officer")
    token = await accounts.create_token(SYSTEM, "dc.officer")
    for header in ("Bearer lf_not-a-token", "Bearer ", f"Basic {token}", token):
        assert (await client.get("/api/v1/me", headers={"Authorization": header})).status_code == 401
    await accounts.set_active(admin.actor(), "dc.officer", False)
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_a_browser_session_does_not_open_the_api(client: httpx.AsyncClient) -> None:
    """The API is exempt from CSRF checks, so it must not honour session cookies."""
    await make_user("dc.officer")
    await sign_in(client, "dc.officer")
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_openapi_schema_describes_the_api_and_bearer_auth(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    assert "/api/v1/me" in schema["paths"] and "/api/v1/stations" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert not any(path.startswith("/admin") for path in schema["paths"])


async def test_the_schema_documents_what_the_match_endpoints_answer(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    components = schema["components"]["schemas"]
    for path, listed, other in (
        ("/api/v1/found-items/{reference}/matches", "OwnersOut", "lost_report"),
        ("/api/v1/lost-reports/{reference}/matches", "FoundItemsOut", "found_item"),
    ):
        responses = schema["paths"][path]["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(listed)
        match = components[components[listed]["properties"]["matches"]["items"]["$ref"].rsplit("/", 1)[1]]
        assert other in match["required"] and match["properties"]["decision"]["enum"] == ["auto", "review"]
        refused = responses["404"]["content"]["application/problem+json"]["schema"]["$ref"]
        assert set(components[refused.rsplit("/", 1)[1]]["required"]) == {"status", "title", "detail"}
