"""Schemathesis against the OpenAPI schema of a running server: whatever it sends, never a 5xx."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from lostfound.services import accounts
from lostfound.services.demo import load_demo_if_empty
from tests.factories import SYSTEM
from tests.test_cli import LOSTFOUND
from tests.test_faults import _free_port

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))


async def test_no_request_the_schema_allows_or_forbids_gets_a_server_error(tmp_path: Path) -> None:
    await load_demo_if_empty()
    token = await accounts.create_token(SYSTEM, "dc.duty", "schemathesis")
    port = _free_port()
    server = subprocess.Popen(
        [LOSTFOUND, "serve", "--port", str(port)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            for _ in range(120):
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.25)
        command = [
            SCHEMATHESIS,
            "run",
            f"http://127.0.0.1:{port}/api/docs/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "30",
        ]
        # In the test's own directory: schemathesis keeps a cache of what it found where it runs.
        done = await asyncio.to_thread(
            subprocess.run, command, cwd=tmp_path, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
