"""Notices about good deeds: commendations (表扬通报), letters of thanks (感谢信), certificates (荣誉证书).

Drafted from the deed's facts with a Jinja template per kind and language, edited by the press
office, approved by a supervisor once the redaction check passes, then published with a
verification code. The check blocks ID, phone and card numbers, amounts of money, the names of
the item's owner or card holders, the full name of anyone who did not agree to it, and a photo
nobody marked fit to publish.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from lostfound import i18n
from lostfound.crypto import readable_code
from lostfound.domain import deed_texts
from lostfound.domain.deeds import DeedKind, DeedStatus, Naming
from lostfound.domain.found_items import CATEGORY_LABELS, Category, ItemStatus
from lostfound.domain.i18n_markers import N_
from lostfound.domain.notices import (
    DEED_NOTICE_KINDS,
    PRESS_KINDS,
    REFERENCE_PREFIX,
    NoticeKind,
    NoticeStatus,
)
from lostfound.domain.redaction import Leak, leaks
from lostfound.domain.roles import Role
from lostfound.posters import PosterSize, PosterText
from lostfound.posters import render as render_poster
from lostfound.services import audit, deeds, figures, found_notices, references
from lostfound.services.context import Actor
from lostfound.services.drawing import draw
from lostfound.services.errors import Conflict, Forbidden, NotFound, ServiceError
from lostfound.services.found_items import InvalidItem
from lostfound.services.item_contents import Problems, free_text
from lostfound.services.item_photos import media_store
from lostfound.services.notice_rows import move_status, notice_row
from lostfound.services.transactions import write_transaction
from lostfound.settings import PROJECT_ROOT, TIMEZONE
from lostfound.tables import DeedPhoto, FoundItem, Notice, Station

_TZ = ZoneInfo(TIMEZONE)
LANGUAGES = ("zh_Hans", "en")
WRITERS = frozenset({Role.PRESS, Role.DUTY_OFFICER, Role.SUPERVISOR})
_TEXTS = Environment(
    loader=FileSystemLoader(str(PROJECT_ROOT / "templates" / "notice_texts")),
    autoescape=False,  # plain text; pages escape it when they show it
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)


def notice_reference(kind: NoticeKind, station_code: str, year: int, seq: int) -> str:
    """``BY-DC-2026-004``: the fourth commendation of station DC in 2026 (GX thanks, RY certificates)."""
    return f"{REFERENCE_PREFIX[kind]}-{station_code}-{year}-{seq:03d}"


async def draft_text(
    deed: dict[str, Any], kind: NoticeKind, language: str, number: str, now: datetime
) -> tuple[str, str]:
    """Title and body of a new draft, from the deed's facts only."""
    station = await Station.select().where(Station.code == deed["station_code"]).first()
    people = deed["participants"]
    category = ("", "")
    returned = False
    if deed["item"] is not None:
        item = (
            await FoundItem.select(FoundItem.category, FoundItem.status)
            .where(FoundItem.id == deed["item"])
            .first()
        )
        label = CATEGORY_LABELS[Category(item["category"])]
        category = (i18n.translate("zh_Hans", label), i18n.translate("en", label))
        returned = item["status"] == ItemStatus.RETURNED
    heroes = (deed_texts.heroes_zh(people), deed_texts.heroes_en(people))
    moment = deed["occurred_at"].astimezone(_TZ)
    facts = {
        "station": station,
        "place": deed["place"],
        "heroes_zh": heroes[0],
        "heroes_en": heroes[1],
        "date_zh": deed_texts.date_zh(moment),
        "date_en": deed_texts.day_en(moment),
        "issued_zh": deed_texts.day_zh(now.astimezone(_TZ)),
        "issued_en": deed_texts.day_en(now.astimezone(_TZ)),
        "narrative": deed["narrative"].strip(),
        "number": number,
        **deed_texts.story(DeedKind(deed["kind"]), heroes, category, returned, station),
    }
    text = _TEXTS.get_template(f"{kind.value}.{language}.j2").render(**facts).strip()
    title, _, body = text.partition("\n")
    return title.strip()[:200], body.strip()


async def create_draft(actor: Actor, deed_id: int, kind: str, language: str) -> str:
    if actor.role is not None and actor.role not in WRITERS:
        raise Forbidden(N_("Only the press office and officers draft notices."))
    deed = await deeds.get_deed(deed_id)
    if not actor.acts_for(deed["station_code"]):
        raise Forbidden(N_("Only the deed's station may draft notices about it."))
    if deed["status"] != DeedStatus.LOGGED:
        raise Conflict(N_("Take the deed into the log before drafting a notice about it."))
    try:
        notice_kind = NoticeKind(kind)
    except ValueError:
        notice_kind = None
    if notice_kind not in DEED_NOTICE_KINDS or language not in LANGUAGES:
        raise ServiceError(N_("Choose the kind of notice and its language."), field="kind")
    assert notice_kind is not None
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    photo = next((p["id"] for p in deed["photos"] if p["public"]), None)
    async with write_transaction():
        seq = await references.next_number(f"{REFERENCE_PREFIX[notice_kind]}:{deed['station_code']}:{year}")
        ref = notice_reference(notice_kind, deed["station_code"], year, seq)
        title, body = await draft_text(deed, notice_kind, language, ref, now)
        await Notice.insert(
            Notice(
                reference=ref,
                kind=notice_kind.value,
                station=deed["station"],
                year=year,
                seq=seq,
                title=title,
                body=body,
                created_by=actor.user_id,
                verification_code=readable_code(12),
                deed=deed["id"],
                language=language,
                certificate_number=ref if notice_kind is NoticeKind.CERTIFICATE else "",
                photo=photo,
            )
        )
        await audit.record(
            actor, "notice.create", "notice", ref, {"deed": deed["id"], "kind": notice_kind.value}
        )
    return ref


async def get_notice(reference: str) -> dict[str, Any]:
    return await notice_row(reference, PRESS_KINDS)


async def redaction_problems(notice: dict[str, Any]) -> list[Leak]:
    if notice["deed"] is None:  # a monthly report: figures only, but the same rules on numbers and amounts
        text = f"{notice['title']}\n{notice['body']}"
        return [
            leak
            for leak in leaks(text, (), public_numbers=[notice["station_phone"]])
            if leak.kind != "amount"
        ]
    deed = await deeds.get_deed(notice["deed"])
    owners = await found_notices.protected_names([deed["item"]]) if deed["item"] else set()
    # The finder is protected as a holder's or owner's name would be, unless they agreed to their full name.
    fully_named = {
        p["name"] for p in deed["participants"] if p["consent_to_name"] and p["naming"] == Naming.FULL
    }
    text = f"{notice['title']}\n{notice['body']}"
    found = leaks(text, owners - fully_named, public_numbers=[notice["station_phone"]])
    flat = "".join(text.split())
    for person in deed["participants"]:
        if (
            person["name"] not in fully_named
            and len(person["name"]) >= 2
            and "".join(person["name"].split()) in flat
        ):
            found.append(
                Leak(
                    "consent",
                    N_("The text names %(name)s, who did not agree to be named in full."),
                    person["name"],
                )
            )
    if notice["photo"] is not None:
        photo = await DeedPhoto.select(DeedPhoto.public).where(DeedPhoto.id == notice["photo"]).first()
        if photo is None or not photo["public"]:
            found.append(Leak("photo", N_("The chosen photo is not marked fit to publish.")))
    return list(dict.fromkeys(found))


def _own(actor: Actor, notice: dict[str, Any]) -> None:
    if not actor.acts_for(notice["station_code"]):
        raise Forbidden(N_("Only the station that compiled the notice may change it."))


async def edit(actor: Actor, reference: str, title: str, body: str, photo_id: int | None) -> None:
    """Change a draft's words or photo; an approved notice must be withdrawn and drafted again."""
    notice = await get_notice(reference)
    _own(actor, notice)
    if actor.role is not None and actor.role not in WRITERS:
        raise Forbidden(N_("Only the press office and officers draft notices."))
    if notice["status"] != NoticeStatus.DRAFT:
        raise Conflict(N_("Only a draft can be changed."))
    problems = Problems()
    clean_title = free_text(title, 200, "title", problems, required=N_("Give the notice a title."))
    clean_body = (
        " ".join(body.split())
        if "\n" not in body
        else "\n".join(line.rstrip() for line in body.strip().splitlines())
    )
    if not clean_body:
        problems.add("body", N_("Write the text of the notice."))
    elif len(clean_body) > 6000:
        problems.add("body", N_("At most %(limit)d characters, please."), limit=6000)
    if (photo_id is not None and notice["deed"] is None) or (
        photo_id is not None
        and not await DeedPhoto.exists().where(
            (DeedPhoto.id == photo_id) & (DeedPhoto.deed == notice["deed"])
        )
    ):
        problems.add("photo", N_("Choose one of the deed's photos."))
    if problems:
        raise InvalidItem(problems)
    async with write_transaction():
        await Notice.update(
            {Notice.title: clean_title, Notice.body: clean_body, Notice.photo: photo_id}
        ).where((Notice.id == notice["id"]) & (Notice.status == NoticeStatus.DRAFT))
        await audit.record(actor, "notice.edit", "notice", notice["reference"], {})


def text_version(notice: dict[str, Any]) -> str:
    """A fingerprint of what a supervisor reads: approval applies to exactly this text and photo."""
    seen = f"{notice['title']}\x1f{notice['body']}\x1f{notice['photo'] or ''}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


async def approve(actor: Actor, reference: str, seen: str | None = None) -> None:
    notice = await get_notice(reference)
    if seen is not None and seen != text_version(notice):
        raise Conflict(N_("The text changed since you read it. Read it again before approving."))
    _own(actor, notice)
    if actor.role not in (Role.SUPERVISOR, None):
        raise Forbidden(N_("Only a supervisor may approve or withdraw a notice."))
    if notice["status"] != NoticeStatus.DRAFT:
        raise Conflict(N_("Only a draft can be approved."))
    if await redaction_problems(notice):
        raise ServiceError(N_("The notice cannot be approved until the redaction check passes."))
    now = datetime.now(UTC)
    changes = {
        Notice.status: NoticeStatus.APPROVED.value,
        Notice.approved_by: actor.user_id,
        Notice.approved_at: now,
    }
    # Only the text that was checked: a save landing meanwhile makes this update match nothing.
    checked = (Notice.title == notice["title"]) & (Notice.body == notice["body"])
    checked &= Notice.photo.is_null() if notice["photo"] is None else Notice.photo == notice["photo"]
    await move_status(actor, notice, NoticeStatus.DRAFT, changes, "notice.approve", checked)


async def publish(actor: Actor, reference: str) -> None:
    notice = await get_notice(reference)
    _own(actor, notice)
    if notice["status"] != NoticeStatus.APPROVED:
        raise Conflict(N_("Only an approved notice can be published."))
    changes = {Notice.status: NoticeStatus.PUBLISHED.value, Notice.published_at: datetime.now(UTC)}
    await move_status(actor, notice, NoticeStatus.APPROVED, changes, "notice.publish")


async def withdraw(actor: Actor, reference: str) -> None:
    notice = await get_notice(reference)
    _own(actor, notice)
    if actor.role not in (Role.SUPERVISOR, None):
        raise Forbidden(N_("Only a supervisor may approve or withdraw a notice."))
    if notice["status"] == NoticeStatus.WITHDRAWN:
        raise Conflict(N_("This notice is already withdrawn."))
    changes = {Notice.status: NoticeStatus.WITHDRAWN.value, Notice.withdrawn_at: datetime.now(UTC)}
    await move_status(actor, notice, notice["status"], changes, "notice.withdraw")


async def list_notices(
    station_code: str | None, published_only: bool = False, with_body: bool = False
) -> list[dict[str, Any]]:
    extra = [Notice.body] if with_body else []
    query = Notice.select(
        *extra,
        Notice.id, Notice.reference, Notice.kind, Notice.title, Notice.status, Notice.language, Notice.created_at,
        Notice.published_at, Notice.station.code.as_alias("station_code"),
        Notice.station.name_zh.as_alias("station_name_zh"), Notice.station.name_en.as_alias("station_name_en"),
    ).where(Notice.kind.is_in([k.value for k in PRESS_KINDS]))  # fmt: skip
    if station_code is not None:
        query = query.where(Notice.station.code == station_code)
    if published_only:
        query = query.where(Notice.status == NoticeStatus.PUBLISHED.value)
        return await query.order_by(Notice.published_at, ascending=False).limit(100)
    return await query.order_by(Notice.id, ascending=False).limit(200)


async def public_notice(reference: str) -> dict[str, Any]:
    """A published notice as anyone may read it; withdrawn ones say so; drafts are unknown."""
    notice = await get_notice(reference)
    if (
        notice["status"] not in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
        or notice["published_at"] is None
    ):
        raise NotFound(N_("No notice has the number %(reference)s."), reference=reference[:24])
    return notice


async def public_photo(photo_id: int) -> bytes:
    """A deed photo marked fit to publish and shown on a published notice; nothing else."""
    row = await (
        Notice.select(Notice.photo.display_key.as_alias("key"), Notice.photo.public.as_alias("public"))
        .where((Notice.photo == photo_id) & (Notice.status == NoticeStatus.PUBLISHED.value))
        .first()
    )
    if row is None or not row["public"]:
        raise NotFound(N_("No such photo."))
    return await asyncio.to_thread(media_store().read, row["key"])


SOCIAL_LIMIT = 480  # characters: a post on the common microblogging services, with room for the link


def social_text(notice: dict[str, Any], url: str) -> str:
    """A copy-ready post: the title in 【】, the body in one paragraph (cut at a sentence), the link."""
    body = "".join(line.strip() for line in notice["body"].splitlines() if line.strip())
    head = f"【{notice['title']}】"
    room = SOCIAL_LIMIT - len(head) - len(url) - 4
    if len(body) > room:
        cut = body[:room]
        end = max(cut.rfind(mark) for mark in "。！？.!?")
        body = (cut[: end + 1] if end > room // 2 else cut.rstrip()) + "……"
    return f"{head}{body}\n{url}"


async def poster(reference: str, size: str, verify_url: str, actor: Actor | None = None) -> bytes:
    """The notice as a PNG poster. The public gets published notices; the station's staff drafts too."""
    notice = await get_notice(reference)
    if actor is None:
        notice = await public_notice(reference)
        if notice["status"] != NoticeStatus.PUBLISHED:
            raise NotFound(N_("No notice has the number %(reference)s."), reference=reference[:24])
    else:
        _own(actor, notice)
    draft = notice["status"] != NoticeStatus.PUBLISHED
    try:
        poster_size = PosterSize[size.upper()]
    except KeyError:
        raise NotFound(N_("No such poster size.")) from None
    photo = None
    if notice["photo"] is not None:
        row = (
            await DeedPhoto.select(DeedPhoto.display_key, DeedPhoto.public)
            .where(DeedPhoto.id == notice["photo"])
            .first()
        )
        if row is not None and row["public"]:
            photo = await asyncio.to_thread(media_store().read, row["display_key"])
    code = notice["verification_code"]
    moment = (notice["published_at"] or datetime.now(UTC)).astimezone(_TZ)
    text = PosterText(
        station=notice["station_name_en"] if notice["language"] == "en" else notice["station_name_zh"],
        title=notice["title"],
        paragraphs=[line.strip() for line in notice["body"].splitlines() if line.strip()],
        footer=(
            f"{notice['reference']} · 预览，不得张贴 · preview, not for posting"
            if draft
            else f"{notice['reference']} · {moment:%Y-%m-%d} · 核验码 {code[:4]}-{code[4:8]}-{code[8:]}"
        ),
        verify_url="" if draft else verify_url,
        photo=photo,
        draft=draft,
    )
    missing = N_("The poster font cannot draw these characters: %(characters)s. Change them in the text.")
    return await draw(render_poster, text, poster_size, missing=missing)


async def create_monthly_draft(actor: Actor, station_code: str, month: figures.Month, language: str) -> str:
    """A draft of the month's report for the station, written from its figures."""
    if actor.role is not None and actor.role not in WRITERS:
        raise Forbidden(N_("Only the press office and officers draft notices."))
    if language not in LANGUAGES:
        raise ServiceError(N_("Choose the kind of notice and its language."), field="language")
    station = await Station.select().where(Station.code == station_code).first()
    if station is None:
        raise NotFound(N_("No station has the code %(code)s."), code=station_code[:8])
    data = await figures.monthly(month)
    row = next(r for r in data.rows if r.station_code == station_code)
    now = datetime.now(UTC)
    year = now.astimezone(_TZ).year
    facts = {
        "station": station,
        "month_zh": f"{month.year}年{month.month}月",
        "month_en": f"{deed_texts.MONTHS[month.month - 1]} {month.year}",
        "row": row,
        "city": data.city,
        "rate": f"{row.return_rate:.0%}" if row.return_rate is not None else "—",
        "value": f"{row.value_returned:,.0f}",
        "issued_zh": deed_texts.day_zh(now.astimezone(_TZ)),
        "issued_en": deed_texts.day_en(now.astimezone(_TZ)),
    }
    text = _TEXTS.get_template(f"monthly.{language}.j2").render(**facts).strip()
    title, _, body = text.partition("\n")
    async with write_transaction():
        seq = await references.next_number(f"YB:{station_code}:{year}")
        ref = notice_reference(NoticeKind.MONTHLY, station_code, year, seq)
        await Notice.insert(
            Notice(
                reference=ref,
                kind=NoticeKind.MONTHLY.value,
                station=station["id"],
                year=year,
                seq=seq,
                title=title.strip()[:200],
                body=body.strip(),
                created_by=actor.user_id,
                verification_code=readable_code(12),
                language=language,
            )
        )
        await audit.record(actor, "notice.create", "notice", ref, {"kind": "monthly", "month": str(month)})
    return ref
