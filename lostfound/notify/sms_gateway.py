"""Text messages through an HTTP gateway: ``POST {"id", "to", "text"}`` as JSON, any 2xx is delivered.

Most SMS providers in the city offer such an endpoint, or a small relay in front of theirs does.
"""

from __future__ import annotations

import httpx

from lostfound.notify.base import DeliveryFailed, OutgoingMessage

TIMEOUT_SECONDS = 15


class SmsGatewaySender:
    name = "sms"

    def __init__(self, url: str, token: str = "", transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url, self.token, self.transport = url, token, transport

    async def send(self, message: OutgoingMessage) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {"id": f"lostfound-{message.id}", "to": message.recipient, "text": message.body}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, transport=self.transport) as client:
                response = await client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"SMS gateway: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise DeliveryFailed(f"SMS gateway answered {response.status_code}: {response.text[:120]}")
