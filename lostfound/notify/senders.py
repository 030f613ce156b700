"""Which sender serves which channel, from the settings."""

from __future__ import annotations

from lostfound.notify.base import Sender
from lostfound.notify.log_sender import LogSender
from lostfound.notify.sms_gateway import SmsGatewaySender
from lostfound.notify.smtp import SmtpSender
from lostfound.settings import Settings


def senders_for(settings: Settings) -> dict[str, Sender]:
    """Channel -> sender; a channel with nothing configured falls back to the log sender."""
    log = LogSender()
    email: Sender = log
    if settings.smtp_host:
        email = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_tls,
        )
    sms: Sender = SmsGatewaySender(settings.sms_url, settings.sms_token) if settings.sms_url else log
    return {"email": email, "sms": sms}
