"""Messages to owners: queued with the change, delivered in the background, retried through outages."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import json
import socket
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy

import httpx
from aiosmtpd.controller import Controller

from lostfound import background
from lostfound.crypto import normalise_code
from lostfound.domain.roles import Role
from lostfound.notify.base import DeliveryFailed, OutgoingMessage
from lostfound.notify.log_sender import LogSender
from lostfound.notify.senders import senders_for
from lostfound.notify.sms_gateway import SmsGatewaySender
from lostfound.notify.smtp import SmtpSender
from lostfound.services import accounts
from lostfound.services.notifications import LEASE, deliver_due
from lostfound.settings import get_settings
from lostfound.tables import AuditEvent, LostReport, Notification, ReportContent
from tests.factories import SYSTEM, make_station, make_user, sign_in, soup, text_of
from tests.test_lost_reports_api import ID_NUMBER, REPORT

PHONE = "13805796612"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what arrives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def smtp_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    return server, inbox


def smtp_only(port: int) -> dict:
    return {
        "email": SmtpSender("127.0.0.1", port, "lostfound@police.example", tls="none"),
        "sms": LogSender(),
    }


async def file_report(client: httpx.AsyncClient, **owner: str) -> dict:
    body = {**REPORT, "owner": {**REPORT["owner"], **owner}}
    response = await client.post("/api/v1/lost-reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_filing_queues_one_message_per_address_without_any_secret_in_the_database(client) -> None:
    filed = await file_report(client)
    rows = await Notification.select().order_by(Notification.channel)
    assert [(r["channel"], r["kind"], r["status"]) for r in rows] == [
        ("email", "report_filed", "pending"),
        ("sms", "report_filed", "pending"),
    ]
    assert [r["recipient_masked"] for r in rows] == ["l***@example.com", "138****6612"]
    dump = json.dumps(
        [
            await Notification.select(),
            await LostReport.select(),
            await ReportContent.select(),
            await AuditEvent.select(),
        ],
        default=str,
    )
    for secret in (filed["claim_code"], ID_NUMBER, PHONE):
        assert secret not in dump
    # What officers read: the claim code blanked, the warning and the verification code in place.
    preview = rows[0]["preview"]
    assert "••••-••••-••••" in preview and filed["reference"] in preview
    assert "110" in preview and "/verify?code=" in preview


async def test_an_email_reaches_the_smtp_server_in_the_owners_language(client) -> None:
    port = free_port()
    server, inbox = smtp_server(port)
    try:
        filed = await file_report(client, phone="")
        english = {**REPORT, "owner": {**REPORT["owner"], "phone": "", "email": "amy@example.com"}}
        assert (
            await client.post("/api/v1/lost-reports", json=english, headers={"Accept-Language": "en"})
        ).status_code == 201
        run = await deliver_due(smtp_only(port))
    finally:
        server.stop()
    assert run.sent == 2 and run.retrying == 0
    by_recipient = dict(zip(inbox.recipients, inbox.messages, strict=True))
    chinese, english_mail = by_recipient["li@example.com"], by_recipient["amy@example.com"]
    body = chinese.get_content()
    assert filed["reference"] in chinese["Subject"]
    claim = filed["claim_code"]
    assert f"{claim[:4]}-{claim[4:8]}-{claim[8:]}" in body  # the owner gets the code; nobody else sees it
    assert "110" in body and "公安机关不会" in body
    assert "never ask you for money" in english_mail.get_content()
    sent = await Notification.select().where(Notification.status == "sent")
    assert len(sent) == 2 and all(r["sent_via"] == "smtp" and r["body_enc"] == "" for r in sent)


async def test_every_message_carries_a_code_that_verify_confirms(client) -> None:
    await file_report(client)
    for row in await Notification.select():
        code = row["verification_code"]
        assert code in normalise_code(row["preview"])
        page = await client.get("/verify", params={"code": f"{code[:4]}-{code[4:8]}-{code[8:]}"})
        assert page.status_code == 200
        assert "verified" in str(soup(page).select_one(".verified")["class"])
        assert row["recipient_masked"] in text_of(page)
    unknown = await client.get("/verify", params={"code": "ABCD-EFGH-JK"})
    assert soup(unknown).select_one(".verified") is None
    assert "并非出自公安机关" in text_of(unknown)


async def test_a_mail_server_outage_is_survived_and_the_message_delivered_once_it_is_back(client) -> None:
    await file_report(client, phone="")
    port = free_port()  # nothing listens here yet: the server is "down"
    senders = smtp_only(port)
    first = await deliver_due(senders)
    assert (first.sent, first.retrying) == (0, 1)
    row = await Notification.select().first()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
    assert row["next_attempt_at"] > datetime.now(UTC)
    assert (await deliver_due(senders)).retrying == 0  # not due yet: backoff holds

    server, inbox = smtp_server(port)
    try:
        later = await deliver_due(senders, now=datetime.now(UTC) + timedelta(minutes=2))
    finally:
        server.stop()
    assert later.sent == 1 and len(inbox.messages) == 1
    assert (await Notification.select(Notification.status).first())["status"] == "sent"


async def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_lease(client) -> None:
    await file_report(client, phone="")
    now = datetime.now(UTC)
    # A worker claimed the message, then was killed before sending: the row says so and nothing else.
    await Notification.update(
        {Notification.next_attempt_at: now + LEASE, Notification.attempts: 1}, force=True
    )
    delivered: list[OutgoingMessage] = []

    class Recorder:
        name = "recorder"

        async def send(self, message: OutgoingMessage) -> None:
            delivered.append(message)

    senders = {"email": Recorder(), "sms": Recorder()}
    assert (await deliver_due(senders, now=now)).sent == 0
    assert (await deliver_due(senders, now=now + LEASE + timedelta(seconds=1))).sent == 1
    assert len(delivered) == 1 and "110" in delivered[0].body


async def test_two_workers_never_send_one_message_twice(client) -> None:
    await file_report(client)
    delivered: list[int] = []

    class Slow:
        name = "slow"

        async def send(self, message: OutgoingMessage) -> None:
            await asyncio.sleep(0.05)
            delivered.append(message.id)

    senders = {"email": Slow(), "sms": Slow()}
    runs = await asyncio.gather(deliver_due(senders), deliver_due(senders), deliver_due(senders))
    assert sum(r.sent for r in runs) == 2 and sorted(delivered) == sorted(set(delivered))


async def test_after_the_last_retry_officers_see_the_failure_and_can_try_again(client) -> None:
    await make_station("DC")
    await make_user("dc.duty", Role.DUTY_OFFICER, "DC")
    await file_report(client, phone="")

    class Down:
        name = "down"

        async def send(self, message: OutgoingMessage) -> None:
            raise DeliveryFailed("connection refused")

    senders = {"email": Down(), "sms": Down()}
    moment = datetime.now(UTC)
    for _ in range(3):
        moment += timedelta(hours=2)
        await deliver_due(senders, max_attempts=3, now=moment)
    row = await Notification.select().first()
    assert row["status"] == "failed" and row["attempts"] == 3

    await sign_in(client, "dc.duty")
    page = await client.get("/outbox", params={"status": "failed"})
    assert page.status_code == 200
    assert "connection refused" in text_of(page)
    form = soup(page).select_one(f"form[action='/outbox/{row['id']}/retry']")
    token = form.select_one("input[name=_csrf_token]")["value"]
    retried = await client.post(f"/outbox/{row['id']}/retry", data={"_csrf_token": token})
    assert retried.status_code == 303
    again = await Notification.select().first()
    assert again["status"] == "pending" and again["attempts"] == 0


async def test_the_outbox_page_hides_claim_codes_and_other_stations_messages(client) -> None:
    await make_station("DC")
    await make_station("FY")
    await make_user("dc.duty", Role.DUTY_OFFICER, "DC")
    await make_user("fy.duty", Role.DUTY_OFFICER, "FY")
    await make_user("dc.press", Role.PRESS, "DC")
    online = await file_report(client, phone="")
    # A desk report at FY belongs to FY.
    await make_user("fy.desk", Role.DUTY_OFFICER, "FY")
    token = await accounts.create_token(SYSTEM, "fy.desk", "desk")
    desk = await client.post(
        "/api/v1/lost-reports",
        json={**REPORT, "owner": {**REPORT["owner"], "phone": "", "email": "desk@example.com"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert desk.status_code == 201
    desk_reference = desk.json()["reference"]

    await sign_in(client, "dc.duty")
    page = text_of(await client.get("/outbox"))
    assert online["reference"] in page and desk_reference not in page
    assert online["claim_code"] not in normalise_code(page)
    client.cookies.clear()
    await sign_in(client, "fy.duty")
    assert desk_reference in text_of(await client.get("/outbox"))
    client.cookies.clear()
    await sign_in(client, "dc.press")
    assert (await client.get("/outbox")).status_code == 403


async def test_sms_goes_through_the_http_gateway_and_a_gateway_error_is_retried(client) -> None:
    await file_report(client, email="")
    calls: list[dict] = []
    answers = iter([503, 200])

    def gateway(request: httpx.Request) -> httpx.Response:
        calls.append({"auth": request.headers.get("Authorization"), **json.loads(request.content)})
        return httpx.Response(next(answers))

    sms = SmsGatewaySender("http://sms.example/send", "s3cret", transport=httpx.MockTransport(gateway))
    senders = {"email": LogSender(), "sms": sms}
    assert (await deliver_due(senders)).retrying == 1
    assert (await deliver_due(senders, now=datetime.now(UTC) + timedelta(minutes=5))).sent == 1
    assert len(calls) == 2 and calls[0]["id"] == calls[1]["id"]  # the same id, so a gateway can drop a repeat
    assert calls[1]["to"] == PHONE and calls[1]["auth"] == "Bearer s3cret" and "110" in calls[1]["text"]


async def test_with_nothing_configured_messages_go_to_the_log_and_count_as_sent(client, caplog) -> None:
    filed = await file_report(client)
    settings = get_settings()
    assert not settings.smtp_host and not settings.sms_url
    with caplog.at_level("INFO", logger="lostfound.outbox"):
        assert (await deliver_due(senders_for(settings))).sent == 2
    assert filed["claim_code"] not in normalise_code(caplog.text)
    assert {r["sent_via"] for r in await Notification.select(Notification.sent_via)} == {"log"}


async def test_the_background_loop_delivers_without_anyone_asking(client) -> None:
    await file_report(client, phone="")
    port = free_port()
    server, inbox = smtp_server(port)
    settings = dataclasses.replace(
        get_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", outbox_poll_seconds=1
    )
    try:
        async with background.running(settings):
            for _ in range(100):
                if inbox.messages:
                    break
                await asyncio.sleep(0.05)
    finally:
        server.stop()
    assert len(inbox.messages) == 1
