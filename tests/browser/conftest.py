"""Fixtures for the browser tests: a real server in a subprocess and Debian's Chromium.

The server runs from its own temporary data directory on embedded SQLite, so these
tests never touch the database the rest of the suite sets up.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BROWSER_DIR.parent.parent
AXE_PATH = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = BROWSER_DIR / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

OFFICER_USERNAME = "dc.officer"
OFFICER_PASSWORD = "Desk-Officer-2026"
OFFICER_DISPLAY_NAME = "周明远"

STARTUP_TIMEOUT = 20.0


def _unavailable(reason: str) -> None:
    """Skip locally, but fail in CI: nothing may be silently skipped there."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lostfound_command() -> str:
    script = Path(sys.executable).parent / "lostfound"
    if not script.exists():
        pytest.fail(f"the lostfound console script is missing beside {sys.executable}", pytrace=False)
    return str(script)


def _server_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("LOSTFOUND_SECRET_KEY", None)
    env["LOSTFOUND_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _setup_step(args: list[str], env: dict[str, str], log: Path, stdin: str | None = None) -> None:
    result = subprocess.run(
        args,
        input=stdin,
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    with log.open("a") as handle:
        handle.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        pytest.fail(
            f"setup command failed ({result.returncode}): {' '.join(args)}\n{result.stdout}{result.stderr}",
            pytrace=False,
        )


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float) -> str | None:
    """Return None once ``url`` answers 200, else a description of what went wrong."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"the server exited with status {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return None
                last = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"status {exc.code}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    return f"no 200 from {url} within {timeout:.0f} s (last: {last})"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``lostfound serve`` on a free loopback port; yield its base URL."""
    data_dir = tmp_path_factory.mktemp("lostfound-browser")
    log = data_dir / "server.log"
    env = _server_env(data_dir)
    command = _lostfound_command()

    _setup_step([command, "migrate"], env, log)
    _setup_step(
        [
            command,
            "station",
            "create",
            "--code",
            "DC",
            "--name-zh",
            "东城派出所",
            "--name-en",
            "Dongcheng Police Station",
        ],
        env,
        log,
    )
    _setup_step(
        [
            command,
            "user",
            "create",
            "--username",
            OFFICER_USERNAME,
            "--role",
            "duty_officer",
            "--station",
            "DC",
            "--display-name",
            OFFICER_DISPLAY_NAME,
        ],
        env,
        log,
        stdin=OFFICER_PASSWORD + "\n",
    )

    with _serving(env, log) as base_url:
        yield base_url


@contextlib.contextmanager
def _serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """``lostfound serve`` on a free loopback port, stopped afterwards."""
    command = _lostfound_command()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        problem = _wait_until_up(f"{base_url}/login", process, STARTUP_TIMEOUT)
        if problem is not None:
            print(f"--- server log ({log}) ---\n{log.read_text(errors='replace')}")
            pytest.fail(f"the server did not start: {problem}", pytrace=False)
        yield base_url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    passwords: dict[str, str]  # demo username -> the password ``lostfound demo`` printed


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """A second server holding the demo stations, accounts and stories (``lostfound demo``)."""
    data_dir = tmp_path_factory.mktemp("lostfound-demo")
    log = data_dir / "server.log"
    env = _server_env(data_dir)
    command = _lostfound_command()
    _setup_step([command, "migrate"], env, log)
    printed = subprocess.run(
        [command, "demo"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    passwords = {}
    for line in printed.splitlines():
        parts = line.split()
        if len(parts) == 4 and "." in parts[0] and parts[3] in ("DC", "FY", "ZY", "CQ"):
            passwords[parts[0]] = parts[1]
    assert "dc.duty" in passwords, printed
    with _serving(env, log) as base_url:
        yield DemoServer(base_url, passwords)


@dataclass(frozen=True)
class Officer:
    username: str
    password: str
    display_name: str


@pytest.fixture(scope="session")
def officer() -> Officer:
    """The duty officer of station DC that ``live_server`` creates."""
    return Officer(OFFICER_USERNAME, OFFICER_PASSWORD, OFFICER_DISPLAY_NAME)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        _unavailable("Chromium is not installed (looked for `chromium` on PATH and /usr/bin/chromium)")
    return path


@pytest.fixture(scope="session")
def axe_path() -> Path:
    if not AXE_PATH.is_file():
        _unavailable(f"axe-core is missing at {AXE_PATH} (run `npm ci` in tests/browser)")
    return AXE_PATH


class BrowserThread:
    """Sync Playwright driven from a thread of its own.

    The sync API runs an event loop of its own and leaves it marked as running in the
    thread that uses it. In the main thread that would collide with pytest-asyncio's
    session loop (the root conftest's async autouse fixtures, and every async test that
    runs after the browser tests), so Chromium lives here and jobs are handed over.
    """

    JOB_TIMEOUT = 300.0

    def __init__(self, chromium_path: str) -> None:
        self._chromium_path = chromium_path
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._main, name="playwright", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.result(timeout=60)

    def _main(self) -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=self._chromium_path, args=CHROMIUM_ARGS, headless=True
                )
                self._ready.set_result(None)
                try:
                    while (job := self._jobs.get()) is not None:
                        function, future = job
                        if not future.set_running_or_notify_cancel():
                            continue
                        try:
                            future.set_result(function(browser))
                        except BaseException as exc:
                            future.set_exception(exc)
                finally:
                    browser.close()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            else:
                raise

    def run(self, function: Callable[[Any], Any]) -> Any:
        """Call ``function(browser)`` in the browser thread; return its result or raise its error."""
        future: Future[Any] = Future()
        self._jobs.put((function, future))
        return future.result(timeout=self.JOB_TIMEOUT)

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser_thread(chromium_path: str, axe_path: Path) -> Iterator[BrowserThread]:
    """Debian's Chromium, launched once for the session in its own thread."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    worker = BrowserThread(chromium_path)
    try:
        worker.start()
    except Exception as exc:
        _unavailable(f"Chromium did not start through Playwright: {exc}")
    try:
        yield worker
    finally:
        worker.stop()


def _runner(
    browser_thread: BrowserThread, live_server: str, **options: Any
) -> Callable[[Callable[[Any], Any]], Any]:
    """Run ``steps(page)`` in a fresh browser context asking for Chinese.

    ``steps`` runs in the browser thread; whatever it raises is raised here.
    """

    def run(steps: Callable[[Any], Any]) -> Any:
        def job(browser: Any) -> Any:
            context = browser.new_context(base_url=live_server, locale="zh-CN", bypass_csp=True, **options)
            context.set_default_timeout(10_000)
            try:
                return steps(context.new_page())
            finally:
                context.close()

        return browser_thread.run(job)

    return run


@pytest.fixture
def on_phone(browser_thread: BrowserThread, live_server: str) -> Callable[[Callable[[Any], Any]], Any]:
    """A phone-sized page (390×844, touch)."""
    return _runner(
        browser_thread,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def on_demo_desktop(
    browser_thread: BrowserThread, demo_server: DemoServer
) -> Callable[[Callable[[Any], Any]], Any]:
    """A desk computer's window on the demo server."""
    return _runner(browser_thread, demo_server.base_url, viewport={"width": 1280, "height": 800})


@pytest.fixture
def on_desktop(browser_thread: BrowserThread, live_server: str) -> Callable[[Callable[[Any], Any]], Any]:
    """A desk computer's window (1280×800)."""
    return _runner(browser_thread, live_server, viewport={"width": 1280, "height": 800})


def _format_violations(step: str, url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} serious/critical violation(s) on step {step!r} ({url}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation.get('impact')}]: {violation.get('help')}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    target: {target}")
            summary = " / ".join(
                line.strip() for line in (node.get("failureSummary") or "").splitlines() if line.strip()
            )
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture
def check_page(axe_path: Path) -> Callable[[Any, str], None]:
    """Screenshot the page to screenshots/<step>.png, then assert axe finds nothing serious."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def check(page: Any, step: str) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=str(SCREENSHOT_DIR / f"{step}.png"), full_page=True)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(axe_path))
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = results["violations"]
        lesser = [
            f"{v['id']} [{v.get('impact')}]"
            for v in violations
            if v.get("impact") not in ("serious", "critical")
        ]
        print(
            f"axe {results['testEngine']['version']} on {step}: {len(violations)} violation(s)"
            + (f"; not failing: {', '.join(lesser)}" if lesser else "")
        )
        serious = [v for v in violations if v.get("impact") in ("serious", "critical")]
        assert not serious, _format_violations(step, page.url, serious)

    return check
