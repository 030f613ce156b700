"""The default sender: writes the message to the log; officers read it on the outbox page.

Used when no SMTP server or SMS gateway is configured (a trial, or a station that phones owners).
"""

from __future__ import annotations

import logging

from lostfound.notify.base import OutgoingMessage

logger = logging.getLogger("lostfound.outbox")


class LogSender:
    name = "log"

    async def send(self, message: OutgoingMessage) -> None:
        # The preview, not the body: a claim code must not end up in log files.
        logger.info("message %d (%s): %s", message.id, message.channel, message.preview.replace("\n", " "))
