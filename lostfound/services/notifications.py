"""The outbox: queue messages to owners with the change they report; deliver them in the background.

Queuing only writes a row, in the caller's transaction, so a request never waits for a mail
server and a message is never lost to a crash. Delivery claims a row with a conditional update
(several workers never send one message twice at once), retries with backoff, and gives up
after ``max_attempts`` so that an officer sees the failure on the outbox page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lostfound import i18n
from lostfound.crypto import readable_code
from lostfound.domain import identifiers as ids
from lostfound.domain.i18n_markers import N_
from lostfound.domain.lost_reports import WHAT_TO_BRING, format_claim_code
from lostfound.domain.notifications import (
    BLANKED,
    NEVER_ASK_FOR_MONEY,
    VERIFY_THIS_MESSAGE,
    DeliveryStatus,
    MessageChannel,
    MessageKind,
    backoff_seconds,
)
from lostfound.notify.base import DeliveryFailed, OutgoingMessage, Sender
from lostfound.pii import vault
from lostfound.services.item_contents import FINDER_PHONE_COLUMN
from lostfound.settings import Settings
from lostfound.tables import Notification

logger = logging.getLogger("lostfound.outbox")

RECIPIENT_COLUMN = "notification.recipient"
BODY_COLUMN = "notification.body"
OWNER_PHONE_COLUMN = "lost_report.owner_phone"
# A claimed message whose worker died is tried again after this long.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Recipient:
    channel: MessageChannel
    address: str
    masked: str


def report_recipients(report: dict[str, Any]) -> list[Recipient]:
    """Where an owner asked to be reached: e-mail and/or phone, as on the report now."""
    found: list[Recipient] = []
    if report.get("owner_email"):
        found.append(
            Recipient(MessageChannel.EMAIL, report["owner_email"], mask_email(report["owner_email"]))
        )
    if report.get("owner_phone_enc"):
        phone = vault().decrypt(report["owner_phone_enc"], OWNER_PHONE_COLUMN)
        found.append(Recipient(MessageChannel.SMS, phone, ids.mask_phone(phone)))
    return found


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def compose(kind: MessageKind, locale: str, settings: Settings, **facts: Any) -> Draft:
    """The words of one message, in the owner's language, before the closing lines."""

    def t(message: str, **params: Any) -> str:
        return i18n.translate(locale, message, **params)

    site = settings.site_url
    reference = facts["reference"]
    if kind is MessageKind.REPORT_FILED:
        subject = t(N_("Your lost-property report %(reference)s is received"), reference=reference)
        body = t(
            N_(
                "Your report %(reference)s is received. Your claim code is %(code)s: keep it safe. "
                "With the reference and the claim code you can follow your report at %(url)s."
            ),
            reference=reference,
            code=format_claim_code(facts["claim_code"]),
            url=f"{site}/claim",
        )
    elif kind is MessageKind.REPORT_EXPIRING:
        subject = t(N_("Your report %(reference)s closes soon"), reference=reference)
        body = t(
            N_(
                "Your report %(reference)s will close on %(date)s. If you are still looking for your "
                "property, open %(url)s with your reference and claim code and choose to keep the report open."
            ),
            reference=reference,
            date=facts["closes_on"],
            url=f"{site}/claim",
        )
    elif kind is MessageKind.MATCH_FOUND:
        station = facts["station"]
        en = locale == "en"
        subject = t(N_("Your report %(reference)s: we may have found it"), reference=reference)
        body = t(
            N_(
                "A found item may be yours (report %(reference)s). Please come to %(station)s, %(address)s "
                "(phone %(phone)s; %(hours)s)."
            ),
            reference=reference,
            station=station["name_en" if en else "name_zh"],
            address=station["address_en" if en else "address_zh"] or "—",
            phone=station["phone"] or "110",
            hours=station["opening_hours_en" if en else "opening_hours_zh"] or t(N_("open day and night")),
        )
        body = f"{body} {t(WHAT_TO_BRING)}"
    elif kind is MessageKind.MATCH_WITHDRAWN:
        subject = t(N_("Your report %(reference)s: the item was not yours"), reference=reference)
        body = t(
            N_(
                "We told you a found item might be yours (report %(reference)s). On checking, it is not: "
                "please do not come to collect it. Your report is open again and we go on looking; follow "
                "it at %(url)s with your reference and claim code. We are sorry for the trouble."
            ),
            reference=reference,
            url=f"{site}/claim",
        )
    elif kind is MessageKind.FINDER_THANKS:
        station = facts["station"]
        subject = t(N_("Thank you: the owner has their property back"))
        body = t(
            N_(
                "Thank you for handing in what you found (%(reference)s) at %(station)s. Its owner has "
                "collected it today. Honesty like yours makes the city safer."
            ),
            reference=reference,
            station=station["name_en" if locale == "en" else "name_zh"],
        )
    else:
        subject = t(N_("Your report %(reference)s is closed"), reference=reference)
        body = t(
            N_(
                "Your report %(reference)s was open for %(days)d days and is now closed. Your personal "
                "details will be erased after %(retention)d days. If you are still looking, please file a "
                "new report."
            ),
            reference=reference,
            days=facts["open_days"],
            retention=facts["retention_days"],
        )
    return Draft(subject=subject, body=body)


def _closing(locale: str, code: str, settings: Settings) -> str:
    shown = format_claim_code(code)
    return "\n\n".join(
        [
            i18n.translate(locale, NEVER_ASK_FOR_MONEY),
            i18n.translate(
                locale, VERIFY_THIS_MESSAGE, code=shown, url=f"{settings.site_url}/verify?code={code}"
            ),
        ]
    )


async def queue_for_report(
    report: dict[str, Any], kind: MessageKind, settings: Settings, secret: str = "", **facts: Any
) -> list[str]:
    """Queue ``kind`` to every address of the owner; call inside the transaction of the change.

    ``secret`` (a claim code) is blanked in what officers and logs see. ``station`` (among ``facts``),
    the station the owner is sent to, follows the message up; otherwise the report's station does.
    Returns the verification codes.
    """
    station = facts["station"]["id"] if facts.get("station") else report.get("station")
    locale = report.get("locale") or i18n.DEFAULT
    draft = compose(kind, locale, settings, reference=report["reference"], **facts)
    codes = []
    now = datetime.now(UTC)
    for recipient in report_recipients(report):
        code = readable_code(10)
        body = f"{draft.body}\n\n{_closing(locale, code, settings)}"
        preview = body.replace(format_claim_code(secret), BLANKED) if secret else body
        await Notification.insert(
            Notification(
                kind=kind.value,
                report=report["id"],
                station=station,
                channel=recipient.channel.value,
                recipient_enc=vault().encrypt(recipient.address, RECIPIENT_COLUMN),
                recipient_masked=recipient.masked,
                locale=locale,
                subject=draft.subject,
                body_enc=vault().encrypt(body, BODY_COLUMN),
                preview=preview,
                verification_code=code,
                status=DeliveryStatus.PENDING.value,
                next_attempt_at=now,
                created_at=now,
            )
        )
        codes.append(code)
    return codes


async def queue_for_finder(item: dict[str, Any], station: dict[str, Any], settings: Settings) -> str:
    """Thank the finder by text message; call inside the handover's transaction. Returns the code."""
    phone = vault().decrypt(item["finder_phone_enc"], FINDER_PHONE_COLUMN)
    locale = i18n.DEFAULT
    draft = compose(MessageKind.FINDER_THANKS, locale, settings, reference=item["reference"], station=station)
    code = readable_code(10)
    body = f"{draft.body}\n\n{_closing(locale, code, settings)}"
    await Notification.insert(
        Notification(
            kind=MessageKind.FINDER_THANKS.value,
            report=None,
            station=station["id"],
            channel=MessageChannel.SMS.value,
            recipient_enc=vault().encrypt(phone, RECIPIENT_COLUMN),
            recipient_masked=ids.mask_phone(phone),
            locale=locale,
            subject=draft.subject,
            body_enc=vault().encrypt(body, BODY_COLUMN),
            preview=body,
            verification_code=code,
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=datetime.now(UTC),
            created_at=datetime.now(UTC),
        )
    )
    return code


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


async def deliver_due(
    senders: dict[str, Sender], max_attempts: int = 20, now: datetime | None = None, limit: int = 50
) -> DeliveryRun:
    """One pass over the messages that are due; safe to run in several workers at once."""
    now = now or datetime.now(UTC)
    run = DeliveryRun()
    due = await (
        Notification.select(Notification.id)
        .where((Notification.status == DeliveryStatus.PENDING.value) & (Notification.next_attempt_at <= now))
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    )
    for entry in due:
        claimed = await (
            Notification.update(
                {Notification.next_attempt_at: now + LEASE, Notification.attempts: Notification.attempts + 1}
            )
            .where(
                (Notification.id == entry["id"])
                & (Notification.status == DeliveryStatus.PENDING.value)
                & (Notification.next_attempt_at <= now)
            )
            .returning(
                Notification.id,
                Notification.channel,
                Notification.recipient_enc,
                Notification.subject,
                Notification.body_enc,
                Notification.preview,
                Notification.attempts,
            )
        )
        if not claimed:
            continue  # another worker took it
        outcome = await _deliver(claimed[0], senders, max_attempts, now)
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run


async def _deliver(row: dict[str, Any], senders: dict[str, Sender], max_attempts: int, now: datetime) -> str:
    sender = senders[row["channel"]]
    message = OutgoingMessage(
        id=row["id"],
        channel=row["channel"],
        recipient=vault().decrypt(row["recipient_enc"], RECIPIENT_COLUMN),
        subject=row["subject"],
        body=vault().decrypt(row["body_enc"], BODY_COLUMN),
        preview=row["preview"],
    )
    try:
        await sender.send(message)
    except Exception as exc:  # a broken sender must not stop the outbox, whatever it raised
        if not isinstance(exc, DeliveryFailed):
            logger.exception("sender %s failed on message %d", sender.name, row["id"])
        attempts = row["attempts"]
        give_up = attempts >= max_attempts
        await Notification.update(
            {
                Notification.status: (DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING).value,
                Notification.next_attempt_at: now + timedelta(seconds=backoff_seconds(attempts)),
                Notification.last_error: f"{type(exc).__name__}: {exc}"[:300],
            }
        ).where(Notification.id == row["id"])
        logger.warning("message %d not delivered (try %d): %s", row["id"], attempts, exc)
        return "given_up" if give_up else "retrying"
    # Delivered: the full text and the address are no longer needed, so they are not kept.
    await Notification.update(
        {
            Notification.status: DeliveryStatus.SENT.value,
            Notification.sent_at: datetime.now(UTC),
            Notification.sent_via: sender.name,
            Notification.last_error: "",
            Notification.body_enc: "",
            Notification.recipient_enc: "",
        }
    ).where(Notification.id == row["id"])
    return "sent"


def _visible_to(station_code: str | None) -> Any:
    """Officers see their station's messages and the city-wide ones (reports filed online)."""
    if station_code is None:
        return None
    return (Notification.station.code == station_code) | Notification.station.is_null()


async def list_outbox(
    station_code: str | None, status: str = "", page: int = 1, per_page: int = 50
) -> tuple[list[dict[str, Any]], bool]:
    """One page of messages, newest first, and whether there is another; ``None`` means every station."""
    query = Notification.select(
        Notification.all_columns(exclude=[Notification.recipient_enc, Notification.body_enc]),
        Notification.report.reference.as_alias("report_reference"),
        Notification.station.code.as_alias("station_code"),
    )
    visible = _visible_to(station_code)
    if visible is not None:
        query = query.where(visible)
    if status:
        query = query.where(Notification.status == status)
    rows = (
        await query.order_by(Notification.id, ascending=False)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    return rows[:per_page], len(rows) > per_page


async def retry_now(notification_id: int, station_code: str | None) -> bool:
    """An officer asks for a message that was given up to be tried again; False if not theirs or not failed."""
    query = Notification.update(
        {
            Notification.status: DeliveryStatus.PENDING.value,
            Notification.next_attempt_at: datetime.now(UTC),
            Notification.attempts: 0,
        }
    ).where(
        (Notification.id == notification_id)
        & (Notification.status == DeliveryStatus.FAILED.value)
        & (Notification.body_enc != "")
    )
    if station_code is not None:
        allowed = await Notification.select(Notification.id).where(
            (Notification.id == notification_id) & _visible_to(station_code)
        )
        if not allowed:
            return False
    return bool(await query.returning(Notification.id))
