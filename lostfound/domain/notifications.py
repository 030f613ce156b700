"""Messages to owners: their kinds, delivery states and the words every message ends with."""

from __future__ import annotations

from enum import StrEnum

from lostfound.domain.i18n_markers import N_


class MessageKind(StrEnum):
    REPORT_FILED = "report_filed"
    REPORT_EXPIRING = "report_expiring"
    REPORT_EXPIRED = "report_expired"
    MATCH_FOUND = "match_found"
    MATCH_WITHDRAWN = "match_withdrawn"  # the item we told them of was not theirs after all
    FINDER_THANKS = "finder_thanks"  # to the finder, when the owner has collected


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next try
    SENT = "sent"
    FAILED = "failed"  # given up after the last retry: an officer should phone the owner


class MessageChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


MESSAGE_KIND_LABELS: dict[MessageKind, str] = {
    MessageKind.REPORT_FILED: N_("Report received"),
    MessageKind.REPORT_EXPIRING: N_("Report about to close"),
    MessageKind.REPORT_EXPIRED: N_("Report closed"),
    MessageKind.MATCH_FOUND: N_("Possible match: come and collect"),
    MessageKind.MATCH_WITHDRAWN: N_("Match withdrawn: not their item, report open again"),
    MessageKind.FINDER_THANKS: N_("Thanks to the finder: the owner collected"),
}

DELIVERY_STATUS_LABELS: dict[DeliveryStatus, str] = {
    DeliveryStatus.PENDING: N_("Waiting to be sent"),
    DeliveryStatus.SENT: N_("Sent"),
    DeliveryStatus.FAILED: N_("Not delivered"),
}

CHANNEL_LABELS: dict[MessageChannel, str] = {
    MessageChannel.EMAIL: N_("E-mail"),
    MessageChannel.SMS: N_("Text message"),
}

# Who took the message; the log sender delivers nothing to the owner, and officers must know it.
SENDER_LABELS: dict[str, str] = {
    "smtp": N_("the e-mail server"),
    "sms": N_("the SMS gateway"),
    "log": N_("the log only: no e-mail or text message was sent, so tell the owner yourself"),
}

# Every message ends with these, so a fake one is easy to tell apart.
NEVER_ASK_FOR_MONEY = N_(
    "The police never ask you for money: no courier fee, deposit or transfer is ever needed to get your "
    "property back. If anyone asks, it is a fraud: call 110."
)
VERIFY_THIS_MESSAGE = N_("Check that this message is genuine: code %(code)s at %(url)s")

BLANKED = "••••-••••-••••"


def backoff_seconds(attempts: int, base: int = 30, cap: int = 3600) -> int:
    """Wait before try number ``attempts + 1``: 30 s, 1 min, 2 min … at most an hour."""
    return min(cap, base * 2 ** max(0, attempts - 1))
