"""One suite, two engines: SQLite by default, PostgreSQL when LOSTFOUND_TEST_POSTGRES names a server.

The PostgreSQL run creates a database of its own and drops it at the end; nothing depends
on data left behind. Settings are read from the environment, so it is prepared here before
any application module is imported.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile

import pytest

_STATE: dict[str, str] = {}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


async def _admin(dsn: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    data_dir = tempfile.mkdtemp(prefix="lostfound-test-")
    _STATE["data_dir"] = data_dir
    os.environ["LOSTFOUND_DATA_DIR"] = data_dir
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    admin_dsn = os.environ.get("LOSTFOUND_TEST_POSTGRES")
    if not admin_dsn:
        return
    name = f"lostfound_test_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(admin_dsn, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        message = f"PostgreSQL suite cannot run: {exc!r}"
        if _in_ci():
            pytest.exit(message, returncode=3)
        pytest.exit(message + " (skipped outside CI)", returncode=0)
    _STATE["pg_admin"] = admin_dsn
    _STATE["pg_name"] = name
    base = admin_dsn.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{name}"


def pytest_report_header(config: pytest.Config) -> str:
    engine = f"PostgreSQL ({_STATE['pg_name']})" if "pg_name" in _STATE else "SQLite"
    return f"lostfound database engine: {engine}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if "pg_name" in _STATE:
        asyncio.run(_admin(_STATE["pg_admin"], f'DROP DATABASE IF EXISTS "{_STATE["pg_name"]}" WITH (FORCE)'))
    shutil.rmtree(_STATE.get("data_dir", ""), ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "pg_name" in _STATE
    for item in items:
        if on_postgres and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite-specific behaviour"))
        if not on_postgres and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-specific behaviour"))


@pytest.fixture(scope="session")
async def database() -> None:
    """Migrate once and open the pool in the tests' event loop.

    Litestar's test client runs the app's lifespan in a thread of its own, so the pool is
    not left to the lifespan here: asyncpg connections belong to the loop that opened them.
    """
    from lostfound.database import close_pool, migrate, open_pool
    from lostfound.settings import get_settings

    await migrate()
    await open_pool(get_settings())
    yield
    await close_pool()


@pytest.fixture
async def app(database: None):
    from lostfound.web.app import create_app

    return create_app(manage_pool=False)


@pytest.fixture
async def client(app):
    from tests.factories import http_client

    async with http_client(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> None:
    """Every test starts from empty tables (browser tests run a server with a database of its own)."""
    from tests.factories import wipe

    await wipe()
