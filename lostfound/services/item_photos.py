"""Photos of found items: through the Pillow pipeline, into the media store, onto the item.

Files are written before the row that refers to them; a crash in between leaves an
unreferenced file that ``MediaStore.sweep_orphans`` removes, never a row without its file.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from lostfound.domain.documents import Line
from lostfound.domain.found_items import CustodyKind
from lostfound.domain.i18n_markers import N_
from lostfound.photos import PhotoRejected, ProcessedPhoto, process_photo, redact
from lostfound.services import audit
from lostfound.services.context import Actor
from lostfound.services.custody import record_custody
from lostfound.services.errors import Forbidden, NotFound, ServiceError
from lostfound.services.transactions import write_transaction
from lostfound.settings import get_settings
from lostfound.storage import MediaStore
from lostfound.tables import DeedPhoto, FoundItem, ItemPhoto

MAX_PHOTOS_PER_ITEM = 20
logger = logging.getLogger(__name__)


class PhotoRefused(ServiceError):
    def __init__(self, rejected: PhotoRejected) -> None:
        super().__init__(rejected.message, field="photo", **rejected.params)
        self.status_code = rejected.status_code


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo already processed and written to the media store, waiting for its row."""

    master_key: str
    display_key: str
    thumb_key: str
    width: int
    height: int
    public_key: str = ""  # document photos: blurred wherever text was recognised


def media_store() -> MediaStore:
    return MediaStore(get_settings().media_dir)


def _process_all(uploads: Sequence[bytes]) -> list[ProcessedPhoto]:
    processed = []
    for data in uploads:
        if not data:
            raise ServiceError(N_("Choose a photo to upload."), field="photo")
        try:
            processed.append(process_photo(data))
        except PhotoRejected as rejected:
            raise PhotoRefused(rejected) from None
    return processed


# Text boxes are widened before blurring: recognition draws them tight on the glyphs.
_TEXT_MARGIN = 0.25


def text_boxes(lines: Sequence[Line], size: tuple[int, int]) -> list[tuple[float, float, float, float]]:
    """Recognised lines as relative boxes (0..1) for ``photos.redact``."""
    width, height = size
    boxes = []
    for line in lines:
        x0, y0, x1, y1 = line.box
        pad = (y1 - y0) * _TEXT_MARGIN
        boxes.append(((x0 - pad) / width, (y0 - pad) / height, (x1 + pad) / width, (y1 + pad) / height))
    return boxes


def blur_text(master: bytes) -> bytes | None:
    """A document photo's public variant: blurred over every line of text found on it (blocking).
    None when recognition cannot run here: the photo then stays staff-only until an officer blurs it."""
    # Imported here: numpy and the recognition model are for photos, not for every process that
    # imports the found-items services (an import's worker, a command).
    from lostfound import ocr

    picture = Image.open(io.BytesIO(master))
    try:
        lines = ocr.recognise(picture)
    except ocr.RecognitionUnavailable:
        logger.warning("text recognition unavailable: a document photo is kept without a public copy")
        return None
    boxes = text_boxes(lines, picture.size)
    return redact(master, boxes, max_boxes=len(boxes))


def _public_copy(master: bytes, store: MediaStore) -> str:
    blurred = blur_text(master)
    return store.put(blurred) if blurred is not None else ""


def _store_all(processed: list[ProcessedPhoto], documents: bool = False) -> list[PreparedPhoto]:
    store = media_store()
    prepared = []
    for photo in processed:
        width, height = photo.master_size
        prepared.append(
            PreparedPhoto(
                master_key=store.put(photo.master),
                display_key=store.put(photo.display),
                thumb_key=store.put(photo.thumb),
                width=width,
                height=height,
                public_key=_public_copy(photo.master, store) if documents else "",
            )
        )
    return prepared


async def prepare(uploads: Sequence[bytes], already: int = 0, documents: bool = False) -> list[PreparedPhoto]:
    """Check and clean every upload first, then store them: one bad file and none is written.

    ``documents``: photos of ID cards, bank cards or slips, whose public variant is made at once.
    """
    if already + len(uploads) > MAX_PHOTOS_PER_ITEM:
        raise ServiceError(
            N_("An item can have at most %(limit)d photos."), field="photo", limit=MAX_PHOTOS_PER_ITEM
        )
    processed = await asyncio.to_thread(_process_all, uploads)
    return await asyncio.to_thread(_store_all, processed, documents)


async def discard_unreferenced(photos: Sequence[PreparedPhoto]) -> None:
    """After a failed save, remove the files no photo row refers to (files are shared by content)."""
    store = media_store()
    for photo in photos:
        for key in filter(None, (photo.master_key, photo.display_key, photo.thumb_key, photo.public_key)):
            in_use = await ItemPhoto.exists().where(
                (ItemPhoto.master_key == key) | (ItemPhoto.display_key == key) | (ItemPhoto.thumb_key == key)
                | (ItemPhoto.public_key == key)
            ) or await DeedPhoto.exists().where(
                (DeedPhoto.master_key == key) | (DeedPhoto.display_key == key) | (DeedPhoto.thumb_key == key)
            )  # fmt: skip
            if not in_use:
                await asyncio.to_thread(store.delete, key)


async def attach_photo(item_id: int, reference: str, photo: PreparedPhoto, actor: Actor) -> int:
    """Add the row for a prepared photo; call inside the caller's write transaction."""
    count = await ItemPhoto.count().where(ItemPhoto.item == item_id)
    if count >= MAX_PHOTOS_PER_ITEM:
        raise ServiceError(
            N_("An item can have at most %(limit)d photos."), field="photo", limit=MAX_PHOTOS_PER_ITEM
        )
    row = ItemPhoto(
        item=item_id,
        position=count,
        master_key=photo.master_key,
        display_key=photo.display_key,
        thumb_key=photo.thumb_key,
        width=photo.width,
        height=photo.height,
        public_key=photo.public_key,
        uploaded_by=actor.user_id,
    )
    await row.save()
    await record_custody(item_id, actor, CustodyKind.PHOTO_ADDED, photo=row.id)
    if photo.public_key:
        await record_custody(item_id, actor, CustodyKind.PHOTO_REDACTED, photo=row.id, automatic=True)
    await audit.record(actor, "found_item.photo_add", "found_item", reference, {"photo": row.id})
    return row.id


async def _item_for_change(actor: Actor, ref: str) -> dict[str, Any]:
    item = await (
        FoundItem.select(FoundItem.id, FoundItem.reference, FoundItem.station.code.as_alias("station_code"))
        .where(FoundItem.reference == ref.strip().upper()[:24])
        .first()
    )
    if item is None:
        raise NotFound(N_("No found item has the reference %(reference)s."), reference=ref[:24])
    if not actor.acts_for(item["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may change it."))
    return item


async def add_photo(actor: Actor, ref: str, data: bytes, document: bool = False) -> dict[str, Any]:
    """Add one photo; ``document``: a photo of an ID card, card or slip, its public copy blurred at once."""
    item = await _item_for_change(actor, ref)
    already = await ItemPhoto.count().where(ItemPhoto.item == item["id"])
    (prepared,) = await prepare([data], already, documents=document)
    try:
        async with write_transaction():
            photo_id = await attach_photo(item["id"], item["reference"], prepared, actor)
    except BaseException:
        await discard_unreferenced([prepared])
        raise
    return {
        "id": photo_id,
        "width": prepared.width,
        "height": prepared.height,
        "public": bool(prepared.public_key),
    }


_VARIANTS = {
    "thumb": ItemPhoto.thumb_key,
    "display": ItemPhoto.display_key,
    "master": ItemPhoto.master_key,
    "public": ItemPhoto.public_key,
}


async def photo_file(actor: Actor, photo_id: int, variant: str) -> bytes:
    """Bytes of one stored variant (``thumb``, ``display``, ``master`` or ``public``).

    Originals may show ID cards and faces: only the item's station sees them; other
    stations get the blurred public copy when one exists.
    """
    column = _VARIANTS.get(variant)
    if column is None or not 0 < photo_id < 2**31:
        raise NotFound(N_("No such photo."))
    row = await (
        ItemPhoto.select(column.as_alias("key"), ItemPhoto.item.station.code.as_alias("station_code"))
        .where(ItemPhoto.id == photo_id)
        .first()
    )
    if row is None or not row["key"]:
        raise NotFound(N_("No such photo."))
    if variant != "public" and not actor.acts_for(row["station_code"]):
        raise Forbidden(N_("Only officers of the item's station may see the original photos."))
    return await asyncio.to_thread(media_store().read, row["key"])


async def redact_photo(
    actor: Actor, ref: str, photo_id: int, boxes: list[tuple[float, float, float, float]]
) -> None:
    """Make the public variant: the photo blurred over the boxes the officer drew."""
    item = await _item_for_change(actor, ref)
    row = await (
        ItemPhoto.select(ItemPhoto.master_key)
        .where((ItemPhoto.id == photo_id) & (ItemPhoto.item == item["id"]))
        .first()
    )
    if row is None:
        raise NotFound(N_("No such photo."))
    store = media_store()
    master = await asyncio.to_thread(store.read, row["master_key"])
    try:
        blurred = await asyncio.to_thread(redact, master, boxes)
    except PhotoRejected as rejected:
        raise PhotoRefused(rejected) from None
    key = await asyncio.to_thread(store.put, blurred)
    async with write_transaction():
        await ItemPhoto.update({ItemPhoto.public_key: key}).where(ItemPhoto.id == photo_id)
        await record_custody(item["id"], actor, CustodyKind.PHOTO_REDACTED, photo=photo_id, boxes=len(boxes))
        await audit.record(
            actor, "found_item.photo_redact", "found_item", item["reference"], {"photo": photo_id}
        )
