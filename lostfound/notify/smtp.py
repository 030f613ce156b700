"""E-mail over SMTP (aiosmtplib), with STARTTLS, implicit TLS or none, as configured."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from lostfound.notify.base import DeliveryFailed, OutgoingMessage

TIMEOUT_SECONDS = 15


class SmtpSender:
    name = "smtp"

    def __init__(
        self, host: str, port: int, sender: str, username: str = "", password: str = "", tls: str = "starttls"
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.tls = username, password, tls

    async def send(self, message: OutgoingMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        domain = self.sender.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=domain)
        mail.set_content(message.body)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.host,
                port=self.port,
                username=self.username or None,
                password=self.password or None,
                use_tls=self.tls == "tls",
                start_tls=self.tls == "starttls",
                timeout=TIMEOUT_SECONDS,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {exc}") from exc
