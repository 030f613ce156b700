"""Building blocks for tests: stations, accounts, signed-in clients."""

from __future__ import annotations

import io
import re

import httpx
from bs4 import BeautifulSoup
from litestar import Litestar
from PIL import Image, ImageDraw, ImageFont

from lostfound.domain.roles import Role
from lostfound.fonts import find_cjk_font
from lostfound.services import accounts, stations
from lostfound.services.context import Actor
from lostfound.tables import (
    ApiToken,
    AuditEvent,
    ContactAttempt,
    CustodyEvent,
    Deed,
    DeedParticipant,
    DeedPhoto,
    Disposal,
    FailedCheck,
    FoundItem,
    Handover,
    ItemContent,
    ItemKey,
    ItemPhoto,
    LostReport,
    Match,
    Notice,
    NoticeItem,
    Notification,
    ReferenceCounter,
    ReportContent,
    ReportKey,
    StaffUser,
    Station,
    Transfer,
)

PASSWORD = "Correct-Horse-42"
SYSTEM = Actor.system("test")


async def wipe() -> None:
    # Children before parents, so the wipe works whatever the foreign keys' ON DELETE rules.
    for table in (
        Disposal,
        Transfer,
        NoticeItem,
        Notice,
        DeedPhoto,
        DeedParticipant,
        Deed,
        FailedCheck,
        Handover,
        ContactAttempt,
        Match,
        ItemKey,
        ReportKey,
        Notification,
        ReportContent,
        LostReport,
        CustodyEvent,
        ItemPhoto,
        ItemContent,
        FoundItem,
        ReferenceCounter,
        AuditEvent,
        ApiToken,
        StaffUser,
        Station,
    ):
        await table.delete(force=True)


async def make_station(
    code: str = "DC", name_zh: str = "东城派出所", name_en: str = "Dongcheng Police Station"
) -> dict:
    return await stations.create_station(
        SYSTEM,
        stations.StationInput(
            code=code, name_zh=name_zh, name_en=name_en, address_zh="青石路18号", phone="0579-1"
        ),
    )


async def make_user(
    username: str,
    role: Role = Role.DUTY_OFFICER,
    station: str = "DC",
    password: str = PASSWORD,
    must_change_password: bool = False,
    display_name: str = "",
) -> accounts.StaffMember:
    if not await Station.exists().where(Station.code == station):
        if station == "DC":
            await make_station()
        else:
            await make_station(station, name_zh=f"{station}派出所", name_en=f"{station} Police Station")
    return await accounts.create_account(
        SYSTEM,
        accounts.NewAccount(
            username=username,
            display_name=display_name or username,
            role=role.value,
            station_code=station,
            password=password,
            must_change_password=must_change_password,
        ),
    )


def http_client(app: Litestar) -> httpx.AsyncClient:
    """A client that calls the app in the test's own event loop (asyncpg pools are bound to one loop)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_from(response) -> str:
    field = soup(response).find("input", attrs={"name": "_csrf_token"})
    assert field is not None, "page has no CSRF field"
    return str(field["value"])


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]):
    """Open ``page`` as a browser would, then submit its form to ``action`` with the page's CSRF token."""
    shown = await client.get(page)
    return await client.post(action, data={**data, "_csrf_token": csrf_from(shown)}, follow_redirects=False)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD):
    response = await post_form(client, "/login", "/login", {"username": username, "password": password})
    assert response.status_code in (303, 400, 429), response.text
    return response


def text_of(response) -> str:
    return re.sub(r"\s+", " ", soup(response).get_text(" ")).strip()


CARD_NAME = "黎晓明"
CARD_NUMBER = "330784199003141232"  # made up; check character valid; male, born 1990-03-14


def card_jpeg(number: str = CARD_NUMBER, name: str = CARD_NAME) -> bytes:
    """A plain picture of an ID card's front, as a phone would take it on a desk."""
    font = str(find_cjk_font())
    card = Image.new("RGB", (856, 540), (232, 238, 243))
    draw = ImageDraw.Draw(card)
    label, value = ImageFont.truetype(font, 24), ImageFont.truetype(font, 32)
    for y, (key, text) in enumerate(
        [
            ("姓名", name),
            ("性别", "男    民族  汉"),
            ("出生", "1990 年 3 月 14 日"),
            ("住址", "浙江省永康市芝英镇"),
        ]
    ):
        draw.text((50, 50 + 70 * y), key, fill=(110, 110, 110), font=label)
        draw.text((140, 44 + 70 * y), text, fill=(20, 20, 20), font=value)
    draw.text((50, 430), "公民身份号码", fill=(110, 110, 110), font=label)
    draw.text((250, 424), number, fill=(20, 20, 20), font=value)
    draw.rectangle((620, 60, 800, 290), fill=(200, 205, 210))
    photo = Image.new("RGB", (1100, 800), (90, 80, 70))
    photo.paste(card, (120, 130))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
