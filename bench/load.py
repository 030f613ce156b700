"""Load on a production-shaped server: two workers on PostgreSQL and Redis, on loopback, bounded in time.

It makes a scratch database and data folder, loads the demo, starts ``lostfound serve --workers 2``
with the loopback proxy trusted (each simulated client is named by ``X-Forwarded-For``, so the
per-client rate limits apply per client, as behind a real proxy) and runs wrk against:

    hello    GET /healthz: the bare route (no database, no template), for the ratio
    board    GET /board: the public found-property board
    items    GET /items: the duty officer's item list (signed in)
    claim    POST /api/v1/claims/status: an owner checks their claim (reference and claim code)
    intake   POST /items/new: a found wallet with an ID card and a photo, logged by the duty officer

each for ``--duration`` seconds at ``--connections`` connections, and prints requests per second,
latency p50 / p99, errors (answers other than 2xx/3xx, and socket errors), and the board's rate
as a share of hello's. Needs wrk (Debian: ``apt install wrk``), PostgreSQL and Redis.

    .venv/bin/python -m bench.load [--duration 60] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

from bench.postgres import admin
from lostfound.domain.identifiers import id_check_digit

ROOT = Path(__file__).resolve().parent.parent
LOSTFOUND = str(Path(sys.executable).with_name("lostfound"))
PASSWORD = "load-bench-Password-1"

# Printed by every script when wrk finishes: one JSON line the bench reads back.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""
# A client address per request, as a proxy would pass it on.
SPREAD = """
request = function()
  local a, b, c = math.random(0, 255), math.random(0, 255), math.random(1, 254)
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", a, b, c)
  return wrk.format(nil)
end
"""


# Each request: one owner's reference and claim code, from an address of their own.
CLAIMING = """
request = function()
  local a, b, c = math.random(0, 255), math.random(0, 255), math.random(1, 254)
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", a, b, c)
  return wrk.format("POST", nil, nil, bodies[math.random(#bodies)])
end
"""
CLAIMS = 2000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 960), (120, 80, 40)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


SETUP = """
import asyncio, json
from lostfound.database import close_pool, migrate, open_pool
from lostfound.services import accounts, lost_reports
from lostfound.services.context import Actor
from lostfound.services.demo import load_demo_if_empty
from lostfound.settings import get_settings

async def main():
    await migrate()
    await open_pool(get_settings())
    await load_demo_if_empty()
    await accounts.set_password(Actor.system("bench"), "dc.duty", {password!r}, must_change=False)
    # Owners checking their own claims: each reference is checked by its owner only, as in life
    # (checks are counted per reference, so one reference under load would be locked).
    claims = []
    for n in range({claims}):
        filed = await lost_reports.file_report(
            Actor.anonymous(),
            lost_reports.LostReportInput(
                category="wallet",
                owner=lost_reports.OwnerInput(name="王先生", email=f"owner{{n}}@example.com"),
                description="黑色钱包",
                lost_place="青石路",
                consent=True,
            ),
        )
        claims.append({{"reference": filed.reference, "claim_code": filed.claim_code}})
    await close_pool()
    print(json.dumps(claims))

asyncio.run(main())
"""


def _wrk(url: str, script: str, folder: Path, args: argparse.Namespace, headers: list[str]) -> dict:
    path = folder / f"s{secrets.token_hex(3)}.lua"
    path.write_text(script + DONE)
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    done = subprocess.run([*command, "-s", str(path), url], capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


async def _sign_in(base: str) -> tuple[str, str]:
    """The duty officer's cookies and the form's CSRF token."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/login")
        token = _csrf(page.text)
        signed = await client.post(
            "/login", data={"username": "dc.duty", "password": PASSWORD, "_csrf_token": token}
        )
        assert signed.status_code in (200, 303), signed.status_code
        form = await client.get("/items/new")
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return cookies, _csrf(form.text)


async def _check_each(scenarios: dict, claim: dict, folder: Path) -> None:
    """One request of each scenario first: a load of refusals would measure nothing."""
    async with httpx.AsyncClient(timeout=30) as client:
        for label, (url, script, header_lines) in scenarios.items():
            headers = dict(line.split(": ", 1) for line in header_lines)
            if label == "claim":
                answer = await client.post(url, json=claim, headers=headers)
            elif "POST" not in script:
                answer = await client.get(url, headers=headers)
            else:
                answer = await client.post(
                    url, content=(folder / "intake.body").read_bytes(), headers=headers
                )
            if answer.status_code >= 400:
                raise SystemExit(f"{label}: {url} answers {answer.status_code}: {answer.text[:300]}")


def _csrf(html: str) -> str:
    marker = 'name="_csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _multipart(token: str, photo: bytes) -> tuple[str, bytes]:
    boundary = f"lostfound{secrets.token_hex(8)}"
    fields = {
        "_csrf_token": token,
        "category": "wallet",
        "description": "黑色皮质钱包",
        "found_at": "2026-11-20T21:40",
        "found_place": "青石路夜市",
        "district": "东城区",
        "storage_location": "A-03",
        "finder_reward": "waived",
        "c-0-kind": "id_card",
        "c-0-holder_name": "李晓梅",
        "c-0-id_number": "33078419900312123" + id_check_digit("33078419900312123"),
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="wallet.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return boundary, b"".join(parts) + f"--{boundary}--\r\n".encode()


async def run(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt install wrk)")
    name = f"lostfound_load_{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="lf-load-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    await admin(args.postgres, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": args.postgres.rsplit("/", 1)[0] + f"/{name}",
        "REDIS_URL": args.redis,
        "LOSTFOUND_REDIS_PREFIX": name,
        "LOSTFOUND_DATA_DIR": str(folder / "data"),
        "LOSTFOUND_TRUSTED_PROXIES": "127.0.0.1",
        "PICCOLO_CONF": "piccolo_conf",
    }
    server = None
    try:
        setup = subprocess.run(
            [sys.executable, "-c", SETUP.format(password=PASSWORD, claims=CLAIMS)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        claims = json.loads(setup.stdout.strip().splitlines()[-1])
        server = subprocess.Popen(
            [LOSTFOUND, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(240):
                try:
                    if (await probe.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
        cookies, token = await _sign_in(base)
        boundary, body = _multipart(token, _jpeg())
        (folder / "intake.body").write_bytes(body)
        bodies = ",\n".join(json.dumps(json.dumps(claim)) for claim in claims)
        scenarios = {
            "hello": (f"{base}/healthz", "", []),
            "board": (f"{base}/board", SPREAD, []),
            "items": (f"{base}/items", "", [f"Cookie: {cookies}"]),
            "claim": (
                f"{base}/api/v1/claims/status",
                f"local bodies = {{{bodies}}}\n" + CLAIMING,
                ["Content-Type: application/json"],
            ),
            "intake": (
                f"{base}/items/new",
                f'wrk.method = "POST"\nlocal f = io.open("{folder / "intake.body"}", "rb")\n'
                "wrk.body = f:read('*all')\nf:close()\n",
                [f"Cookie: {cookies}", f"Content-Type: multipart/form-data; boundary={boundary}"],
            ),
        }
        print(
            f"{args.workers} workers on PostgreSQL and Redis, wrk {args.threads} threads, "
            f"{args.connections} connections, {args.duration} s each, on {os.cpu_count()} cores"
        )
        print(f"{'':8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        await _check_each(scenarios, claims[0], folder)
        rates = {}
        chosen = args.only.split(",") if args.only else list(scenarios)
        for label, (url, script, headers) in scenarios.items():
            if label not in chosen:
                continue
            started = time.perf_counter()
            result = await asyncio.to_thread(_wrk, url, script, folder, args, headers)
            rate = result["requests"] / result["seconds"]
            rates[label] = rate
            errors = result["status_errors"] + result["socket_errors"]
            print(
                f"{label:8} {rate:9,.0f} {result['p50_ms']:8.1f} {result['p99_ms']:8.1f} {errors:7d}"
                f"   ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        if "board" in rates and "hello" in rates:
            print(
                f"board at {rates['board'] / rates['hello']:.1%} of the bare route's rate (aim: at least 40%)"
            )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        await admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test", help="admin DSN")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--only", default="", help="comma-separated scenarios, e.g. hello,board")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
