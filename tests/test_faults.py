"""Faults: the database going away for a while, a worker killed in the middle of an intake."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

import asyncpg
import httpx
import pytest

from lostfound.settings import get_settings
from lostfound.tables import FoundItem, ItemPhoto
from tests.factories import make_station, make_user, sign_in
from tests.test_cli import LOSTFOUND
from tests.test_items_pages import FORM, _submit, jpeg
from tests.test_shared_stores import REDIS_URL
from tests.test_shared_stores import redis_prefix as redis_prefix  # the Redis fixture


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
        # A board the worker still keeps (5 s, for visitors without a session) needs no database:
        # these ask for boards it does not keep.
        for path in ("/board?page=2", "/board?page=2", "/commendations", "/readyz"):
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
        if (await client.get("/board?page=3")).status_code == 200:
            break
        await asyncio.sleep(0.25)
    assert (await client.get("/board?page=4")).status_code == 200
    assert (await client.get("/readyz")).json()["database"] == "ok"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _worker_with_local_port(server: int, port: int) -> int:
    """The worker process of ``server`` whose TCP connection has this local port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    for child in map(int, children):
        if _socket_inodes(child) & inodes:
            return child
    raise AssertionError(f"no worker of {server} holds local port {port}")


def _media() -> set[str]:
    return {
        p.relative_to(get_settings().media_dir).as_posix()
        for p in get_settings().media_dir.rglob("*")
        if p.is_file()
    }


@pytest.mark.postgres_only
async def test_a_worker_killed_mid_intake_leaves_no_item_its_files_are_swept_and_the_service_serves_on(
    redis_prefix: str,
) -> None:
    await make_user("dc.duty")
    port = _free_port()
    env = {**os.environ, "REDIS_URL": REDIS_URL, "LOSTFOUND_REDIS_PREFIX": redis_prefix}
    server = subprocess.Popen(
        [LOSTFOUND, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    database = await asyncpg.connect(get_settings().database_url)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(120):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.25)
            await sign_in(client, "dc.duty")
            before = _media()

            # Hold the intake just before it commits: its audit row waits for this lock, after the
            # item rows are inserted and the photo files written.
            hold = database.transaction()
            await hold.start()
            await database.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
            intake = asyncio.create_task(_submit(client, FORM, [jpeg(), jpeg(800, 600)]))
            waiting = None
            for _ in range(120):
                # (The waiting statement is not shown yet: the lock is taken while it is parsed.)
                waiting = await database.fetchval(
                    "SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND wait_event = 'relation' AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                if waiting:
                    break
                await asyncio.sleep(0.1)
            assert waiting, "the intake never reached its commit"
            assert _media() - before, "the photo files are written before the commit"
            os.kill(_worker_with_local_port(server.pid, waiting), signal.SIGKILL)
            await hold.rollback()
            with contextlib.suppress(httpx.HTTPError):
                await intake  # the connection dies with the worker

            assert await FoundItem.count() == 0 and await ItemPhoto.count() == 0  # nothing half-written
            swept = await asyncio.to_thread(
                subprocess.run,
                [LOSTFOUND, "media", "sweep", "--older-than", "0"],
                env=env,
                capture_output=True,
                text=True,
            )
            assert swept.returncode == 0, swept.stderr
            assert not _media() - before  # the orphaned files are gone, temp files too

            # The service serves on: the other worker at once, the killed one replaced.
            done = await _submit(client, FORM, [jpeg()])
            assert done.status_code == 303, done.text
            assert await FoundItem.count() == 1 and await ItemPhoto.count() == 1
    finally:
        await database.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
