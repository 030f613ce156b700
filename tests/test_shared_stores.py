"""With REDIS_URL, sessions and sign-in counters live in Redis and every worker sees them."""

from __future__ import annotations

import dataclasses
import os
import secrets

import pytest
from litestar import Litestar

from lostfound.settings import get_settings
from lostfound.web.app import create_app
from tests.factories import http_client, make_user, sign_in

REDIS_URL = os.environ.get("LOSTFOUND_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_prefix() -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # any failure means there is no Redis to test against
        await client.aclose()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI: {exc!r}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"lostfound-test-{secrets.token_hex(4)}"
    yield prefix
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


def _worker(prefix: str) -> Litestar:
    settings = dataclasses.replace(get_settings(), redis_url=REDIS_URL, redis_prefix=prefix)
    return create_app(settings, manage_pool=False)


async def test_a_session_made_by_one_worker_is_honoured_by_another(redis_prefix: str) -> None:
    await make_user("dc.officer")
    first, second = _worker(redis_prefix), _worker(redis_prefix)
    async with http_client(first) as browser:
        await sign_in(browser, "dc.officer")
        cookie = browser.cookies.get("lf_session")
    async with http_client(second) as same_browser:
        same_browser.cookies.set("lf_session", cookie, domain="testserver.local")
        assert (await same_browser.get("/", follow_redirects=False)).status_code == 200
    async with http_client(_worker("another-instance-" + redis_prefix)) as other_instance:
        other_instance.cookies.set("lf_session", cookie, domain="testserver.local")
        assert (await other_instance.get("/", follow_redirects=False)).status_code == 303


async def test_failed_sign_ins_count_across_workers(redis_prefix: str) -> None:
    await make_user("dc.officer")
    workers = [_worker(redis_prefix), _worker(redis_prefix)]
    for attempt in range(5):
        async with http_client(workers[attempt % 2]) as browser:
            assert (await sign_in(browser, "dc.officer", "wrong-password-x")).status_code == 400
    async with http_client(workers[0]) as browser:
        assert (await sign_in(browser, "dc.officer")).status_code == 429
