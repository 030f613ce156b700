"""What every sender offers: deliver one message or raise :class:`DeliveryFailed`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    id: int  # the outbox row; gateways may use it to drop a repeated delivery
    channel: str  # "email" or "sms"
    recipient: str
    subject: str
    body: str
    preview: str  # the body with the claim code blanked: safe for logs and officers' screens


class DeliveryFailed(Exception):
    """The message did not go out; the outbox tries again later."""


class Sender(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> None: ...
