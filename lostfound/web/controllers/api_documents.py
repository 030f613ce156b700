"""Reading a photographed document (ID card, bank card, deposit slip) for scripts and the intake form."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody

from lostfound.domain.documents import DocumentReading
from lostfound.services import document_reading
from lostfound.web.access import current_member
from lostfound.web.forms import client_ip
from lostfound.web.rate_limits import per_client

# Reading keeps a core busy for most of a second: a desk reads a few documents a minute.
READS_PER_MINUTE = 30


class FieldOut(msgspec.Struct, omit_defaults=True):
    value: str
    confidence: float
    uncertain: bool = False
    alternatives: list[str] = []
    repaired: bool = False


class ReadingOut(msgspec.Struct):
    kind: str  # id_card, bank_card, deposit_slip or unknown
    fields: dict[str, FieldOut]


def reading_out(reading: DocumentReading) -> ReadingOut:
    return ReadingOut(
        kind=reading.kind.value,
        fields={
            name: FieldOut(f.value, round(f.confidence, 3), f.uncertain, list(f.alternatives), f.repaired)
            for name, f in reading.fields.items()
        },
    )


async def read_request(request: Request, data: dict[str, UploadFile | str]) -> ReadingOut:
    member = current_member(request)
    assert member is not None
    upload = data.get("image")
    payload = await upload.read() if isinstance(upload, UploadFile) else b""
    return reading_out(await document_reading.read_upload(member.actor(client_ip(request)), payload))


class DocumentsApi(Controller):
    path = "/api/v1/documents"
    tags = ["documents"]
    security = [{"BearerToken": []}]

    @post(
        "/read",
        summary="Read a photographed ID card, bank card or deposit slip (multipart field `image`)",
        description=(
            "Fields: holder_name, id_number, birth_date, sex (ID card); card_number, card_last4, bank, "
            "holder_name (bank card); holder_name, bank, amount (deposit slip). A field marked uncertain "
            "has an empty value and the readings it could be in alternatives. Nothing is stored."
        ),
        status_code=200,
        middleware=[per_client("read-document", "minute", READS_PER_MINUTE)],
    )
    async def read(self, request: Request, data: MultipartBody[dict[str, UploadFile]]) -> ReadingOut:
        return await read_request(request, data)  # type: ignore[arg-type]
