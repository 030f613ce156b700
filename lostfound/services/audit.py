"""The audit log: every write and every reveal of personal data is recorded here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lostfound.services.context import Actor
from lostfound.tables import AuditEvent

PAGE_SIZE = 50


async def record(
    actor: Actor,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event. Call inside the caller's transaction so both land or neither."""
    await AuditEvent.insert(
        AuditEvent(
            actor=actor.user_id,
            actor_name=actor.username,
            station_code=actor.station_code,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            detail=json.dumps(detail or {}, ensure_ascii=False),
            client_ip=actor.client_ip,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    actor_id: int | None = None
    action: str = ""
    station_code: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[dict[str, Any]]
    page: int
    has_next: bool


async def browse(filters: AuditFilter, page: int = 1) -> AuditPage:
    """Newest first, ``PAGE_SIZE`` a page; every filter is an exact match."""
    page = max(page, 1)
    query = AuditEvent.select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_name,
        AuditEvent.station_code,
        AuditEvent.action,
        AuditEvent.target_type,
        AuditEvent.target_id,
        AuditEvent.detail,
        AuditEvent.client_ip,
    )
    if filters.actor:
        query = query.where(AuditEvent.actor_name == filters.actor)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor == filters.actor_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.station_code:
        query = query.where(AuditEvent.station_code == filters.station_code)
    if filters.target:
        query = query.where(AuditEvent.target_id == filters.target)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    rows = (
        await query.order_by(AuditEvent.id, ascending=False)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    for row in rows:
        raw = row["detail"]
        row["detail"] = json.loads(raw) if isinstance(raw, str) and raw else (raw or {})
    return AuditPage(events=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE)


async def known_actions() -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return [r["action"] for r in rows]
