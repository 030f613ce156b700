"""Piccolo tables. Schema changes go through ``lostfound/piccolo_migrations``."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Station(Table, tablename="station"):
    """A police station (派出所); every account and record belongs to one."""

    code = Varchar(length=8, unique=True, index=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    address_zh = Varchar(length=200, default="")
    address_en = Varchar(length=200, default="")
    phone = Varchar(length=32, default="")
    opening_hours_zh = Varchar(length=200, default="")
    opening_hours_en = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffUser(Table, tablename="staff_user"):
    username = Varchar(length=32, unique=True, index=True)
    display_name = Varchar(length=100)
    role = Varchar(length=20)
    station = ForeignKey(references=Station, on_delete=OnDelete.restrict, null=False)
    password_hash = Varchar(length=255)
    # Bumped on every password change; sessions carrying an older value are void.
    password_changed_at = Timestamptz(default=TimestamptzNow())
    must_change_password = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    user = ForeignKey(references=StaffUser, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=100, default="")
    prefix = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only record of every write and every reveal of personal data."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=StaffUser, on_delete=OnDelete.set_null, null=True, index=True)
    actor_name = Varchar(length=100, default="")
    station_code = Varchar(length=8, default="", index=True)
    action = Varchar(length=64, index=True)
    target_type = Varchar(length=32, default="")
    target_id = Varchar(length=64, default="", index=True)
    detail = JSON(default="{}")
    client_ip = Varchar(length=64, default="")
    note = Text(default="")
