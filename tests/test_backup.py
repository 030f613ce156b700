"""Backup and restore: the database and the media files together, restored into an empty install."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from lostfound.services import backup, deeds, item_photos
from lostfound.services.demo import load_demo_if_empty
from lostfound.settings import get_settings
from lostfound.storage import MediaStore
from lostfound.tables import Deed, FoundItem
from tests.factories import SYSTEM
from tests.test_cli import LOSTFOUND


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _lostfound(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LOSTFOUND, *args], capture_output=True, text=True, env=env, timeout=300)


async def _facts(database_url: str | None, data_dir: Path) -> tuple[dict[str, int], set[str]]:
    """Rows per table and the media keys named, of the install at ``data_dir`` / ``database_url``."""
    if database_url:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            return await backup._pg_facts(connection)
        finally:
            await connection.close()
    path = data_dir / "lostfound.sqlite3"
    return await backup._sqlite_facts(path) if path.exists() else ({}, set())


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(os.environ["LOSTFOUND_TEST_POSTGRES"])
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
async def empty_install(tmp_path: Path) -> Any:
    """The environment of a second, empty install (its own data folder, and database on PostgreSQL)."""
    env = {**os.environ, "LOSTFOUND_DATA_DIR": str(tmp_path / "restored")}
    name = ""
    if get_settings().uses_postgres:
        name = f"lostfound_restore_{secrets.token_hex(4)}"
        await _admin(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = os.environ["LOSTFOUND_TEST_POSTGRES"].rsplit("/", 1)[0] + f"/{name}"
    yield env
    if name:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _filled_install() -> None:
    await load_demo_if_empty()
    wallet = await FoundItem.select(FoundItem.reference).where(FoundItem.category == "wallet").first()
    await item_photos.add_photo(SYSTEM, wallet["reference"], _jpeg((30, 60, 120)))
    deed = await Deed.select(Deed.id).first()
    await deeds.add_photo(SYSTEM, deed["id"], _jpeg((200, 120, 40)))


async def test_a_backup_restored_into_an_empty_install_holds_every_record_and_photo(
    tmp_path: Path, empty_install: dict[str, str]
) -> None:
    await _filled_install()
    here = get_settings()
    archive = tmp_path / "backup.tar"
    made = await asyncio.to_thread(
        _lostfound, dict(os.environ), "backup", "--out", str(archive), "--with-keys"
    )
    assert made.returncode == 0, made.stderr
    assert "media files" in made.stdout

    done = await asyncio.to_thread(_lostfound, empty_install, "restore", str(archive))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored" in done.stdout

    rows, keys = await _facts(here.database_url if here.uses_postgres else None, here.data_dir)
    restored_dir = Path(empty_install["LOSTFOUND_DATA_DIR"])
    restored_rows, restored_keys = await _facts(empty_install.get("DATABASE_URL"), restored_dir)
    assert restored_rows == rows and rows["found_item"] > 0 and rows["item_photo"] >= 1
    assert restored_keys == keys and len(keys) >= 6  # three sizes of two photos at least
    old, new = MediaStore(here.media_dir), MediaStore(restored_dir / "media")
    for key in keys:
        assert new.path(key).read_bytes() == old.path(key).read_bytes()

    # The restored install works: it finds the demo wallet's owner again.
    wallet = await FoundItem.select(FoundItem.reference).where(FoundItem.category == "wallet").first()
    shown = await asyncio.to_thread(_lostfound, empty_install, "match", wallet["reference"], "--json")
    assert shown.returncode == 0, shown.stderr
    assert '"lost_report": "LR-' in shown.stdout


async def test_a_restore_refuses_other_keys_a_full_install_and_a_damaged_file_writing_nothing(
    tmp_path: Path, empty_install: dict[str, str]
) -> None:
    await _filled_install()
    archive = tmp_path / "backup.tar"
    made = await asyncio.to_thread(_lostfound, dict(os.environ), "backup", "--out", str(archive))
    assert made.returncode == 0, made.stderr
    assert "The keys are not in the backup" in made.stdout

    # The empty install made keys of its own: they cannot read this backup's personal data.
    refused = await asyncio.to_thread(_lostfound, empty_install, "restore", str(archive))
    assert refused.returncode != 0 and "keys of this install cannot read" in refused.stderr
    restored_dir = Path(empty_install["LOSTFOUND_DATA_DIR"])
    rows, keys = await _facts(empty_install.get("DATABASE_URL"), restored_dir)
    assert not any(rows.values()) and not keys
    assert not [p for p in (restored_dir / "media").rglob("*") if p.is_file()]

    # Into the install that holds the data: refused.
    full = await asyncio.to_thread(_lostfound, dict(os.environ), "restore", str(archive))
    assert full.returncode != 0 and "already holds data" in full.stderr

    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(archive.read_bytes()[:1000])
    broken = await asyncio.to_thread(_lostfound, empty_install, "restore", str(damaged))
    assert broken.returncode != 0 and "Traceback" not in broken.stderr
    assert "backup" in broken.stderr
