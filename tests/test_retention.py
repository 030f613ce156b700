"""Open reports remind, then close; closed reports lose their personal data — each step audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from lostfound.services.retention import run_retention
from lostfound.settings import get_settings
from lostfound.tables import AuditEvent, LostReport, Notification, ReportContent
from tests.factories import csrf_from, soup, text_of
from tests.test_lost_reports_api import ID_NUMBER, REPORT


async def _file(client: httpx.AsyncClient) -> dict:
    response = await client.post("/api/v1/lost-reports", json=REPORT)
    assert response.status_code == 201
    return response.json()


async def _age(reference: str, days: int) -> None:
    await LostReport.update({LostReport.created_at: datetime.now(UTC) - timedelta(days=days)}).where(
        LostReport.reference == reference
    )


async def _kinds(reference: str) -> list[str]:
    rows = await Notification.select(Notification.kind).where(Notification.report.reference == reference)
    return sorted({row["kind"] for row in rows})


async def _actions(reference: str) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.target_id == reference)
    return [row["action"] for row in rows]


async def _open_status(client: httpx.AsyncClient, filed: dict) -> httpx.Response:
    page = await client.get("/claim")
    return await client.post(
        "/claim",
        data={
            "reference": filed["reference"],
            "claim_code": filed["claim_code"],
            "_csrf_token": csrf_from(page),
        },
    )


async def test_the_owner_is_reminded_once_before_the_report_closes(client: httpx.AsyncClient) -> None:
    settings = get_settings()
    filed = await _file(client)
    fresh = await _file(client)
    await _age(filed["reference"], settings.report_open_days - 20)
    first = await run_retention(settings)
    second = await run_retention(settings)
    assert (first.reminded, second.reminded) == (1, 0)
    assert await _kinds(filed["reference"]) == ["report_expiring", "report_filed"]
    assert await _kinds(fresh["reference"]) == ["report_filed"]
    assert "lost_report.reminder" in await _actions(filed["reference"])


async def test_keeping_the_report_open_starts_its_year_again(client: httpx.AsyncClient) -> None:
    settings = get_settings()
    filed = await _file(client)
    await _age(filed["reference"], settings.report_open_days - 10)
    status = await _open_status(client, filed)
    assert "继续查找一年" in text_of(status)
    kept = await client.post("/claim/keep-open", data={"_csrf_token": csrf_from(status)})
    assert kept.status_code == 200 and "我们将继续查找一年" in text_of(kept)
    run = await run_retention(settings, now=datetime.now(UTC) + timedelta(days=11))
    assert run.expired == 0
    report = (
        await LostReport.select(LostReport.status).where(LostReport.reference == filed["reference"]).first()
    )
    assert report["status"] == "open"
    assert "您申请继续查找" in text_of(kept)  # the owner's timeline shows it


async def test_an_open_report_closes_after_its_year_and_the_owner_is_told(client: httpx.AsyncClient) -> None:
    settings = get_settings()
    filed = await _file(client)
    await _age(filed["reference"], settings.report_open_days + 1)
    run = await run_retention(settings)
    assert run.expired == 1
    report = await LostReport.select().where(LostReport.reference == filed["reference"]).first()
    assert report["status"] == "expired" and report["closed_at"] is not None
    assert "report_expired" in await _kinds(filed["reference"])
    assert "lost_report.expire" in await _actions(filed["reference"])
    status = await _open_status(client, filed)
    assert "报失期满，已关闭" in text_of(status)
    assert soup(status).select_one("form[action='/claim/keep-open']") is None


async def test_closed_reports_lose_their_personal_data_after_the_retention_period(
    client: httpx.AsyncClient,
) -> None:
    settings = get_settings()
    filed = await _file(client)
    kept = await _file(client)
    page = await _open_status(client, filed)
    withdrawn = await client.post("/claim/withdraw", data={"_csrf_token": csrf_from(page)})
    assert withdrawn.status_code == 200

    early = await run_retention(settings, now=datetime.now(UTC) + timedelta(days=10))
    assert early.erased == 0
    later = datetime.now(UTC) + timedelta(days=settings.closed_report_retention_days + 1)
    await LostReport.update({LostReport.created_at: later - timedelta(days=2)}).where(
        LostReport.reference == kept["reference"]
    )  # the other report is still open then: it must keep everything
    run = await run_retention(settings, now=later)
    assert run.erased == 1

    report = await LostReport.select().where(LostReport.reference == filed["reference"]).first()
    assert report["erased_at"] is not None
    for column in (
        "owner_name",
        "owner_id_enc",
        "owner_id_hash",
        "owner_phone_enc",
        "owner_email",
        "description",
    ):
        assert report[column] == "", column
    assert report["category"] == "wallet" and report["status"] == "withdrawn"  # still counts in the figures
    contents = await ReportContent.select().where(ReportContent.report == report["id"])
    assert contents and all(c["number_enc"] == "" and c["holder_name"] == "" for c in contents)
    messages = await Notification.select().where(Notification.report == report["id"])
    assert all(m["recipient_masked"] == "" and m["preview"] == "" for m in messages)
    assert "lost_report.erase" in await _actions(filed["reference"])

    other = await LostReport.select().where(LostReport.reference == kept["reference"]).first()
    assert other["owner_name"] == "黎晓梅" and other["erased_at"] is None

    client.cookies.clear()
    status = await _open_status(client, filed)  # the owner can still see what happened
    assert status.status_code == 200
    assert "您的个人信息已删除" in text_of(status) and "黎晓梅" not in text_of(status)
    assert ID_NUMBER[-4:] not in text_of(status)
