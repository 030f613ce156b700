"""The ``lostfound`` command line, run as an operator would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from lostfound.settings import get_settings
from lostfound.tables import AuditEvent, StaffUser, Station
from tests.factories import make_station

LOSTFOUND = str(Path(sys.executable).with_name("lostfound"))


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOSTFOUND, *args], input=stdin, capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )


async def test_user_create_takes_the_password_from_standard_input(client: httpx.AsyncClient) -> None:
    await make_station()
    done = run(
        "user", "create", "--username", "dc.zhou", "--role", "duty_officer", "--station", "dc",
        "--display-name", "周明远", stdin="Desk-Password-2026\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "created dc.zhou" in done.stdout
    row = (
        await StaffUser.select(StaffUser.role, StaffUser.password_hash)
        .where(StaffUser.username == "dc.zhou")
        .first()
    )
    assert row["role"] == "duty_officer" and row["password_hash"].startswith("$argon2")
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "user.create") & (AuditEvent.actor_name == "cli")
    )


async def test_user_create_refuses_bad_input_clearly_and_stores_nothing() -> None:
    await make_station()

    def create(station: str, password: str, role: str = "duty_officer") -> subprocess.CompletedProcess[str]:
        args = ["user", "create", "--username", "dc.zhou", "--role", role, "--station", station]
        return run(*args, stdin=password + "\n")

    weak = create("DC", "short")
    assert weak.returncode != 0 and "at least 10 characters" in weak.stderr
    nowhere = create("XX", "Long-Password-1")
    assert nowhere.returncode != 0 and "No station has the code XX" in nowhere.stderr
    bad_role = create("DC", "Long-Password-1", role="chief")
    assert bad_role.returncode == 2
    assert "Traceback" not in weak.stderr + nowhere.stderr + bad_role.stderr
    assert await StaffUser.count() == 0


async def test_token_create_prints_a_token_that_opens_the_api(client: httpx.AsyncClient) -> None:
    await make_station()
    run(
        "user",
        "create",
        "--username",
        "dc.scan",
        "--role",
        "duty_officer",
        "--station",
        "DC",
        stdin="Desk-Password-2026\n",
    )
    done = run("token", "create", "--user", "dc.scan", "--name", "scanner")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("lf_") and len(token) > 40
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "dc.scan"
    listed = run("token", "list", "--user", "dc.scan")
    assert token[:10] in listed.stdout and "live" in listed.stdout and "scanner" in listed.stdout
    revoked = run("token", "revoke", token[:10])
    assert revoked.returncode == 0, revoked.stderr
    again = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    assert run("token", "revoke", token[:10]).returncode != 0
    unknown = run("token", "create", "--user", "nobody")
    assert unknown.returncode != 0 and "No account has the username nobody" in unknown.stderr


async def test_demo_loads_three_stations_and_a_bureau_once_and_prints_the_passwords() -> None:
    first = run("demo")
    assert first.returncode == 0, first.stderr
    assert await Station.count() == 4 and await Station.count().where(Station.is_bureau.eq(True)) == 1
    assert await StaffUser.count() == 14
    lines = [
        line.split() for line in first.stdout.splitlines() if line.startswith(("dc.", "fy.", "zy.", "cq."))
    ]
    assert len(lines) == 14
    username, password = lines[0][0], lines[0][1]
    stored = await StaffUser.select(StaffUser.password_hash).where(StaffUser.username == username).first()
    assert password not in stored["password_hash"]
    assert not list(get_settings().data_dir.glob("*.txt"))  # no plain-text copy of the passwords
    second = run("demo")
    assert second.returncode == 0 and "already holds data" in second.stdout
    assert await StaffUser.count() == 14


async def test_migrate_is_idempotent() -> None:
    assert run("migrate").returncode == 0
    assert run("migrate").returncode == 0


def test_several_workers_need_shared_stores() -> None:
    done = run("serve", "--workers", "2")
    assert done.returncode == 2 and "REDIS_URL" in done.stderr


async def test_a_failing_demo_load_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    from lostfound.services import demo

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo.accounts, "create_account", broken)
    with pytest.raises(RuntimeError):
        await demo.load_demo_if_empty()
    assert await Station.count() == 0
    monkeypatch.undo()
    loaded = await demo.load_demo_if_empty()
    assert loaded is not None and len(loaded.accounts) == 14


async def test_user_password_lets_an_operator_back_in(client: httpx.AsyncClient) -> None:
    from tests.factories import make_user, sign_in

    await make_user("dc.admin")
    done = run("user", "password", "--username", "dc.admin", stdin="Recovered-Pass-31\n")
    assert done.returncode == 0, done.stderr
    response = await sign_in(client, "dc.admin", "Recovered-Pass-31")
    assert response.headers["location"] == "/account/password"  # must choose a new one now
    assert run("user", "password", "--username", "ghost", stdin="Recovered-Pass-31\n").returncode != 0


def _run_elsewhere(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command line on another database than the tests'."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [LOSTFOUND, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "never awaited" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and done.stderr.rstrip().endswith(errors[0]), done.stderr
    return errors[0]


def test_a_database_never_migrated_is_named_in_one_line_not_a_traceback(tmp_path: Path) -> None:
    lines = tmp_path / "reports.jsonl"
    lines.write_text('{"external_ref": "OLD-R-1"}\n', encoding="utf-8")
    env = {"LOSTFOUND_DATA_DIR": str(tmp_path / "new")}
    for args in (("import", "lost-reports", str(lines)), ("match", "LR-2026-000001")):
        assert "run `lostfound migrate` first" in _one_line_error(_run_elsewhere(env, *args))


def test_a_database_server_out_of_reach_is_named_without_its_password(tmp_path: Path) -> None:
    lines = tmp_path / "reports.jsonl"
    lines.write_text('{"external_ref": "OLD-R-1"}\n', encoding="utf-8")
    env = {
        "LOSTFOUND_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": "postgres://clerk:Secret-Word-9@127.0.0.1:9/lostfound",  # nothing listens on 9
    }
    for args in (("import", "lost-reports", str(lines)), ("match", "LR-2026-000001"), ("migrate",)):
        done = _run_elsewhere(env, *args)
        assert _one_line_error(done) == "Error: Cannot reach the database at 127.0.0.1:9."
        assert "Secret-Word-9" not in done.stdout + done.stderr


async def test_station_create_refuses_the_code_lr() -> None:
    done = run(
        "station", "create", "--code", "LR", "--name-zh", "莲荣派出所", "--name-en", "Lianrong Station"
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "LR cannot be a station code: the references of lost reports begin with it." in done.stderr
    assert not await Station.exists().where(Station.code == "LR")
