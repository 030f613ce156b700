"""Faults: the database going away for a while gives clear 503s, and the service recovers by itself."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from lostfound.settings import get_settings
from tests.factories import make_station


async def _admin(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(os.environ["LOSTFOUND_TEST_POSTGRES"])
    try:
        for sql in statements:
            await connection.execute(sql)
    finally:
        await connection.close()


@pytest.mark.postgres_only
async def test_the_database_going_away_gives_clear_503s_and_the_service_recovers(
    client: httpx.AsyncClient,
) -> None:
    await make_station("DC")
    assert (await client.get("/board")).status_code == 200
    name = get_settings().database_url.rsplit("/", 1)[1]
    # The database stops taking connections and drops the ones it has: what a restart looks like.
    await _admin(
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
    )
    try:
        for path in ("/board", "/board", "/commendations", "/readyz"):
            answer = await client.get(path, headers={"Accept-Language": "zh-CN"})
            assert answer.status_code == 503, (path, answer.status_code)
            if path != "/readyz":
                assert "服务暂时不可用" in answer.text and "Traceback" not in answer.text
                assert answer.headers["retry-after"] == "5"
        api = await client.get("/api/v1/stations", headers={"Authorization": "Bearer lf_nothing"})
        assert api.status_code == 503 and api.headers["content-type"] == "application/problem+json"
        # Pages that need no database still answer.
        assert (await client.get("/report")).status_code == 200
    finally:
        await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    # Back without a restart: the pool replaces the connections it lost.
    for _ in range(20):
        if (await client.get("/board")).status_code == 200:
            break
        await asyncio.sleep(0.25)
    assert (await client.get("/board")).status_code == 200
    assert (await client.get("/readyz")).json()["database"] == "ok"
