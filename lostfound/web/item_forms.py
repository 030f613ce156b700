"""Form handling shared by the item pages and the owner's report form: rows, times, errors, choices."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.datastructures import UploadFile

from lostfound import i18n
from lostfound.domain.found_items import (
    CATEGORY_LABELS,
    CONTENT_LABELS,
    REWARD_LABELS,
    STATUS_LABELS,
    Category,
    ContentKind,
    FinderReward,
    ItemStatus,
)
from lostfound.services.errors import ServiceError
from lostfound.services.item_contents import ContentInput
from lostfound.settings import TIMEZONE
from lostfound.web.input_guard import has_nul

_TZ = ZoneInfo(TIMEZONE)
CONTENT_FIELDS = (
    "kind",
    "holder_name",
    "id_number",
    "card_number",
    "card_last4",
    "bank",
    "amount",
    "phone",
    "device_number",
    "note",
)
BLANK_CONTENT_ROWS = 3
PLAIN_FIELDS = ("category", "description", "colour", "brand", "found_place", "district", "external_ref",
                 "storage_location", "finder_name")  # fmt: skip
_ROW_FIELD = re.compile(r"c-([0-9]{1,3})-([a-z_0-9]+)")
ID_PATTERN = re.compile(r"[0-9]{1,9}")


def choices() -> dict[str, Any]:
    """Translated option lists for the selects of the item pages (labels of codes are template globals)."""
    return {
        "categories": [(c.value, i18n.gettext(CATEGORY_LABELS[c])) for c in Category],
        "content_kinds": [(k.value, i18n.gettext(CONTENT_LABELS[k])) for k in ContentKind],
        "statuses": [(s.value, i18n.gettext(STATUS_LABELS[s])) for s in ItemStatus],
        "rewards": [(r.value, i18n.gettext(REWARD_LABELS[r])) for r in FinderReward],
    }


def local_datetime(value: str) -> datetime | None:
    """``datetime-local`` inputs carry no zone: they are Beijing time."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_TZ)


async def read_form(request: Request) -> tuple[dict[str, str], list[bytes]]:
    form = await request.form()
    values: dict[str, str] = {}
    photos: list[bytes] = []
    for key, value in form.multi_items():
        if key == "remove":
            continue
        if isinstance(value, UploadFile):
            if key == "photos":
                data = await value.read()
                if data:
                    photos.append(data)
        elif isinstance(value, str):
            if has_nul(value):
                raise ServiceError("Check what you entered and try again.")
            values[key] = value
    return values, photos


async def uploads_of(request: Request, name: str) -> list[bytes]:
    """The non-empty files of one file field of the (already parsed) form."""
    form = await request.form()
    files = []
    for value in form.getall(name) if name in form else []:
        if isinstance(value, UploadFile) and (data := await value.read()):
            files.append(data)
    return files


def content_rows(values: dict[str, str]) -> list[dict[str, str]]:
    """The content rows of the form in order; a row counts once its kind is chosen or anything is typed."""
    indexes = sorted({int(m.group(1)) for key in values if (m := _ROW_FIELD.fullmatch(key))})
    rows = []
    for index in indexes:
        row = {name: values.get(f"c-{index}-{name}", "").strip() for name in CONTENT_FIELDS}
        row["as_printed"] = "1" if values.get(f"c-{index}-as_printed") else ""
        if any(row[name] for name in CONTENT_FIELDS):
            rows.append(row)
    return rows


def content_inputs(values: dict[str, str]) -> list[ContentInput]:
    """The form's content rows as the service takes them, each with its "as printed" box."""
    return [
        ContentInput(
            **{k: v for k, v in row.items() if k != "as_printed"}, as_printed=bool(row["as_printed"])
        )
        for row in content_rows(values)
    ]


def form_errors(exc: ServiceError) -> dict[str, str]:
    """Service field names (``contents.0.id_number``, ``finder.phone``) to form field names."""
    problems = getattr(exc, "problems", None)
    pairs = (
        problems.items.items()
        if problems is not None
        else [(exc.field or "_form", (exc.message, exc.params))]
    )
    errors = {}
    for name, (message, params) in pairs:
        if name.startswith("contents."):
            _, index, field = ([*name.split("."), ""])[:3]
            name = f"c-{index}-{field or 'kind'}"
        elif name.startswith(("finder.", "owner.")):
            name = name.replace(".", "_", 1)
        errors[name] = i18n.gettext(message, **params)
    return errors
