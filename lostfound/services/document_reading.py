"""Reading a photographed document for the officer: the intake form's fill-in and the API's read.

The upload goes through the same Pillow pipeline as every photo (so a bad file is refused the
same way), and nothing of it is stored: the reading is a suggestion that the officer checks
before saving. What was read is never logged; that a document was read, and which fields, is.
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image

from lostfound import ocr
from lostfound.domain.documents import DocumentReading, read_document
from lostfound.domain.i18n_markers import N_
from lostfound.photos import PhotoRejected, process_photo
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.services.errors import ServiceError, ServiceUnavailable
from lostfound.services.item_photos import PhotoRefused
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE

_TZ = ZoneInfo(TIMEZONE)
UNAVAILABLE = N_(
    "Documents cannot be read on this server: text recognition needs the system's libGL and GLib "
    "(Debian: apt install libgl1 libglib2.0-0). Type the details."
)


def read_picture(image: Image.Image) -> DocumentReading:
    """Recognise and read one picture (blocking: call it in a thread)."""
    return read_document(ocr.recognise(image), datetime.now(_TZ).date())


def _clean_picture(data: bytes) -> Image.Image:
    try:
        master = process_photo(data).master
    except PhotoRejected as rejected:
        raise PhotoRefused(rejected) from None
    return Image.open(io.BytesIO(master))


async def read_upload(actor: Actor, data: bytes) -> DocumentReading:
    """Read an uploaded document photo; a file that is not a usable picture is refused."""
    if not data:
        raise ServiceError(N_("Choose a photo of the document."), field="photo")
    try:
        reading = await asyncio.to_thread(lambda: read_picture(_clean_picture(data)))
    except ocr.RecognitionUnavailable:
        raise ServiceUnavailable(UNAVAILABLE) from None
    async with write_transaction():
        await audit.record(
            actor, "document.read", "document", reading.kind.value, {"fields": sorted(reading.fields)}
        )
    return reading
