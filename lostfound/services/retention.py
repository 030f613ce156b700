"""Retention of owners' reports: remind, close, then erase the personal data.

An open report closes ``report_open_days`` after it was filed (or renewed by the owner), with
a reminder ``report_reminder_days`` before. A closed report keeps its personal data for
``closed_report_retention_days`` and then loses it; what remains (category, dates, status,
station) still counts in the statistics. Each step is a conditional update, so several
workers running this at once do each step once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lostfound.domain.lost_reports import ReportStatus
from lostfound.domain.notifications import DeliveryStatus, MessageKind
from lostfound.services import audit, lost_reports, matching, notifications
from lostfound.services.context import Actor
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE, Settings
from lostfound.tables import LostReport, Notification, ReportContent

RETENTION = Actor.system("retention")
CLOSED = (ReportStatus.RETURNED.value, ReportStatus.WITHDRAWN.value, ReportStatus.EXPIRED.value)
ERASED_NAME = ""


@dataclass
class RetentionRun:
    reminded: int = 0
    expired: int = 0
    erased: int = 0


def closes_on(report: dict[str, Any], settings: Settings) -> datetime:
    """When an open report closes unless the owner keeps it open."""
    start = report.get("renewed_at") or report["created_at"]
    return start + timedelta(days=settings.report_open_days)


async def run_retention(settings: Settings, now: datetime | None = None) -> RetentionRun:
    now = now or datetime.now(UTC)
    run = RetentionRun()
    open_cutoff = now - timedelta(days=settings.report_open_days)
    remind_cutoff = open_cutoff + timedelta(days=settings.report_reminder_days)
    # The window start is the later of filing and renewal, so both must be before the cutoff.
    for report in await _open_started_before(remind_cutoff, LostReport.reminder_sent_at.is_null()):
        if await _remind(report, settings, now):
            run.reminded += 1
    for report in await _open_started_before(open_cutoff):
        if await _expire(report, settings, now):
            run.expired += 1
    erase_cutoff = now - timedelta(days=settings.closed_report_retention_days)
    for report in await (
        LostReport.select(LostReport.id, LostReport.reference)
        .where(LostReport.status.is_in(list(CLOSED)))
        .where(LostReport.erased_at.is_null())
        .where(LostReport.closed_at <= erase_cutoff)
    ):
        if await _erase(report["id"], report["reference"], now):
            run.erased += 1
    return run


async def _open_started_before(cutoff: datetime, *extra: Any) -> list[dict[str, Any]]:
    query = (
        LostReport.select()
        .where(LostReport.status == ReportStatus.OPEN.value)
        .where(LostReport.created_at <= cutoff)
        .where(LostReport.renewed_at.is_null() | (LostReport.renewed_at <= cutoff))
    )
    for condition in extra:
        query = query.where(condition)
    return await query


async def _remind(report: dict[str, Any], settings: Settings, now: datetime) -> bool:
    async with write_transaction():
        taken = await (
            LostReport.update({LostReport.reminder_sent_at: now})
            .where((LostReport.id == report["id"]) & LostReport.reminder_sent_at.is_null())
            .returning(LostReport.id)
        )
        if not taken:
            return False
        day = closes_on(report, settings).astimezone(ZoneInfo(TIMEZONE)).date().isoformat()
        await notifications.queue_for_report(report, MessageKind.REPORT_EXPIRING, settings, closes_on=day)
        await audit.record(RETENTION, "lost_report.reminder", "lost_report", report["reference"])
    return True


async def _expire(report: dict[str, Any], settings: Settings, now: datetime) -> bool:
    async with write_transaction():
        if not await lost_reports.close_if_open(report["id"], ReportStatus.EXPIRED, now):
            return False
        await notifications.queue_for_report(
            report,
            MessageKind.REPORT_EXPIRED,
            settings,
            open_days=settings.report_open_days,
            retention_days=settings.closed_report_retention_days,
        )
        await audit.record(RETENTION, "lost_report.expire", "lost_report", report["reference"])
    await matching.forget("report", report["id"])
    return True


async def _erase(report_id: int, reference: str, now: datetime) -> bool:
    """Blank every personal field of the report, its contents and its messages."""
    async with write_transaction():
        taken = await (
            LostReport.update(
                {
                    LostReport.owner_name: ERASED_NAME,
                    LostReport.owner_id_enc: "",
                    LostReport.owner_id_masked: "",
                    LostReport.owner_id_hash: "",
                    LostReport.owner_phone_enc: "",
                    LostReport.owner_phone_masked: "",
                    LostReport.owner_phone_hash: "",
                    LostReport.owner_email: "",
                    LostReport.description: "",
                    LostReport.lost_place: "",
                    # external_ref stays: the other system's reference names nobody, and with it an
                    # import of an old file run again finds the report instead of filing it anew.
                    LostReport.erased_at: now,
                    LostReport.updated_at: now,
                }
            )
            .where((LostReport.id == report_id) & LostReport.erased_at.is_null())
            .returning(LostReport.id)
        )
        if not taken:
            return False
        await ReportContent.update(
            {
                ReportContent.holder_name: "",
                ReportContent.number_enc: "",
                ReportContent.number_masked: "",
                ReportContent.number_hash: "",
                ReportContent.card_last4: "",
                ReportContent.phone_enc: "",
                ReportContent.phone_masked: "",
                ReportContent.phone_hash: "",
                ReportContent.note: "",
            }
        ).where(ReportContent.report == report_id)
        await Notification.update(
            {Notification.status: DeliveryStatus.FAILED.value, Notification.last_error: "report erased"}
        ).where((Notification.report == report_id) & (Notification.status == DeliveryStatus.PENDING.value))
        await Notification.update(
            {
                Notification.recipient_enc: "",
                Notification.recipient_masked: "",
                Notification.body_enc: "",
                Notification.preview: "",
            }
        ).where(Notification.report == report_id)
        await audit.record(RETENTION, "lost_report.erase", "lost_report", reference)
    await matching.forget("report", report_id)  # the keys are derived from the erased details
    return True
