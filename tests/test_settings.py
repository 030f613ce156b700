"""Settings from the environment: the embedded default and the switches to shared services."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lostfound.settings import Settings


def test_embedded_default_keeps_everything_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "LOSTFOUND_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path / "instance"))
    settings = Settings.from_env()
    assert settings.sqlite_path == tmp_path / "instance" / "lostfound.sqlite3"
    assert settings.media_dir.is_dir() and settings.media_dir == tmp_path / "instance" / "media"
    assert not settings.uses_postgres and settings.redis_url is None
    secret_file = tmp_path / "instance" / "secrets" / "session_secret"
    assert secret_file.read_text() == settings.secret_key and len(settings.secret_key) >= 40
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    assert Settings.from_env().secret_key == settings.secret_key  # kept across restarts
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_two_instances_side_by_side_have_separate_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOSTFOUND_SECRET_KEY", raising=False)
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path / "a"))
    first = Settings.from_env()
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path / "b"))
    second = Settings.from_env()
    assert first.secret_key != second.secret_key and first.sqlite_path != second.sqlite_path


def test_database_and_redis_urls_switch_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lostfound")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("LOSTFOUND_PORT", "8123")
    settings = Settings.from_env()
    assert (
        settings.uses_postgres and settings.redis_url == "redis://127.0.0.1:6379/0" and settings.port == 8123
    )


@pytest.mark.sqlite_only
async def test_every_sqlite_connection_maps_the_database_file() -> None:
    """Piccolo opens a connection for each transaction and for each query outside one; matching reads
    on connections of its own. Each maps the file: a connection without the mapping read a million
    reports with a system call a page, almost twice as slowly."""
    from lostfound.services import fast_reads
    from lostfound.services.transactions import write_transaction
    from lostfound.tables import LostReport

    async def mapped() -> bool:
        return (await LostReport.raw("PRAGMA mmap_size"))[0]["mmap_size"] > 0  # SQLite caps the size

    assert await mapped()
    for checks in (True, False):
        async with write_transaction(check_foreign_keys=checks):
            assert await mapped()
    for inline in (True, False):
        assert (await fast_reads.fetch("PRAGMA mmap_size", inline=inline))[0][0] > 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x/y"),
        ("LOSTFOUND_PORT", "eighty"),
        ("LOSTFOUND_AREA_CODE", "+86 579"),
        ("LOSTFOUND_AREA_CODE", "05790"),
    ],
)
def test_bad_settings_stop_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        Settings.from_env()
    assert name in str(stopped.value)


@pytest.mark.parametrize(("value", "code"), [("0579", "0579"), ("579", "0579"), (" 010 ", "010"), ("", "")])
def test_the_area_code_is_read_with_its_trunk_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, code: str
) -> None:
    monkeypatch.setenv("LOSTFOUND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOSTFOUND_AREA_CODE", value)
    assert Settings.from_env().area_code == code
