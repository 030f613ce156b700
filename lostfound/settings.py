"""Settings read once from the environment into a frozen object.

With nothing set the service runs embedded: SQLite, media and secrets under ``var/``
and in-process stores. ``DATABASE_URL`` and ``REDIS_URL`` switch to shared services.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

TIMEZONE = "Asia/Shanghai"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from exc


def _choice(name: str, default: str, allowed: set[str]) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return value


def _area_code(name: str) -> str:
    """A telephone area code (0579, 010), with its trunk 0; empty when unset."""
    raw = os.environ.get(name, "")
    value = "".join(raw.split()).removeprefix("0")
    if not value:
        return ""
    if not (value.isascii() and value.isdigit() and len(value) in (2, 3) and value[0] != "0"):
        raise SystemExit(f"{name} must be a telephone area code such as 0579 or 010, got {raw!r}")
    return "0" + value


def load_or_create_secret(data_dir: Path, name: str, nbytes: int = 32) -> str:
    """Return the secret stored in ``data_dir/secrets/name``, creating it on first use.

    Kept beside the data it protects so that two instances never share a key by accident.
    """
    folder = data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    # O_EXCL: if two processes race on first start, exactly one writes and both read it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None
    redis_url: str | None
    redis_prefix: str
    secret_key: str
    pii_key: str
    hash_key: str
    host: str
    port: int
    secure_cookies: bool
    session_max_age: int
    login_attempts_per_minute: int
    login_failures_before_lockout: int
    login_lockout_seconds: int
    db_pool_min: int
    db_pool_max: int
    default_locale: str
    public_url: str
    # Owners' notifications: unset SMTP host / SMS URL means those messages go to the log sender.
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_from: str
    smtp_tls: str  # "starttls", "tls" or "none"
    sms_url: str
    sms_token: str
    outbox_poll_seconds: int
    outbox_max_attempts: int
    # Retention of owners' reports (days).
    report_open_days: int
    report_reminder_days: int
    closed_report_retention_days: int
    # Items valued at this many yuan or more (and all cash and deposit slips) need two officers to hand over.
    two_officer_value: int
    # Working days an item may stay at a station before it is due for transfer to the district bureau.
    transfer_after_working_days: int
    # Logs: "text" or "json" lines on standard error, and the least level written.
    log_format: str = "text"
    log_level: str = "INFO"
    # Prometheus scrapes /metrics with this bearer token; unset, only from the same host.
    metrics_token: str = ""
    # Addresses of reverse proxies whose X-Forwarded-For names the client (rate limits, audit).
    trusted_proxies: str = ""
    # The city's telephone area code: a landline typed without it (8660 1110) is read with it, so that
    # it meets the same number written in full (0579-8660 1110). Empty: local numbers stay as typed.
    area_code: str = ""

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "lostfound.sqlite3"

    @property
    def site_url(self) -> str:
        """The address printed in messages and QR codes."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url) and self.database_url.split(":", 1)[0] in {
            "postgres",
            "postgresql",
        }

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("LOSTFOUND_DATA_DIR") or PROJECT_ROOT / "var").resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "media").mkdir(exist_ok=True)
        database_url = os.environ.get("DATABASE_URL") or None
        if database_url and database_url.split(":", 1)[0] not in {"postgres", "postgresql", "sqlite"}:
            raise SystemExit("DATABASE_URL must start with postgres:// (or be unset for SQLite)")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=os.environ.get("REDIS_URL") or None,
            redis_prefix=os.environ.get("LOSTFOUND_REDIS_PREFIX", "lostfound"),
            secret_key=os.environ.get("LOSTFOUND_SECRET_KEY")
            or load_or_create_secret(data_dir, "session_secret"),
            pii_key=os.environ.get("LOSTFOUND_PII_KEY")
            or load_or_create_secret(data_dir, "pii_encryption_key"),
            hash_key=os.environ.get("LOSTFOUND_HASH_KEY") or load_or_create_secret(data_dir, "pii_hash_key"),
            host=os.environ.get("LOSTFOUND_HOST", "127.0.0.1"),
            port=_int("LOSTFOUND_PORT", 8000),
            secure_cookies=_flag("LOSTFOUND_SECURE_COOKIES"),
            session_max_age=_int("LOSTFOUND_SESSION_MAX_AGE", 12 * 3600),
            login_attempts_per_minute=_int("LOSTFOUND_LOGIN_ATTEMPTS_PER_MINUTE", 10),
            login_failures_before_lockout=_int("LOSTFOUND_LOGIN_FAILURES_BEFORE_LOCKOUT", 5),
            login_lockout_seconds=_int("LOSTFOUND_LOGIN_LOCKOUT_SECONDS", 15 * 60),
            db_pool_min=_int("LOSTFOUND_DB_POOL_MIN", 2),
            db_pool_max=_int("LOSTFOUND_DB_POOL_MAX", 10),
            default_locale=os.environ.get("LOSTFOUND_DEFAULT_LOCALE", "zh_Hans"),
            public_url=os.environ.get("LOSTFOUND_PUBLIC_URL", "").rstrip("/"),
            smtp_host=os.environ.get("LOSTFOUND_SMTP_HOST", ""),
            smtp_port=_int("LOSTFOUND_SMTP_PORT", 587),
            smtp_username=os.environ.get("LOSTFOUND_SMTP_USERNAME", ""),
            smtp_password=os.environ.get("LOSTFOUND_SMTP_PASSWORD", ""),
            smtp_from=os.environ.get("LOSTFOUND_SMTP_FROM", "lostfound@localhost"),
            smtp_tls=_choice("LOSTFOUND_SMTP_TLS", "starttls", {"starttls", "tls", "none"}),
            sms_url=os.environ.get("LOSTFOUND_SMS_URL", ""),
            sms_token=os.environ.get("LOSTFOUND_SMS_TOKEN", ""),
            outbox_poll_seconds=_int("LOSTFOUND_OUTBOX_POLL_SECONDS", 2),
            outbox_max_attempts=_int("LOSTFOUND_OUTBOX_MAX_ATTEMPTS", 20),
            report_open_days=_int("LOSTFOUND_REPORT_OPEN_DAYS", 365),
            report_reminder_days=_int("LOSTFOUND_REPORT_REMINDER_DAYS", 30),
            closed_report_retention_days=_int("LOSTFOUND_CLOSED_REPORT_RETENTION_DAYS", 365),
            two_officer_value=_int("LOSTFOUND_TWO_OFFICER_VALUE", 1000),
            transfer_after_working_days=_int("LOSTFOUND_TRANSFER_AFTER_WORKING_DAYS", 10),
            log_format=_choice("LOSTFOUND_LOG_FORMAT", "text", {"text", "json"}),
            log_level=_choice("LOSTFOUND_LOG_LEVEL", "info", {"debug", "info", "warning", "error"}).upper(),
            metrics_token=os.environ.get("LOSTFOUND_METRICS_TOKEN", ""),
            trusted_proxies=os.environ.get("LOSTFOUND_TRUSTED_PROXIES", "").strip(),
            area_code=_area_code("LOSTFOUND_AREA_CODE"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
