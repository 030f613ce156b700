"""HTTP throughput baseline for a real ``lostfound serve``, end to end on the loopback interface.

What it measures
    A throw-away instance (temporary data dir; SQLite, or a scratch PostgreSQL database with
    ``--postgres``; in-process stores, or Redis with ``--redis``) is migrated, given one
    station, one duty officer and one API token, and served by ``lostfound serve`` as in
    production (uvicorn, ``--workers N``, 127.0.0.1 only). Each scenario is then driven for
    ``--seconds`` (after ``--warmup`` unmeasured seconds) by ``--concurrency`` keep-alive
    connections, each sending its next request as soon as the previous answer is in (closed
    loop). Every run stops by itself, at the time limit or at ``--max-requests`` per scenario.

    Scenarios (anonymous ones send no cookie, like a health probe or a first visit):
      /healthz          the baseline: tiny JSON, but it does run one station query
      GET /login        anonymous HTML page: CSRF token and template, no database
      GET / (session)   signed-in desk page: session load, member lookup, three queries, template
      GET /api/v1/me    bearer token: token and member queries, msgspec JSON

How to read the table
    requests     answers received plus failed attempts in the measured window
    errors       non-2xx answers plus exceptions (timeouts, resets); listed by kind below
    req/s        successful (2xx) answers per second of wall time
    p50/p99 ms   latency of answered requests as the client saw it (queueing included)
    vs /healthz  req/s relative to /healthz
    client%      CPU of this load generator (100% = one core); near 100% means the client,
                 not the server, limits the row
    server%      CPU of the server's process group (uvicorn and its workers)
    pg+redis%    CPU of the scratch database's PostgreSQL backends and of redis-server
                 (with --postgres / --redis; part of the cost of serving)
    other%       CPU the rest of the machine used meanwhile; high values make the run noisy
    srv MB       resident memory of the server's process group after the scenario
    (the last four need Linux /proc)

    The first row, "client ceiling", runs the same client against a stub server answering
    every request with fixed bytes: roughly the most this client can drive on this machine,
    and a warning is printed when a scenario comes near it. ``--client raw`` (default) is a
    minimal asyncio HTTP/1.1 client; ``--client httpx`` uses httpx.AsyncClient, whose ceiling
    is an order of magnitude lower. Client and server share the machine's cores, so whatever
    the client burns is taken from the server: compare runs made on the same machine only.

    The argon2 line is the median of 20 ``lostfound.crypto.hash_password`` calls in this
    process. Verifying a password costs as much, so one worker can accept at most about
    1/median sign-ins per second, and its event loop serves nothing else while it hashes.
    POST /login itself is rate limited (10/min per address) and deliberately not benchmarked.

Usage (from the project root)
    .venv/bin/python bench/http_baseline.py [--seconds 10] [--concurrency 32] [--workers 1]
        [--postgres postgres://user@host:5432/admin_db] [--redis redis://host:6379/0]
        [--client raw|httpx] [--warmup 1] [--max-requests 500000]

    ``--workers`` above 1 needs both ``--postgres`` and ``--redis``. The scratch database
    (``lostfound_bench_<hex>``) is created through the admin DSN and dropped at the end; the
    server, the temporary directory and the sessions the run left in Redis are removed too,
    also after an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit, urlunsplit

import httpx

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATION = ("BENCH", "基准派出所", "Benchmark Police Station")
USERNAME = "bench.officer"
USER_AGENT = "lostfound-bench/1"
REQUEST_TIMEOUT = 10.0
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_STUB_FLAG = "--_stub-server"
_STUB_BODY = b'{"status":"ok"}'
_STUB_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(_STUB_BODY)
    + _STUB_BODY
)
_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=[\"']_csrf_token[\"'][^>]*>", re.IGNORECASE)
_VALUE_ATTR = re.compile(r"\bvalue=[\"']([^\"']*)[\"']", re.IGNORECASE)
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
_CONN_CLOSE = re.compile(rb"\r\nconnection:[^\r\n]*close", re.IGNORECASE)
_REDIS_SESSIONS = "lostfound_sessions:*"  # RedisStore "lostfound", namespace "sessions"


class BenchError(Exception):
    """A setup step failed; the message says which and why."""


class Stop:
    """Ctrl-C / SIGTERM: cancel the run once; the clean-up that follows is not interrupted again.

    The flag backs up the cancellation, which a library could swallow: every loop checks it.
    """

    requested = False

    def request(self, task: asyncio.Task[None]) -> None:
        if self.requested:
            print("  still cleaning up (each step has a time limit) ...", file=sys.stderr, flush=True)
            return
        self.requested = True
        task.cancel()

    def check(self) -> None:
        if self.requested:
            raise asyncio.CancelledError


STOP = Stop()


# --- helpers ----------------------------------------------------------------------------------


def lostfound_script() -> Path:
    script = Path(sys.executable).parent / "lostfound"
    if not script.exists():
        raise BenchError(f"{script} not found: install the project into this venv (pip install -e .)")
    return script


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (NaN when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Usage:
    server_cpu: float  # seconds, the server's process group
    server_rss: int  # bytes, the server's process group
    services_cpu: float  # seconds, the PostgreSQL backends of the scratch database and redis-server


@dataclass(frozen=True)
class Watch:
    """Which processes belong to the system under test, besides the load client."""

    server_pgid: int | None
    database: str | None = None  # PostgreSQL backends show it in their process title
    redis: bool = False


def usage(watch: Watch) -> Usage | None:
    """CPU time and memory of the processes in ``watch`` (Linux /proc only)."""
    if watch.server_pgid is None or not os.path.isdir("/proc"):
        return None
    ticks, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    server = services = rss = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
            comm = stat[stat.find(b"(") + 1 : stat.rfind(b")")]
            fields = stat[stat.rfind(b")") + 2 :].split()
            cpu = int(fields[11]) + int(fields[12])
            if int(fields[2]) == watch.server_pgid:
                with open(f"/proc/{entry}/statm", "rb") as handle:
                    rss += int(handle.read().split()[1]) * page
                server += cpu
            elif watch.redis and comm == b"redis-server":
                services += cpu
            elif watch.database and comm == b"postgres":
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if f" {watch.database} ".encode() in handle.read():
                        services += cpu
        except (OSError, ValueError, IndexError):
            continue
    return Usage(server / ticks, rss, services / ticks)


def busy_cpu() -> float | None:
    """Seconds of CPU the whole machine has spent busy since boot (Linux /proc/stat only)."""
    try:
        with open("/proc/stat", "rb") as handle:
            ticks = [int(value) for value in handle.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def run_cli(script: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(script), *args],
        input=stdin,
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode in (-signal.SIGINT, -signal.SIGTERM):
        raise asyncio.CancelledError  # Ctrl-C reached the child too (same process group)
    STOP.check()
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BenchError(f"`lostfound {' '.join(args)}` failed ({result.returncode}): {detail}")
    return result.stdout


def clean_environment() -> dict[str, str]:
    """The caller's environment minus anything that could point the bench at real data."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "LOSTFOUND_DATA_DIR", "LOSTFOUND_HOST", "LOSTFOUND_PORT"):
        env.pop(name, None)
    env["PICCOLO_CONF"] = "piccolo_conf"
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --- processes --------------------------------------------------------------------------------


@dataclass
class Process:
    """A child started in a session of its own: Ctrl-C reaches only us, and we stop it."""

    popen: subprocess.Popen[bytes]
    log_path: Path | None = None
    stopped: bool = False

    @property
    def pgid(self) -> int:
        return self.popen.pid

    def log_text(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"  process {self.popen.pid} ignored SIGTERM for {STOP_TIMEOUT:.0f}s: killing it")
        # Whatever is left of the group (uvicorn workers, a hung parent) is killed outright.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT)


def start_process(argv: list[str], env: dict[str, str], log_path: Path | None) -> Process:
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "wb")) if log_path else subprocess.DEVNULL
        popen = subprocess.Popen(
            argv,
            env=env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(popen, log_path)


async def wait_until_listening(process: Process, port: int, path: str | None) -> None:
    """Poll until ``path`` answers 200 (or, with ``path=None``, until the port accepts)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_problem = "no answer yet"
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            STOP.check()
            if process.popen.poll() is not None:
                raise BenchError(
                    f"the process exited with status {process.popen.returncode} before listening:\n"
                    + process.log_tail()
                )
            try:
                if path is None:
                    _, writer = await asyncio.open_connection(HOST, port)
                    writer.close()
                    await writer.wait_closed()
                    return
                response = await client.get(f"http://{HOST}:{port}{path}")
                if response.status_code == 200:
                    return
                last_problem = f"{path} answered {response.status_code}"
            except (OSError, httpx.TransportError) as exc:
                last_problem = repr(exc)
            await asyncio.sleep(0.1)
    raise BenchError(f"not listening after {STARTUP_TIMEOUT:.0f}s ({last_problem}):\n{process.log_tail()}")


# --- PostgreSQL and Redis scratch space -------------------------------------------------------


async def pg_admin(dsn: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(sql, timeout=60)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def scratch_database(admin_dsn: str) -> AsyncIterator[str]:
    name = f"lostfound_bench_{secrets.token_hex(4)}"
    try:
        await pg_admin(admin_dsn, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise BenchError(f"cannot create database {name} via {redacted(admin_dsn)}: {exc!r}") from exc
    try:
        yield with_database(admin_dsn, name)
    finally:
        try:
            await pg_admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:
            print(f"  could not drop database {name}: {exc!r} (drop it by hand)", file=sys.stderr)


async def check_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    try:
        await client.ping()
    except Exception as exc:
        raise BenchError(f"Redis at {redacted(url)} does not answer: {exc!r}") from exc
    finally:
        await client.aclose()


async def redis_session_keys(url: str) -> set[bytes]:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    try:
        return {key async for key in client.scan_iter(match=_REDIS_SESSIONS, count=1000)}
    finally:
        await client.aclose()


async def forget_redis_sessions(url: str, before: set[bytes], signed_in: set[str]) -> None:
    """Delete what this run left in Redis: its signed-in session, and the empty sessions that
    appeared meanwhile (the session middleware stores one for every request without a cookie).

    Empty sessions carry no state, so even on a shared Redis deleting them loses nothing.
    Rate-limit counters are left alone: they expire within a minute.
    """
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    deleted = 0
    try:
        for session_id in signed_in:
            if re.fullmatch(r"[0-9a-f]+", session_id):
                deleted += await client.delete(_REDIS_SESSIONS.replace("*", session_id))
        new_keys = [
            key async for key in client.scan_iter(match=_REDIS_SESSIONS, count=1000) if key not in before
        ]
        for start in range(0, len(new_keys), 1000):
            batch = new_keys[start : start + 1000]
            empty = [
                key for key, value in zip(batch, await client.mget(batch), strict=True) if value == b"{}"
            ]
            if empty:
                deleted += await client.delete(*empty)
        print(f"  removed {deleted} session key(s) this run left in Redis")
    except Exception as exc:
        print(f"  could not remove the bench's sessions from Redis: {exc!r}", file=sys.stderr)
    finally:
        await client.aclose()


# --- load generators --------------------------------------------------------------------------


class RawConnection:
    """One HTTP/1.1 keep-alive connection sending one fixed GET; parses just enough of the answer."""

    def __init__(self, port: int, request: bytes) -> None:
        self.port = port
        self.request = request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        reader = self.reader
        assert reader is not None
        self.writer.write(self.request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = _CONTENT_LENGTH.search(head)
        if length:
            await reader.readexactly(int(length.group(1)))
        elif _CHUNKED.search(head):
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        elif not (100 <= status < 200 or status in (204, 304)):
            await reader.read()  # body delimited by the end of the connection
            self.reset()
        if _CONN_CLOSE.search(head):
            self.reset()
        return status

    def reset(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class LoadClient:
    """``concurrency`` independent request loops against one path with fixed headers."""

    def __init__(self, kind: str, port: int, path: str, headers: dict[str, str], concurrency: int) -> None:
        self.kind = kind
        self.path = path
        self.headers = {"user-agent": USER_AGENT, "accept": "*/*", **headers}
        self.raw: list[RawConnection] = []
        self.httpx: list[httpx.AsyncClient] = []
        if kind == "raw":
            lines = [f"GET {path} HTTP/1.1", f"host: {HOST}:{port}"]
            lines += [f"{name}: {value}" for name, value in self.headers.items()]
            request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            self.raw = [RawConnection(port, request) for _ in range(concurrency)]
        else:
            # One single-connection client per loop: a shared pool of N connections spends most of
            # its time in httpcore's pool bookkeeping (encode/httpx#3215), 5x slower here.
            self.httpx = [
                httpx.AsyncClient(
                    base_url=f"http://{HOST}:{port}",
                    headers=self.headers,
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                    timeout=REQUEST_TIMEOUT,
                    follow_redirects=False,
                    trust_env=False,  # no proxy from the environment between us and 127.0.0.1
                )
                for _ in range(concurrency)
            ]

    async def send(self, slot: int) -> int:
        if not self.httpx:
            return await self.raw[slot].send()
        client = self.httpx[slot]
        response = await client.get(self.path)
        # Cookies travel in the fixed headers only: no jar state builds up between requests.
        client.cookies.clear()
        return response.status_code

    def reset(self, slot: int) -> None:
        if self.raw:
            self.raw[slot].reset()

    async def aclose(self) -> None:
        for connection in self.raw:
            connection.reset()
        for client in self.httpx:
            await client.aclose()


@dataclass
class Result:
    name: str
    requests: int = 0
    ok: int = 0
    elapsed: float = 0.0
    latencies: array[float] = field(default_factory=lambda: array("d"))
    problems: Counter[str] = field(default_factory=Counter)
    client_cpu: float = math.nan
    server_cpu: float | None = None
    server_rss: int | None = None
    services_cpu: float | None = None
    other_cpu: float | None = None

    @property
    def errors(self) -> int:
        return self.requests - self.ok

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


async def drive(client: LoadClient, name: str, seconds: float, cap: int, concurrency: int) -> Result:
    """Closed-loop load until ``seconds`` pass or ``cap`` requests have been started."""
    result = Result(name)
    issued = 0
    deadline = time.perf_counter() + seconds
    perf = time.perf_counter

    async def loop(slot: int) -> None:
        nonlocal issued
        while issued < cap and perf() < deadline and not STOP.requested:
            issued += 1
            started = perf()
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    status = await client.send(slot)
            except (
                OSError,
                EOFError,
                ValueError,  # a malformed status line or chunk size
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                TimeoutError,
                httpx.HTTPError,
            ) as exc:
                result.requests += 1
                result.problems[type(exc).__name__] += 1
                client.reset(slot)
                continue
            result.latencies.append(perf() - started)
            result.requests += 1
            if 200 <= status < 300:
                result.ok += 1
            else:
                result.problems[f"HTTP {status}"] += 1

    began = perf()
    await asyncio.gather(*(loop(slot) for slot in range(concurrency)))
    result.elapsed = perf() - began
    return result


async def measure(
    kind: str,
    port: int,
    name: str,
    path: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    watch: Watch,
) -> Result:
    client = LoadClient(kind, port, path, headers, args.concurrency)
    try:
        if args.warmup > 0:
            await drive(client, name, args.warmup, args.max_requests, args.concurrency)
        cpu_before, used_before, busy_before = time.process_time(), usage(watch), busy_cpu()
        result = await drive(client, name, args.seconds, args.max_requests, args.concurrency)
        cpu_after, used_after, busy_after = time.process_time(), usage(watch), busy_cpu()
    finally:
        await client.aclose()
    if result.elapsed <= 0:
        return result
    result.client_cpu = (cpu_after - cpu_before) / result.elapsed
    if used_before is not None and used_after is not None:
        result.server_rss = used_after.server_rss
        result.server_cpu = max(0.0, used_after.server_cpu - used_before.server_cpu) / result.elapsed
        if watch.database or watch.redis:
            result.services_cpu = (
                max(0.0, used_after.services_cpu - used_before.services_cpu) / result.elapsed
            )
        if busy_before is not None and busy_after is not None:
            machine = (busy_after - busy_before) / result.elapsed
            ours = result.client_cpu + result.server_cpu + (result.services_cpu or 0.0)
            result.other_cpu = max(0.0, machine - ours)
    return result


# --- the service under test -------------------------------------------------------------------


def seed(script: Path, env: dict[str, str], password: str) -> str:
    run_cli(script, env, "migrate")
    code, name_zh, name_en = STATION
    run_cli(script, env, "station", "create", "--code", code, "--name-zh", name_zh, "--name-en", name_en)
    run_cli(
        script,
        env,
        "user",
        "create",
        "--username",
        USERNAME,
        "--role",
        "duty_officer",
        "--station",
        code,
        "--display-name",
        "Bench Officer",
        "--no-must-change-password",
        stdin=password + "\n",
    )
    lines = run_cli(script, env, "token", "create", "--user", USERNAME, "--name", "bench").split()
    if not lines:
        raise BenchError("`lostfound token create` printed no token")
    return lines[-1]


async def sign_in(port: int, password: str) -> dict[str, str]:
    """The one POST /login of the run: returns the browser's cookies (session and CSRF)."""
    async with httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}", timeout=REQUEST_TIMEOUT, trust_env=False
    ) as client:
        page = await client.get("/login")
        field_tag = _CSRF_INPUT.search(page.text)
        value = _VALUE_ATTR.search(field_tag.group(0)) if field_tag else None
        if page.status_code != 200 or value is None:
            raise BenchError(f"GET /login gave {page.status_code} without a _csrf_token field")
        form = {"username": USERNAME, "password": password, "next": "/", "_csrf_token": value.group(1)}
        answer = await client.post("/login", data=form, follow_redirects=False)
        if answer.status_code != 303 or "lf_session" not in client.cookies:
            raise BenchError(f"sign-in failed: POST /login answered {answer.status_code}")
        return {cookie.name: cookie.value for cookie in client.cookies.jar if cookie.value}


async def preflight(port: int, name: str, path: str, headers: dict[str, str]) -> str | None:
    """One request before the load: a wrong set-up shows up here, not as a column of errors."""
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, follow_redirects=False, trust_env=False) as client:
        response = await client.get(f"http://{HOST}:{port}{path}", headers=headers)
    if 200 <= response.status_code < 300:
        return None
    where = response.headers.get("location", "")
    return f"{name}: preflight answered {response.status_code}{' -> ' + where if where else ''}"


# --- report -----------------------------------------------------------------------------------


def argon2_median(rounds: int = 20) -> float:
    from lostfound.crypto import hash_password

    timings = []
    for index in range(rounds):
        started = time.perf_counter()
        hash_password(f"bench-password-{index}")
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def percent(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.0f}%"


def print_table(ceiling: Result | None, results: list[Result]) -> None:
    header = (
        f"{'scenario':<22}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs /healthz':>13}{'client%':>9}{'server%':>9}{'pg+redis%':>11}{'other%':>8}{'srv MB':>8}"
    )
    print(header)
    print("-" * len(header))
    baseline = results[0].rate if results and results[0].rate > 0 else math.nan
    rows = ([ceiling] if ceiling else []) + results
    for result in rows:
        ordered = sorted(result.latencies)
        ratio = "-" if result is ceiling else f"{result.rate / baseline:.2f}x"
        print(
            f"{result.name:<22}{result.requests:>10}{result.errors:>8}{result.rate:>10.0f}"
            f"{percentile(ordered, 50) * 1000:>9.2f}{percentile(ordered, 99) * 1000:>9.2f}"
            f"{ratio:>13}{percent(result.client_cpu):>9}{percent(result.server_cpu):>9}"
            f"{'-' if result.services_cpu is None else percent(result.services_cpu):>11}"
            f"{percent(result.other_cpu):>8}"
            f"{'n/a' if result.server_rss is None else f'{result.server_rss / 2**20:.0f}':>8}"
        )
    for result in rows:
        if result.problems:
            detail = ", ".join(f"{kind} x{count}" for kind, count in result.problems.most_common())
            print(f"  errors in {result.name}: {detail}")
    if ceiling and ceiling.rate > 0:
        for result in results:
            if result.rate > 0.5 * ceiling.rate or result.client_cpu > 0.9:
                print(
                    f"  note: {result.name} is within reach of the client's own limit "
                    f"({result.rate:.0f} of {ceiling.rate:.0f} req/s, client cpu {percent(result.client_cpu)})"
                    " - the server may be faster than shown"
                )
    cores = os.cpu_count() or 1
    busiest = max((r.other_cpu or 0.0 for r in rows), default=0.0)
    if busiest > 0.25 * cores:
        print(
            f"  note: other processes used up to {busiest * 100:.0f}% CPU (of {cores * 100}%) during the run;"
            " the figures are low and noisy - rerun on a quiet machine"
        )


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="HTTP throughput baseline of a temporary lostfound server (see the module docstring)."
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured load before each scenario")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections in flight")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--max-requests", type=int, default=500_000, help="request cap per scenario (besides --seconds)"
    )
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="raw asyncio HTTP/1.1 (default; several times httpx's ceiling) or httpx.AsyncClient",
    )
    parser.add_argument("--postgres", metavar="DSN", help="admin DSN: run on a scratch database there")
    parser.add_argument("--redis", metavar="URL", help="REDIS_URL for the server's shared stores")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or args.concurrency < 1 or args.max_requests < 1:
        parser.error("--seconds, --concurrency and --max-requests must be positive, --warmup not negative")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and not (args.postgres and args.redis):
        parser.error(
            f"--workers {args.workers} needs --postgres DSN and --redis URL: separate worker processes "
            "only share sessions and data through them (`lostfound serve` refuses otherwise)"
        )
    if args.postgres and urlsplit(args.postgres).scheme not in ("postgres", "postgresql"):
        parser.error("--postgres takes a postgres:// DSN")
    return args


def event_loop_name() -> str:
    with contextlib.suppress(ImportError):
        import uvloop  # noqa: F401

        return "uvloop"
    return "asyncio"


async def run(args: argparse.Namespace) -> None:
    script = lostfound_script()
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signum, STOP.request, task)

    print(
        f"lostfound HTTP baseline: {args.seconds:g}s per scenario (+{args.warmup:g}s warm-up), "
        f"concurrency {args.concurrency}, workers {args.workers}, cap {args.max_requests} requests"
    )
    print(
        f"engine {'PostgreSQL' if args.postgres else 'SQLite'}, stores {'Redis' if args.redis else 'memory'}, "
        f"client {args.client} on {event_loop_name()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs shared by client and server, load average {os.getloadavg()[0]:.1f}"
    )
    env = clean_environment()
    tuned = sorted(name for name in env if name.startswith("LOSTFOUND_"))
    if tuned:
        print(f"server tunables passed through from the environment: {', '.join(tuned)}")
    password = "Bench-" + secrets.token_urlsafe(12)
    session_ids: set[str] = set()
    async with contextlib.AsyncExitStack() as stack:
        data_dir = Path(tempfile.mkdtemp(prefix="lostfound-bench-"))
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        env["LOSTFOUND_DATA_DIR"] = str(data_dir)
        if args.postgres:
            env["DATABASE_URL"] = await stack.enter_async_context(scratch_database(args.postgres))
        if args.redis:
            await check_redis(args.redis)
            env["REDIS_URL"] = args.redis
            before = await redis_session_keys(args.redis)
            stack.push_async_callback(forget_redis_sessions, args.redis, before, session_ids)

        print("  preparing the instance ...", flush=True)
        token = seed(script, env, password)
        port = free_port()
        server = start_process(
            [str(script), "serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)],
            env,
            data_dir / "server.log",
        )
        stack.callback(server.stop)
        await wait_until_listening(server, port, "/healthz")
        database = urlsplit(env["DATABASE_URL"]).path.lstrip("/") if args.postgres else None
        watch = Watch(server.pgid, database, bool(args.redis))

        cookies = await sign_in(port, password)
        session_ids.add(cookies.get("lf_session", ""))
        cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        scenarios: list[tuple[str, str, dict[str, str]]] = [
            ("/healthz", "/healthz", {}),
            ("GET /login", "/login", {}),
            ("GET / (session)", "/", {"cookie": cookie_header}),
            ("GET /api/v1/me", "/api/v1/me", {"authorization": f"Bearer {token}"}),
        ]
        for name, path, headers in scenarios:
            problem = await preflight(port, name, path, headers)
            if problem:
                print(f"  warning: {problem}")

        print("  measuring the client's ceiling ...", flush=True)
        stub_port = free_port()
        stub = start_process(
            [sys.executable, str(Path(__file__).resolve()), _STUB_FLAG, str(stub_port)],
            env,
            data_dir / "stub.log",
        )
        try:
            await wait_until_listening(stub, stub_port, None)
            ceiling = await measure(
                args.client, stub_port, "client ceiling (stub)", "/", {}, args, Watch(stub.pgid)
            )
        finally:
            stub.stop()
        STOP.check()

        results = []
        for name, path, headers in scenarios:
            print(f"  running {name} ...", flush=True)
            results.append(await measure(args.client, port, name, path, headers, args, watch))
            STOP.check()

        server.stop()
        # uvicorn re-raises the SIGTERM it was stopped with once it has shut down cleanly.
        if server.popen.returncode not in (0, -signal.SIGTERM, None):
            print(f"  server exited with status {server.popen.returncode}; log tail:\n{server.log_tail()}")
        tracebacks = server.log_text().count("Traceback")
        if tracebacks:
            print(f"  the server logged {tracebacks} traceback(s); last lines:\n{server.log_tail(15)}")

    hash_time = argon2_median()  # with the server gone, so that it has the machine to itself
    print()
    print_table(ceiling, results)
    print()
    print(
        f"argon2 hash_password: median {hash_time * 1000:.1f} ms of 20 -> at most ~{1 / hash_time:.0f} "
        f"sign-ins/s per worker process (x{args.workers} worker(s))"
    )


def serve_stub(port: int) -> None:
    """The stub server of the client-ceiling row: fixed bytes for every request head received."""

    class Stub(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
            self.pending = b""

        def data_received(self, data: bytes) -> None:
            self.pending += data
            count = self.pending.count(b"\r\n\r\n")
            if count:
                self.pending = self.pending[self.pending.rfind(b"\r\n\r\n") + 4 :]
                self.transport.write(_STUB_RESPONSE * count)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Stub, HOST, port, backlog=1024)
        async with server:
            await server.serve_forever()

    install_uvloop()
    asyncio.run(main())


def install_uvloop() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [_STUB_FLAG]:
        serve_stub(int(argv[1]))
        return 0
    args = parse_args(argv)
    install_uvloop()
    try:
        asyncio.run(run(args))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print(
            "interrupted; the server, the data dir and any scratch database were cleaned up", file=sys.stderr
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
