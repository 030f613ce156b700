"""Staff accounts: creation, login, passwords, activation and API tokens."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from lostfound import crypto
from lostfound.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    normalise_username,
    password_problem,
    username_problem,
)
from lostfound.domain.i18n_markers import N_
from lostfound.domain.roles import Role, may_manage_account
from lostfound.services import audit
from lostfound.services.attempts import CounterStore, count_attempt
from lostfound.services.context import Actor
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.stations import get_station
from lostfound.services.transactions import write_transaction
from lostfound.tables import ApiToken, StaffUser, Station


@dataclass(frozen=True)
class StaffMember:
    """The signed-in person, as the web layer and services see them."""

    id: int
    username: str
    display_name: str
    role: Role
    station_code: str
    station_name_zh: str
    station_name_en: str
    must_change_password: bool
    password_stamp: str

    def actor(self, client_ip: str = "") -> Actor:
        return Actor(self.id, self.username, self.role, self.station_code, client_ip)


class LockedOut(ServiceError):
    status_code = 429


_MEMBER_COLUMNS = (
    StaffUser.id,
    StaffUser.username,
    StaffUser.display_name,
    StaffUser.role,
    StaffUser.must_change_password,
    StaffUser.password_changed_at,
    StaffUser.active,
    StaffUser.password_hash,
    StaffUser.station.code.as_alias("station_code"),
    StaffUser.station.name_zh.as_alias("station_name_zh"),
    StaffUser.station.name_en.as_alias("station_name_en"),
)


def _member(row: dict) -> StaffMember:
    return StaffMember(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        station_code=row["station_code"],
        station_name_zh=row["station_name_zh"],
        station_name_en=row["station_name_en"],
        must_change_password=row["must_change_password"],
        password_stamp=_stamp(row["password_changed_at"]),
    )


# Argon2 takes a fifth of a second of CPU on purpose; off the event loop, other requests carry on.
async def _hash(password: str) -> str:
    return await asyncio.to_thread(crypto.hash_password, password)


async def _verify(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(crypto.verify_password, password_hash, password)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


async def _row_by(**where: object) -> dict | None:
    query = StaffUser.select(*_MEMBER_COLUMNS)
    if "id" in where:
        query = query.where(StaffUser.id == where["id"])
    if "username" in where:
        query = query.where(StaffUser.username == where["username"])
    return await query.first()


async def member_for_session(user_id: int, password_stamp: str) -> StaffMember | None:
    """The active account behind a session, or None when the session is stale."""
    row = await _row_by(id=user_id)
    if row is None or not row["active"]:
        return None
    member = _member(row)
    if not crypto.constant_time_equal(member.password_stamp, password_stamp):
        return None
    return member


async def member_by_username(username: str) -> StaffMember:
    normalised = normalise_username(username)
    row = None if username_problem(normalised) else await _row_by(username=normalised)
    if row is None:
        raise NotFound(N_("No account has the username %(username)s."), username=username)
    return _member(row)


# --- login -----------------------------------------------------------------


def _failure_key(username: str) -> str:
    return f"login-failures:{username}"


async def authenticate(
    username: str,
    password: str,
    client_ip: str,
    failures: CounterStore,
    max_failures: int,
    lockout_seconds: int,
) -> StaffMember:
    """Check a login. Repeated failures lock the username for a while, whoever tries."""
    username = normalise_username(username)
    anon = Actor.anonymous(client_ip)
    wrong = ServiceError(N_("Wrong username or password."))
    if username_problem(username) is not None or len(password) > MAX_PASSWORD_LENGTH:
        # Cannot be an account: refuse at the cost of a real check, and log only a short prefix.
        await _verify(None, "")
        await _record_alone(anon, "login.failed", username[:32])
        raise wrong
    key = _failure_key(username)
    if await count_attempt(failures, key, lockout_seconds) > max_failures:
        await _record_alone(anon, "login.locked", username)
        raise LockedOut(
            N_("Too many failed sign-ins for this account. Try again in %(minutes)d minutes."),
            minutes=max(1, lockout_seconds // 60),
        )
    row = await _row_by(username=username)
    ok = await _verify(row["password_hash"] if row else None, password)
    if not ok or row is None or not row["active"]:
        await _record_alone(anon, "login.failed", username)
        raise wrong
    await failures.delete(key)
    member = _member(row)
    new_hash = await _hash(password) if crypto.password_needs_rehash(row["password_hash"]) else None
    async with write_transaction():
        changes: dict = {StaffUser.last_login_at: datetime.now(UTC)}
        if new_hash:
            changes[StaffUser.password_hash] = new_hash
        await StaffUser.update(changes).where(StaffUser.id == member.id)
        await audit.record(member.actor(client_ip), "login", "staff_user", member.username)
    return member


async def _record_alone(actor: Actor, action: str, username: str) -> None:
    async with write_transaction():
        await audit.record(actor, action, "staff_user", username)


async def record_logout(member: StaffMember, client_ip: str) -> None:
    await _record_alone(member.actor(client_ip), "logout", member.username)


# --- accounts --------------------------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    role: str
    station_code: str
    password: str
    must_change_password: bool = True


async def create_account(actor: Actor, data: NewAccount) -> StaffMember:
    username = normalise_username(data.username)
    problem = username_problem(username)
    if problem:
        raise ServiceError(problem, field="username")
    display_name = data.display_name.strip() or username
    if len(display_name) > 100:
        raise ServiceError(N_("This field is too long."), field="display_name")
    try:
        role = Role(data.role)
    except ValueError:
        raise ServiceError(N_("Choose one of the listed roles."), field="role") from None
    try:
        station = await get_station(data.station_code)
    except NotFound as missing:
        raise ServiceError(missing.message, field="station_code", **missing.params) from None
    if actor.role is not None and not may_manage_account(
        actor.role, actor.station_code, role, station["code"]
    ):
        raise Forbidden(N_("You may not create this kind of account for this station."))
    problem = password_problem(data.password, username)
    if problem:
        raise ServiceError(problem, field="password")
    password_hash = await _hash(data.password)
    async with write_transaction():
        if await StaffUser.exists().where(StaffUser.username == username):
            raise Conflict(N_("The username %(username)s is taken."), field="username", username=username)
        await StaffUser.insert(
            StaffUser(
                username=username,
                display_name=display_name,
                role=role.value,
                station=station["id"],
                password_hash=password_hash,
                must_change_password=data.must_change_password,
            )
        )
        await audit.record(
            actor, "user.create", "staff_user", username, {"role": role.value, "station": station["code"]}
        )
    return await member_by_username(username)


async def list_accounts(station_code: str | None = None) -> list[dict]:
    query = (
        StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.display_name,
            StaffUser.role,
            StaffUser.active,
            StaffUser.last_login_at,
            StaffUser.must_change_password,
            StaffUser.station.code.as_alias("station_code"),
        )
        .order_by(StaffUser.station.code)
        .order_by(StaffUser.username)
    )
    if station_code:
        query = query.where(StaffUser.station.code == station_code)
    return await query


async def _managed_member(actor: Actor, username: str) -> StaffMember:
    member = await member_by_username(username)
    if actor.role is None or not may_manage_account(
        actor.role, actor.station_code, member.role, member.station_code
    ):
        raise Forbidden(N_("You may not manage this account."))
    return member


async def set_active(actor: Actor, username: str, active: bool) -> None:
    member = await _managed_member(actor, username)
    if member.id == actor.user_id and not active:
        raise ServiceError(N_("You cannot deactivate your own account."))
    async with write_transaction():
        await StaffUser.update({StaffUser.active: active}).where(StaffUser.id == member.id)
        await audit.record(
            actor, "user.activate" if active else "user.deactivate", "staff_user", member.username
        )


async def reset_password(actor: Actor, username: str, new_password: str) -> None:
    """Set a temporary password that the owner must change at the next sign-in.

    A reset usually follows a lost or exposed password, so the account's API tokens are revoked too.
    """
    member = await _managed_member(actor, username)
    await _store_password(actor, member, new_password, must_change=True, action="user.password_reset")
    async with write_transaction():
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.user == member.id) & ApiToken.revoked_at.is_null()
        )


async def set_password(actor: Actor, username: str, new_password: str, must_change: bool) -> None:
    """The operator's way back in (command line): no management check, still audited."""
    member = await member_by_username(username)
    await _store_password(actor, member, new_password, must_change=must_change, action="user.password_reset")


async def change_own_password(
    actor: Actor, member: StaffMember, current: str, new_password: str
) -> StaffMember:
    row = await _row_by(id=member.id)
    if row is None or not await _verify(row["password_hash"], current):
        raise ServiceError(N_("The current password is not right."), field="current_password")
    if crypto.constant_time_equal(current, new_password):
        raise ServiceError(N_("Choose a password different from the current one."), field="new_password")
    await _store_password(actor, member, new_password, must_change=False, action="user.password_change")
    return await member_by_username(member.username)


async def _store_password(
    actor: Actor, member: StaffMember, password: str, must_change: bool, action: str
) -> None:
    problem = password_problem(password, member.username)
    if problem:
        raise ServiceError(problem, field="new_password")
    password_hash = await _hash(password)
    async with write_transaction():
        await StaffUser.update(
            {
                StaffUser.password_hash: password_hash,
                StaffUser.password_changed_at: datetime.now(UTC),
                StaffUser.must_change_password: must_change,
            }
        ).where(StaffUser.id == member.id)
        await audit.record(actor, action, "staff_user", member.username)


# --- API tokens ------------------------------------------------------------


async def create_token(actor: Actor, username: str, name: str = "") -> str:
    """Return a new bearer token for ``username``; it is shown once and stored as a digest."""
    member = await member_by_username(username)
    token = crypto.new_api_token()
    async with write_transaction():
        await ApiToken.insert(
            ApiToken(
                user=member.id,
                name=name.strip()[:100],
                prefix=token[:10],
                token_hash=crypto.token_digest(token),
            )
        )
        await audit.record(actor, "token.create", "staff_user", member.username, {"prefix": token[:10]})
    return token


async def list_tokens(username: str) -> list[dict]:
    member = await member_by_username(username)
    return await (
        ApiToken.select(
            ApiToken.prefix, ApiToken.name, ApiToken.created_at, ApiToken.last_used_at, ApiToken.revoked_at
        )
        .where(ApiToken.user == member.id)
        .order_by(ApiToken.id)
    )


async def revoke_token(actor: Actor, prefix: str) -> str:
    """Revoke the live token starting with ``prefix`` (as shown by ``list_tokens``); returns its owner."""
    row = await (
        ApiToken.select(ApiToken.id, ApiToken.user.username.as_alias("username"))
        .where(ApiToken.prefix == prefix)
        .where(ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        raise NotFound(N_("No live token starts with %(prefix)s."), prefix=prefix)
    async with write_transaction():
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(ApiToken.id == row["id"])
        await audit.record(actor, "token.revoke", "staff_user", row["username"], {"prefix": prefix})
    return row["username"]


async def member_for_token(token: str) -> StaffMember | None:
    if not token.startswith(crypto.TOKEN_PREFIX):
        return None
    row = await (
        ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where(ApiToken.token_hash == crypto.token_digest(token))
        .where(ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    user = await _row_by(id=row["user"])
    if user is None or not user["active"]:
        return None
    now = datetime.now(UTC)
    # Write the last-use time at most once a minute, not on every request.
    if row["last_used_at"] is None or (now - row["last_used_at"]).total_seconds() > 60:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return _member(user)


async def station_count() -> int:
    return await Station.count()
