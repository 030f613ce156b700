"""Backing up an instance (its database and its media files, together) and restoring one.

A backup is one tar file:

``manifest.json``
    format, engine, when it was made, rows per table, the media files it holds, and a check
    of the keys that read the personal data in it (never the keys themselves, unless asked).
``database.sqlite3`` or ``database.pgdump``
    SQLite: a copy by the online backup API, consistent while the service writes.
    PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot, the same snapshot the rows
    are counted and the media references read in.
``media/aa/bb/<sha256>.<ext>``
    every file a row of that copy names. Files are content-addressed and written before the row
    that names them commits, so every file the copy names is on disk when the copy is taken.
``secrets/…``
    only with ``with_keys``: the key files of ``LOSTFOUND_DATA_DIR/secrets``.

A restore goes into an empty install only, checks the keys before it writes anything, checks
every media file against its name, and afterwards counts every table and looks for every file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lostfound.domain.i18n_markers import N_
from lostfound.pii import vault
from lostfound.services.errors import Conflict, ServiceError
from lostfound.services.media_files import MEDIA_COLUMNS
from lostfound.settings import Settings, get_settings
from lostfound.storage import MediaStore

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEY_CHECK_TEXT = "lostfound backup key check"
NOT_EMPTY = N_(
    "This install already holds data. Restore into an empty install "
    "(a new LOSTFOUND_DATA_DIR, or a new empty PostgreSQL database)."
)
NOT_A_BACKUP = N_("This file is not a lostfound backup (or one of a format this version cannot read).")
SECRET_FILES = ("pii_encryption_key", "pii_hash_key", "session_secret")


@dataclass
class BackupSummary:
    path: Path
    rows: dict[str, int]
    files: int
    missing: list[str] = field(default_factory=list)  # files a row names that were not on disk
    bytes: int = 0
    with_keys: bool = False


@dataclass
class RestoreSummary:
    rows: dict[str, int]
    files: int
    missing_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (expected, found)
    missing_files: list[str] = field(default_factory=list)


def table_names() -> list[str]:
    from lostfound.piccolo_app import APP_CONFIG

    return sorted(table._meta.tablename for table in APP_CONFIG.table_classes)


def _key_check() -> dict[str, str]:
    """Proof of the keys without the keys: a keyed hash and a sealed text only they can open."""
    keys = vault()
    return {
        "hash": keys.keyed_hash("backup-check", KEY_CHECK_TEXT),
        "sealed": keys.encrypt(KEY_CHECK_TEXT, "backup-check"),
    }


def keys_fit(check: dict[str, str]) -> bool:
    keys = vault()
    try:
        opened = keys.decrypt(check["sealed"], "backup-check")
    except Exception:  # a wrong key fails authentication; any failure means "not these keys"
        return False
    return opened == KEY_CHECK_TEXT and keys.keyed_hash("backup-check", KEY_CHECK_TEXT) == check["hash"]


# --- reading a copy of the database ------------------------------------------------------------


Fetch = Callable[[str], Awaitable[Sequence[Any]]]
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


async def _facts(fetch: Fetch, tables_sql: str) -> tuple[dict[str, int], set[str]]:
    """Rows per table of ours and the media keys the rows name, through one engine's ``fetch``."""
    present = {row[0] for row in await fetch(tables_sql)}
    rows = {
        name: (await fetch(f'SELECT COUNT(*) FROM "{name}"'))[0][0]
        for name in table_names()
        if name in present
    }
    keys: set[str] = set()
    for table, column in MEDIA_COLUMNS:
        if table in present:
            keys.update(row[0] for row in await fetch(f'SELECT "{column}" FROM "{table}"') if row[0])
    return rows, keys


async def _sqlite_facts(path: Path) -> tuple[dict[str, int], set[str]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        return await _facts(
            lambda sql: asyncio.to_thread(lambda: connection.execute(sql).fetchall()), SQLITE_TABLES
        )
    finally:
        connection.close()


async def _pg_facts(connection: Any) -> tuple[dict[str, int], set[str]]:
    return await _facts(connection.fetch, PG_TABLES)


# --- making a backup ----------------------------------------------------------------------------


async def make_backup(out: Path, with_keys: bool = False, settings: Settings | None = None) -> BackupSummary:
    """Write a backup to ``out``; a failure leaves no file there."""
    settings = settings or get_settings()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        folder = Path(work)
        if settings.uses_postgres:
            rows, keys = await _dump_postgres(settings, folder / PG_FILE)
            database_file = PG_FILE
        else:
            await asyncio.to_thread(_copy_sqlite, settings.sqlite_path, folder / SQLITE_FILE)
            rows, keys = await _sqlite_facts(folder / SQLITE_FILE)
            database_file = SQLITE_FILE
        store = MediaStore(settings.media_dir)
        files = sorted(key for key in keys if store.path(key).is_file())
        missing = sorted(keys - set(files))
        secrets = _secret_files(settings) if with_keys else []
        manifest = {
            "format": FORMAT,
            "engine": "postgresql" if settings.uses_postgres else "sqlite",
            "made_at": datetime.now(UTC).isoformat(),
            "rows": rows,
            "media": files,
            "missing_media": missing,
            "keys": _key_check(),
            "with_keys": [path.name for path in secrets],
        }
        partial = folder / "backup.tar"
        await asyncio.to_thread(_write_tar, partial, manifest, folder / database_file, store, files, secrets)
        os.replace(partial, out)  # same folder: the finished file appears whole or not at all
    return BackupSummary(out, rows, len(files), missing, out.stat().st_size, bool(secrets))


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise ServiceError(N_("There is no database to back up yet: run `lostfound migrate` first."))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # a consistent copy page by page, while other connections keep writing
    finally:
        dst.close()
        src.close()


async def _dump_postgres(settings: Settings, target: Path) -> tuple[dict[str, int], set[str]]:
    """pg_dump of one exported snapshot, and the rows and media keys of that same snapshot."""
    import asyncpg

    connection = await asyncpg.connect(settings.database_url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            facts = await _pg_facts(connection)
            command = [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={settings.database_url}",
            ]
            done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True)
            if done.returncode != 0:
                raise ServiceError(N_("pg_dump failed: %(reason)s"), reason=done.stderr.strip()[-300:])
        return facts
    finally:
        await connection.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServiceError(
            N_("%(tool)s is not installed: install the PostgreSQL client (Debian: postgresql-client)."),
            tool=name,
        )
    return found


def _secret_files(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "secrets"
    return [folder / name for name in SECRET_FILES if (folder / name).is_file()]


def _write_tar(
    path: Path,
    manifest: dict[str, Any],
    database: Path,
    store: MediaStore,
    files: list[str],
    secrets: list[Path],
) -> None:
    with tarfile.open(path, "w") as archive:
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        archive.addfile(info, io.BytesIO(data))
        archive.add(database, arcname=database.name)
        for key in files:
            archive.add(store.path(key), arcname=_media_name(key))
        for secret in secrets:
            archive.add(secret, arcname=f"secrets/{secret.name}")
        archive.fileobj.flush()  # type: ignore[union-attr]
        os.fsync(archive.fileobj.fileno())  # type: ignore[union-attr]


def _media_name(key: str) -> str:
    return f"media/{key[:2]}/{key[2:4]}/{key}"


# --- restoring ------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError, EOFError, OSError, tarfile.TarError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ServiceError(NOT_A_BACKUP)
    return manifest


@contextlib.contextmanager
def open_backup(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115 - closed by the with below, after the refusal
    except (OSError, tarfile.TarError) as exc:
        raise ServiceError(NOT_A_BACKUP) from exc
    with archive:
        yield archive


def install_keys(path: Path, settings: Settings) -> bool:
    """Put the key files of a backup made ``with_keys`` in place, before anything reads the keys.

    Only into an install whose database does not exist yet or is empty: its own new keys protect
    nothing. Returns whether keys were installed.
    """
    with open_backup(path) as archive:
        manifest = read_manifest(archive)
        if not manifest.get("with_keys"):
            return False
        folder = settings.data_dir / "secrets"
        folder.mkdir(mode=0o700, exist_ok=True)
        for name in manifest["with_keys"]:
            if name not in SECRET_FILES:
                continue
            member = archive.extractfile(f"secrets/{name}")
            if member is None:
                continue
            target = folder / name
            target.write_bytes(member.read())
            target.chmod(0o600)
    return True


async def installed_facts(settings: Settings) -> tuple[dict[str, int], set[str]]:
    """Rows per table and media keys named, of this install's database (none when it does not exist)."""
    if settings.uses_postgres:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            return await _pg_facts(connection)
        finally:
            await connection.close()
    if not settings.sqlite_path.exists():
        return {}, set()
    return await _sqlite_facts(settings.sqlite_path)


async def database_is_empty(settings: Settings) -> bool:
    """No table of ours holds a row (a database that was only migrated counts as empty)."""
    rows, _ = await installed_facts(settings)
    return not any(rows.values())


async def restore_backup(path: Path, settings: Settings | None = None) -> RestoreSummary:
    """Restore a backup into this empty install; refuses before writing anything when it cannot."""
    settings = settings or get_settings()
    with open_backup(path) as archive:
        manifest = read_manifest(archive)
        engine = "postgresql" if settings.uses_postgres else "sqlite"
        if manifest["engine"] != engine:
            raise ServiceError(
                N_(
                    "This backup is of a %(made)s database and this install uses %(here)s: "
                    "restore it into an install of the same kind."
                ),
                made=manifest["engine"],
                here=engine,
            )
        if not await database_is_empty(settings):
            raise Conflict(NOT_EMPTY)
        if not keys_fit(manifest["keys"]):
            raise ServiceError(
                N_(
                    "The keys of this install cannot read the personal data in this backup. Set "
                    "LOSTFOUND_PII_KEY and LOSTFOUND_HASH_KEY to the keys of the install that made it, "
                    "or use a backup made with --with-keys."
                )
            )
        store = MediaStore(settings.media_dir)
        for key in manifest["media"]:
            _restore_file(archive, key, store)
        with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".restore-") as work:
            if engine == "sqlite":
                copied = Path(work) / SQLITE_FILE
                _extract(archive, SQLITE_FILE, copied)
                for suffix in ("-wal", "-shm"):  # of an empty database that was only migrated
                    Path(f"{settings.sqlite_path}{suffix}").unlink(missing_ok=True)
                os.replace(copied, settings.sqlite_path)
            else:
                dump = Path(work) / PG_FILE
                _extract(archive, PG_FILE, dump)
                await _pg_restore(settings, dump)
    return await verify(manifest, settings)


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    member = archive.extractfile(name)
    if member is None:
        raise ServiceError(N_("The backup is incomplete: %(name)s is missing."), name=name)
    with open(target, "wb") as handle:
        shutil.copyfileobj(member, handle, 1 << 20)


def _restore_file(archive: tarfile.TarFile, key: str, store: MediaStore) -> None:
    """One media file, checked against its name (the SHA-256 of its bytes) before it is stored."""
    try:
        member = archive.extractfile(_media_name(key))
    except KeyError:
        member = None
    if member is None:
        return  # counted as missing by verify()
    data = member.read()
    if hashlib.sha256(data).hexdigest() != key.split(".", 1)[0]:
        raise ServiceError(
            N_("The backup is damaged: the file %(key)s does not match its checksum."), key=key
        )
    suffix = "." + key.split(".", 1)[1]
    store.put(data, suffix)


async def _pg_restore(settings: Settings, dump: Path) -> None:
    import asyncpg

    connection = await asyncpg.connect(settings.database_url)
    try:
        # A migrated but empty database: its empty tables make way for the backup's.
        tables = [
            row[0]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        if tables:
            await connection.execute("DROP TABLE " + ", ".join(f'"{name}"' for name in tables) + " CASCADE")
    finally:
        await connection.close()
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={settings.database_url}",
        str(dump),
    ]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServiceError(N_("pg_restore failed: %(reason)s"), reason=done.stderr.strip()[-300:])


async def verify(manifest: dict[str, Any], settings: Settings | None = None) -> RestoreSummary:
    """Count every table and look for every file the restored rows name."""
    settings = settings or get_settings()
    rows, keys = await installed_facts(settings)
    store = MediaStore(settings.media_dir)
    expected: dict[str, int] = manifest["rows"]
    short = {
        table: (count, rows.get(table, 0)) for table, count in expected.items() if rows.get(table, 0) != count
    }
    missing = sorted(key for key in keys if not store.path(key).is_file())
    return RestoreSummary(rows, len(keys) - len(missing), short, missing)
