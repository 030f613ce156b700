"""The ``lostfound`` command line for the people who run the service."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from lostfound.domain.roles import Role

if TYPE_CHECKING:
    from lostfound.services.matching import Side

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def _fail(message: str) -> None:
    raise click.ClickException(message)


async def _with_pool(coro: Coroutine[Any, Any, T]) -> T:
    from lostfound.database import close_pool, open_pool
    from lostfound.settings import get_settings

    try:
        await open_pool(get_settings())
    except BaseException:
        coro.close()  # never started: closed, so Python does not warn that it was never awaited
        raise
    try:
        return await coro
    finally:
        await close_pool()


def _service_call(coro: Coroutine[Any, Any, T]) -> T:
    """Run a service call and turn its refusal, or a database that is not there, into a readable
    error (English: operators' console)."""
    with _readable_errors():
        return _run(_with_pool(coro))


@contextlib.contextmanager
def _readable_errors() -> Iterator[None]:
    from lostfound.services.errors import ServiceError

    try:
        yield
    except ServiceError as exc:
        _fail(exc.message % exc.params if exc.params else exc.message)
    except Exception as exc:
        problem = _database_problem(exc)
        if problem is None:
            raise
        _fail(problem)


def _database_problem(exc: Exception) -> str | None:
    """A one-line account of a database that cannot be used, or None for any other error."""
    import socket
    import sqlite3

    import asyncpg

    from lostfound.settings import get_settings

    settings = get_settings()
    migrate_first = "The database has no tables yet: run `lostfound migrate` first."
    if isinstance(exc, sqlite3.OperationalError):
        if "no such table" in str(exc):
            return migrate_first
        if "unable to open database file" in str(exc):
            return f"Cannot open the database in {settings.data_dir}: {exc}."
        return None
    if not settings.uses_postgres:
        return None
    where = _database_address(settings.database_url or "")
    if isinstance(exc, asyncpg.UndefinedTableError):
        return migrate_first
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"The database server at {where} has no such database: {exc}."
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return f"The database at {where} refused the connection: {exc}."
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror | asyncpg.CannotConnectNowError):
        return f"Cannot reach the database at {where}."
    return None


def _database_address(url: str) -> str:
    """HOST:PORT of a DATABASE_URL, without the user or the password."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    except ValueError:
        return "DATABASE_URL"


@click.group()
def main() -> None:
    """lostfound: found property and good deeds for police stations."""
    import warnings

    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    # Piccolo asks a PostgreSQL server its version as the engine is made, and warns (in colour, with
    # a line of its source) when it cannot: a command that needs the database says so in one line.
    warnings.filterwarnings("ignore", message=".*Unable to (connect to database|fetch server version)")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default LOSTFOUND_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default LOSTFOUND_PORT or 8000).")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web application."""
    import uvicorn

    from lostfound.fonts import warn_if_no_cjk_font
    from lostfound.settings import get_settings
    from lostfound.web.observability import configure_logging

    settings = get_settings()
    if workers > 1 and not (settings.uses_postgres and settings.redis_url):
        click.echo(
            "Several workers need DATABASE_URL (PostgreSQL) and REDIS_URL so they share state.", err=True
        )
        sys.exit(2)
    configure_logging(settings)
    warn_if_no_cjk_font()
    if workers > 1:
        _prometheus_folder(settings.data_dir)
    uvicorn.run(
        "lostfound.web.app:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # Behind a reverse proxy every request comes from the proxy: only the proxies named here
        # may say who the client is (per-client rate limits and the audit log need the real one).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        log_config=None,  # ours (configure_logging), in every worker
        access_log=False,  # the request-context middleware writes one line per request, with its id
    )


def _prometheus_folder(data_dir: Any) -> None:
    """Workers write their metrics here and any of them answers a scrape for all (emptied at start)."""
    import shutil

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(data_dir / "prometheus")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from lostfound.database import migrate as apply

    with _readable_errors():
        _run(apply())


@main.command()
def demo() -> None:
    """Load the demo stations and accounts when the database is empty."""
    from lostfound.domain.lost_reports import format_claim_code
    from lostfound.services.demo import load_demo_if_empty

    loaded = _service_call(load_demo_if_empty())
    if loaded is None:
        click.echo("Demo data not loaded: the database already holds data.")
        return
    created = loaded.accounts
    click.echo("Demo stations DC, FY and ZY (one account per role) and the district bureau CQ loaded.")
    click.echo("The passwords are shown this once and stored only as hashes:")
    click.echo(f"{'username':<16} {'password':<16} {'role':<13} station")
    for account in created:
        click.echo(
            f"{account.username:<16} {account.password:<16} {account.role.value:<13} {account.station_code}"
        )
    click.echo("Lost one? lostfound user password --username NAME sets a new one.")
    owner = loaded.owner_report
    click.echo(
        f"The wallet's owner reported it online: reference {owner.reference}, claim code "
        f"{format_claim_code(owner.claim_code)} (try them at /claim)."
    )


@main.group()
def user() -> None:
    """Staff accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@user.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--station", "station_code", required=True, help="Station code, e.g. DC.")
@click.option("--display-name", default="", help="Full name shown to colleagues.")
@click.option(
    "--must-change-password/--no-must-change-password",
    default=False,
    show_default=True,
    help="Make the user choose a new password at the first sign-in.",
)
def user_create(
    username: str, role: str, station_code: str, display_name: str, must_change_password: bool
) -> None:
    """Create a staff account; the password comes from a prompt or standard input."""
    from lostfound.services import accounts
    from lostfound.services.context import Actor

    password = _read_password()
    member = _service_call(
        accounts.create_account(
            Actor.system("cli"),
            accounts.NewAccount(
                username=username,
                display_name=display_name,
                role=role,
                station_code=station_code,
                password=password,
                must_change_password=must_change_password,
            ),
        )
    )
    click.echo(f"created {member.username} ({member.role.value}, {member.station_code})")


@user.command("password")
@click.option("--username", required=True)
@click.option(
    "--must-change-password/--no-must-change-password",
    default=True,
    show_default=True,
    help="Make the user choose a new password at the next sign-in.",
)
def user_password(username: str, must_change_password: bool) -> None:
    """Set USER's password (from a prompt or standard input); ends their sessions."""
    from lostfound.services import accounts
    from lostfound.services.context import Actor

    password = _read_password()
    _service_call(accounts.set_password(Actor.system("cli"), username, password, must_change_password))
    click.echo(f"password set for {username}")


@main.group()
def token() -> None:
    """API tokens for staff scripts."""


@token.command("create")
@click.option("--user", "username", required=True)
@click.option("--name", default="", help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create a bearer token for USER and print it (it is not shown again)."""
    from lostfound.services import accounts
    from lostfound.services.context import Actor

    click.echo(_service_call(accounts.create_token(Actor.system("cli"), username, name)))


@token.command("list")
@click.option("--user", "username", required=True)
def token_list(username: str) -> None:
    """List USER's tokens by prefix (the tokens themselves are never stored)."""
    from lostfound.services import accounts

    for row in _service_call(accounts.list_tokens(username)):
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "live"
        used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
        click.echo(f"{row['prefix']}  {state:<24} last used {used:<16}  {row['name']}")


@token.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token that starts with PREFIX (as printed by `token list`)."""
    from lostfound.services import accounts
    from lostfound.services.context import Actor

    owner = _service_call(accounts.revoke_token(Actor.system("cli"), prefix))
    click.echo(f"revoked {prefix}… of {owner}")


@main.group()
def station() -> None:
    """Stations."""


@station.command("create")
@click.option("--code", required=True)
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@click.option("--address-zh", default="")
@click.option("--address-en", default="")
@click.option("--phone", default="")
def station_create(
    code: str, name_zh: str, name_en: str, address_zh: str, address_en: str, phone: str
) -> None:
    """Create a station (needed before its first account)."""
    from lostfound.services import stations
    from lostfound.services.context import Actor

    data = stations.StationInput(
        code=code, name_zh=name_zh, name_en=name_en, address_zh=address_zh, address_en=address_en, phone=phone
    )
    created = _service_call(stations.create_station(Actor.system("cli"), data))
    click.echo(f"created station {created['code']}")


@main.group()
def outbox() -> None:
    """Messages to owners."""


@outbox.command("deliver")
def outbox_deliver() -> None:
    """Send the messages that are due now (the server does this by itself every few seconds)."""
    from lostfound.notify.senders import senders_for
    from lostfound.services.notifications import deliver_due
    from lostfound.settings import get_settings

    settings = get_settings()
    run = _service_call(deliver_due(senders_for(settings), settings.outbox_max_attempts, limit=10_000))
    click.echo(f"sent {run.sent}, to retry {run.retrying}, given up {run.given_up}")


@main.group()
def retention() -> None:
    """Retention of owners' reports."""


@retention.command("run")
def retention_run() -> None:
    """Remind, close and erase reports whose time has come (the server does this hourly)."""
    from lostfound.services.retention import run_retention
    from lostfound.settings import get_settings

    run = _service_call(run_retention(get_settings()))
    click.echo(f"reminded {run.reminded}, closed {run.expired}, erased {run.erased}")


def _entries(path: str) -> tuple[int, Any]:
    """Count the lines (for the progress bar), then yield (line number, raw line) lazily.

    Lines stay bytes: a line that is not UTF-8 is one bad line (reported by the parser), not the end
    of the import, and the JSON decoder reads bytes as fast as text. A byte order mark, which
    spreadsheet exports put before the first line, is dropped. A pipe (``-``, ``/dev/stdin``,
    ``<(zcat …)``) can be read only once: it is copied to a temporary file as it is counted.
    """
    source = _spooled(path)
    if source is None:
        with open(path, "rb") as handle:
            total = sum(1 for line in handle if line.strip())
    else:
        total = _count_and_spool(path, source)

    def generate() -> Any:
        with open(path, "rb") if source is None else source as handle:
            for number, line in enumerate(handle, start=1):
                if number == 1:
                    line = line.removeprefix(codecs.BOM_UTF8)
                if line.strip():
                    yield number, line

    return total, generate()


def _spooled(path: str) -> Any:
    """A temporary file (deleted when closed) for a source that is not a regular file, else None."""
    import stat
    import tempfile

    if path != "-" and stat.S_ISREG(os.stat(path).st_mode):
        return None
    return tempfile.TemporaryFile(prefix="lostfound-import-")


def _count_and_spool(path: str, spool: Any) -> int:
    total = 0
    with open(sys.stdin.fileno(), "rb", closefd=False) if path == "-" else open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                total += 1
            spool.write(line)
    spool.seek(0)
    return total


def _decode_problem(line: str | bytes, exc: Exception) -> ValueError:
    """What is wrong with a line the JSON decoder refused, in words an operator can act on."""
    if isinstance(line, bytes):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            return ValueError(f"not UTF-8 text (byte {bad.start + 1} of the line)")
    return ValueError(str(exc))


def parse_found_item(line: str | bytes) -> Any:
    """One JSON line to a found-item input (runs in the import's worker processes)."""
    import msgspec

    from lostfound.web.api_bodies import FoundItemIn, found_item_input

    try:
        return found_item_input(msgspec.json.decode(line, type=FoundItemIn))
    except msgspec.MsgspecError as exc:
        raise _decode_problem(line, exc) from exc


def parse_lost_report(line: str | bytes) -> Any:
    """One JSON line to a lost-report input (runs in the import's worker processes)."""
    import msgspec

    from lostfound.web.api_bodies import LostReportIn, lost_report_input

    try:
        return lost_report_input(msgspec.json.decode(line, type=LostReportIn))
    except msgspec.MsgspecError as exc:
        raise _decode_problem(line, exc) from exc


def _run_import(
    job: Callable[[Callable[[int], None]], Coroutine[Any, Any, Any]], total: int, label: str
) -> Any:
    """Run an import with a progress bar; Ctrl-C stops it between batches' worth of work, cleanly."""
    done = 0

    def progress(lines: int) -> None:
        nonlocal done
        done += lines
        bar.update(lines)

    try:
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            return _service_call(job(progress))
    except KeyboardInterrupt:
        # Each batch is written whole or not at all: what is in stays, and a second run skips it.
        click.echo(
            f"\nStopped after {done} of {total} lines, each batch written whole or not at all. Run the"
            " same command again to bring in the rest: what is already in is not copied again.",
            err=True,
        )
        sys.exit(130)


class _MapFile:
    """Where ``--map-out`` goes: checked and opened before the import touches the database.

    Found unwritable only after the import, the map would be lost with every record already
    committed (and owners already notified). It is written to a temporary file beside the target
    and moved into place once whole, so a map left from an earlier run is never half overwritten.
    """

    def __init__(self, target: str, source: str) -> None:
        import tempfile

        if _same_file(target, source):
            _fail(f"--map-out {target} is the file being imported: name another file for the map.")
        directory = os.path.dirname(os.path.abspath(target))
        try:
            # Closed by commit or discard, which outlive this method.
            self._handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
                "w", encoding="utf-8", dir=directory, prefix=".map-", suffix=".tmp", delete=False
            )
        except OSError as exc:
            _fail(f"Cannot write the map {target}: {exc.strerror or exc}.")
        self._target = target

    def commit(self, mapping: list[tuple[str, str]]) -> None:
        import json

        handle = self._handle
        try:
            for external_ref, reference in mapping:
                handle.write(
                    json.dumps({"external_ref": external_ref, "reference": reference}, ensure_ascii=False)
                    + "\n"
                )
            handle.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(handle.name, 0o666 & ~umask)  # as a file opened for writing would be, not 0600
            os.replace(handle.name, self._target)
        except OSError as exc:
            self.discard()
            _fail(f"Cannot write the map {self._target}: {exc.strerror or exc}.")

    def discard(self) -> None:
        """Remove the temporary file (the import stopped, or the map is in place already)."""
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._handle.name)


def _same_file(target: str, source: str) -> bool:
    try:
        there = os.stat(target)
        here = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
    except OSError:
        return False  # the map does not exist yet
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def _report_import(result: Any, map_file: _MapFile | None) -> None:
    for line, reason in result.bad:
        click.echo(f"line {line}: skipped: {reason}", err=True)
    if map_file is not None:
        map_file.commit(result.mapping)
    already = f", already imported {result.already}" if result.already else ""
    click.echo(f"imported {result.imported}{already}, skipped {len(result.bad)}")
    unnamed = sum(1 for _, external_ref, _ in result.mapped if not external_ref)
    if unnamed:
        # Only an external reference tells a record already brought in from one to bring in.
        click.echo(
            f"{unnamed} record(s) have no external_ref: this file run again would copy them again.", err=True
        )
    if result.bad:
        # Done, but not all of it: a migration script can tell this from success (0), from an
        # error that stopped the import (1) and from Ctrl-C (130).
        sys.exit(IMPORT_SKIPPED_LINES)


IMPORT_SKIPPED_LINES = 3  # the exit status of an import that skipped bad lines


@main.group()
def clock() -> None:
    """The legal clock of found property (Civil Code art. 318)."""


@clock.command("run")
@click.option(
    "--now", "now_text", default="", help="Act as if it were this moment (ISO 8601, with its zone)."
)
def clock_run(now_text: str) -> None:
    """Mark items in custody whose one-year claim period has ended as unclaimed (the server also does this hourly).

    An item whose owner was found waits for them instead."""
    from datetime import datetime

    from lostfound.services.legal_clock import expire_due

    try:
        now = datetime.fromisoformat(now_text) if now_text else None
    except ValueError:
        _fail("--now must be an ISO 8601 moment, e.g. 2027-03-01T09:00:00+08:00")
        return
    if now is not None and now.tzinfo is None:
        _fail("--now needs a zone, e.g. +08:00")
        return
    done = _service_call(expire_due(now))
    click.echo(f"{len(done)} item(s) now unclaimed" + (f": {', '.join(done)}" if done else ""))


@main.group("import")
def import_() -> None:
    """Import records from other systems (JSON Lines, one API object per line)."""


_WORKERS_HELP = (
    "Processes that validate records (and match found items) beside the database work "
    "(default: one per spare core; 0: none)."
)


def _workers(requested: int | None, total: int, side: Side) -> int:
    from lostfound.services.bulk_import import workers_for

    return max(0, requested) if requested is not None else workers_for(total, side)


ImportJob = Callable[[int, Any, Callable[[int], None]], Coroutine[Any, Any, Any]]


def _import_file(path: str, map_out: str | None, label: str, job: ImportJob) -> None:
    """Check where the map goes, read the file, import it and report: the map first, as a map that
    cannot be written is better refused before anything is imported than after."""
    map_file = _MapFile(map_out, path) if map_out else None
    try:
        total, entries = _entries(path)
        result = _run_import(lambda progress: job(total, entries, progress), total, label)
        _report_import(result, map_file)
    finally:
        if map_file is not None:
            map_file.discard()


@import_.command("found-items")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--map-out", type=click.Path(dir_okay=False), help="Write {external_ref, reference} per line.")
@click.option("--workers", type=int, default=None, help=_WORKERS_HELP)
def import_found_items(path: str, map_out: str | None, workers: int | None) -> None:
    """Import found items; each line is a POST /api/v1/found-items body with its station."""
    from lostfound.services.bulk_import import import_found_items as run

    def job(total: int, entries: Any, progress: Callable[[int], None]) -> Coroutine[Any, Any, Any]:
        return run(
            entries, progress, workers=_workers(workers, total, "item"), parse=parse_found_item, total=total
        )

    _import_file(path, map_out, "found items", job)


@import_.command("lost-reports")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--map-out", type=click.Path(dir_okay=False), help="Write {external_ref, reference} per line.")
@click.option(
    "--notify/--no-notify", default=False, help="Send each owner the usual confirmation with a claim code."
)
@click.option("--workers", type=int, default=None, help=_WORKERS_HELP)
def import_lost_reports(path: str, map_out: str | None, notify: bool, workers: int | None) -> None:
    """Import lost reports; each line is a POST /api/v1/lost-reports body."""
    from lostfound.services.bulk_import import import_lost_reports as run

    def job(total: int, entries: Any, progress: Callable[[int], None]) -> Coroutine[Any, Any, Any]:
        return run(
            entries,
            progress,
            notify=notify,
            workers=_workers(workers, total, "report"),
            parse=parse_lost_report,
            total=total,
        )

    _import_file(path, map_out, "lost reports", job)


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write it (default: LOSTFOUND_DATA_DIR/backups/lostfound-YYYYMMDD-HHMMSS.tar).",
)
@click.option(
    "--with-keys",
    is_flag=True,
    help="Also store the key files of LOSTFOUND_DATA_DIR/secrets: keep such a backup as safe as the keys.",
)
def backup(out: str | None, with_keys: bool) -> None:
    """Back up the database and the media files together, consistently, while the service runs."""
    from datetime import UTC, datetime
    from pathlib import Path

    from lostfound.services.backup import make_backup
    from lostfound.settings import get_settings

    settings = get_settings()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = Path(out) if out else settings.data_dir / "backups" / f"lostfound-{stamp}.tar"
    done = _service_call(make_backup(target, with_keys=with_keys))
    rows = sum(done.rows.values())
    click.echo(
        f"backup written: {done.path} ({done.bytes / 1e6:.1f} MB): "
        f"{rows} rows in {len(done.rows)} tables, {done.files} media files"
    )
    if done.missing:
        click.echo(f"warning: {len(done.missing)} file(s) named by a record were not on disk", err=True)
    if not done.with_keys:
        click.echo(
            "The keys are not in the backup. A restore needs the same LOSTFOUND_PII_KEY and "
            "LOSTFOUND_HASH_KEY (or the files of LOSTFOUND_DATA_DIR/secrets): keep them safe, apart from it."
        )


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
def restore(archive: str) -> None:
    """Restore a backup into an empty install (stop the service first), then check every record and file."""
    from pathlib import Path

    from lostfound.database import migrate as apply
    from lostfound.pii import vault
    from lostfound.services import backup as backups
    from lostfound.services.errors import Conflict
    from lostfound.settings import get_settings

    path = Path(archive)

    async def restore_here() -> backups.RestoreSummary:
        settings = get_settings()
        if not await backups.database_is_empty(settings):
            raise Conflict(backups.NOT_EMPTY)
        if backups.install_keys(path, settings):  # the keys this empty install made protect nothing yet
            get_settings.cache_clear()
            vault.cache_clear()
        done = await backups.restore_backup(path)
        await apply()  # a backup of an older version gets this version's schema
        return done

    done = _service_call(restore_here())
    click.echo(
        f"restored {sum(done.rows.values())} rows in {len(done.rows)} tables and {done.files} media files"
    )
    for table, (expected, found) in sorted(done.missing_rows.items()):
        click.echo(f"warning: {table}: {found} rows, the backup held {expected}", err=True)
    if done.missing_files:
        click.echo(f"warning: {len(done.missing_files)} file(s) named by a record are missing", err=True)
    if done.missing_rows or done.missing_files:
        sys.exit(1)


@main.group()
def media() -> None:
    """The photo and signature files under LOSTFOUND_DATA_DIR/media."""


@media.command("sweep")
@click.option(
    "--older-than",
    type=float,
    default=3600,
    show_default=True,
    help="Seconds a file must be old to go (a photo is written just before its record commits).",
)
def media_sweep(older_than: float) -> None:
    """Remove files no record names, left by interrupted intakes (the server does this hourly)."""
    from lostfound.services.media_files import sweep_orphans
    from lostfound.settings import get_settings

    removed = _service_call(sweep_orphans(get_settings(), older_than))
    click.echo(f"removed {len(removed)} file(s) no record names")


@main.command("rematch")
def rematch_command() -> None:
    """Key and match every open record again: after an upgrade that changes how records are keyed."""
    from lostfound.services.matching import open_count, rematch_open

    async def run() -> dict[str, int]:
        done = {}
        for side, label in (("report", "lost reports"), ("item", "found items")):
            with click.progressbar(length=await open_count(side), label=label, file=sys.stderr) as bar:
                done[side] = await rematch_open(side, bar.update)
        return done

    done = _service_call(run())
    click.echo(f"matched again: {done['report']} open lost report(s), {done['item']} open found item(s)")


@main.command("match")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print the API answer as JSON.")
@click.option("--refresh", is_flag=True, help="Run matching again before printing.")
def match_command(reference: str, as_json: bool, refresh: bool) -> None:
    """Print the matches of a found item (DC-…) or a lost report (LR-…), best first."""
    import json

    from lostfound.services.matching import matches_for_reference

    found = _service_call(matches_for_reference(reference, refresh))
    if as_json:
        click.echo(json.dumps({"matches": found}, ensure_ascii=False, indent=2))
        return
    for match in found:
        other = match.get("lost_report") or match.get("found_item")
        reasons = ", ".join(f"{r['field']} {r['level']} {r['weight']:+.1f}" for r in match["reasons"])
        click.echo(f"{other}  {match['score']:6.1f}  {match['decision']:<6}  {reasons}")
    if not found:
        click.echo("no matches")
