"""Hostile requests: forged forms are refused on every route, and no upload crashes the photo pipeline."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from PIL import Image

from lostfound.domain.roles import Role
from lostfound.photos import PhotoRejected, process_photo
from lostfound.services import item_photos
from lostfound.services.demo import load_demo_if_empty
from lostfound.services.item_photos import PhotoRefused
from lostfound.tables import AuditEvent, FoundItem, ItemPhoto
from tests.factories import SYSTEM, csrf_from, make_user, sign_in
from tests.test_items_pages import media_files

SAMPLES = {"reference": "DC-2026-000001", "username": "dc.duty", "code": "DC"}


def _form_routes(app: Litestar) -> list[str]:
    """Every route that takes a form post (the token-authenticated API is not a form)."""
    paths = []
    for route in app.routes:
        if "POST" not in getattr(route, "methods", ()) or route.path_format.startswith("/api/"):
            continue
        filled = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), route.path_format)
        paths.append(filled)
    return sorted(set(paths))


async def test_every_form_refuses_a_post_without_its_csrf_token(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    await make_user("dc.duty")
    await sign_in(client, "dc.duty")
    token = csrf_from(await client.get("/"))
    before = await AuditEvent.count()
    routes = _form_routes(app)
    assert "/login" in routes and "/items/new" in routes and len(routes) > 40
    for path in routes:
        for data in ({}, {"_csrf_token": "forged"}, {"_csrf_token": token[:-4] + "AAAA"}):
            answer = await client.post(path, data=data, follow_redirects=False)
            assert answer.status_code == 403, (path, data, answer.status_code)
            assert "This form has expired" in answer.text or "表单已过期" in answer.text, path
    assert await AuditEvent.count() == before  # nothing a forged post could have done was done


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 30, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 200, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


SEEDS = [_jpeg(), _png()]


@st.composite
def damaged_photos(draw: st.DrawFn) -> bytes:
    """A real photo with bytes changed, cut short or spliced in, or bytes of no photo at all."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=4096))
    data = bytearray(draw(st.sampled_from(SEEDS)))
    if choice == 1:
        for _ in range(draw(st.integers(1, 12))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if choice == 2:
        return bytes(data[: draw(st.integers(0, len(data)))])
    at = draw(st.integers(0, len(data)))
    return bytes(data[:at]) + draw(st.binary(min_size=1, max_size=256)) + bytes(data[at:])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_photos())
def test_the_photo_pipeline_never_crashes_on_damaged_uploads(data: bytes) -> None:
    try:
        photo = process_photo(data)
    except PhotoRejected as refused:
        assert refused.status_code in (400, 413, 415)
    else:  # what it accepts it re-encodes: a real image comes out
        Image.open(io.BytesIO(photo.master)).verify()


async def test_a_refused_upload_stores_nothing() -> None:
    await load_demo_if_empty()
    wallet = await FoundItem.select(FoundItem.reference).where(FoundItem.category == "wallet").first()
    photos_before, files_before = await ItemPhoto.count(), media_files()
    for seed in range(12):
        data = bytearray(_jpeg())
        data[seed * 37 % len(data)] ^= 0xFF  # a flipped byte in the header or the image data
        damaged = bytes(data[: len(data) // 2 + seed])
        with pytest.raises(PhotoRefused):
            await item_photos.add_photo(SYSTEM, wallet["reference"], damaged)
    assert await ItemPhoto.count() == photos_before and media_files() == files_before


PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
# Every free-text column a person types into, as (table, column).
FREE_TEXT = {
    "audit_event": ["note"],
    "contact_attempt": ["note", "outcome"],
    "custody_event": ["location"],
    "deed": ["place", "title", "narrative"],
    "deed_participant": ["role", "name", "public_name"],
    "deed_photo": ["caption"],
    "disposal": ["note", "decision_note"],
    "failed_check": ["claimant_name", "review_note"],
    "found_item": [
        "description",
        "colour",
        "brand",
        "found_place",
        "district",
        "finder_name",
        "storage_location",
    ],
    "handover": ["owner_name", "proxy_name", "note"],
    "item_content": ["holder_name", "bank", "note"],
    "lost_report": ["owner_name", "description", "colour", "brand", "lost_place", "district"],
    "match": ["note"],
    "notice": ["title", "body"],
    "notice_item": ["summary", "area"],
    "report_content": ["holder_name", "bank", "note"],
    "staff_user": ["display_name"],
    "station": ["name_zh", "name_en", "address_zh", "address_en", "opening_hours_zh", "opening_hours_en"],
    "transfer": ["note", "storage_location"],
}
STAFF = ("dc.duty", "dc.supervisor", "dc.press", "dc.admin")
SKIP = re.compile(r"^/(static/|logout|language)|\.(png|jpg|csv|atom)(\?|$)|/photos/|/poster")


async def _crawl(client: httpx.AsyncClient, starts: list[str], limit: int = 120) -> dict[str, str]:
    """Pages reachable by links from ``starts`` (same site, GET), path -> HTML."""
    from bs4 import BeautifulSoup

    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        page = path.split("?")[0]  # one visit per page, whatever its filters
        if page in seen or SKIP.search(path):
            continue
        answer = await client.get(path)
        seen[page] = answer.text if "html" in answer.headers.get("content-type", "") else ""
        for link in BeautifulSoup(seen[page], "html.parser").select("a[href]"):
            href = link["href"].split("#")[0]
            if href.startswith("/") and not href.startswith("//") and href.split("?")[0] not in seen:
                queue.append(href)
    return seen


async def test_script_in_every_free_text_field_is_shown_as_text_on_every_page() -> None:
    from lostfound.piccolo_app import APP_CONFIG
    from lostfound.services import accounts
    from lostfound.tables import Station
    from lostfound.web.app import create_app
    from tests.factories import PASSWORD, http_client

    await load_demo_if_empty()
    for username in STAFF:
        await accounts.set_password(SYSTEM, username, PASSWORD, must_change=False)
    # Straight into the database: whatever a form lets through, the pages must show as text.
    tables = {table._meta.tablename: table for table in APP_CONFIG.table_classes}
    for table, columns in FREE_TEXT.items():
        values = {}
        for name in columns:
            length = getattr(tables[table]._meta.get_column_by_name(name), "length", None) or 10_000
            if length >= len(RAW[0]):  # a short code column cannot hold a script at all
                values[name] = PAYLOAD if len(PAYLOAD) <= length else RAW[0]
        assignments = ", ".join(f'"{column}" = {{}}' for column in values)
        await Station.raw(f'UPDATE "{table}" SET {assignments}', *values.values())
    app = create_app(manage_pool=False)
    shown = 0
    async with http_client(app) as anonymous:
        pages = await _crawl(anonymous, ["/board", "/commendations", "/report", "/verify"])
    for username in STAFF:
        async with http_client(app) as client:
            assert (await sign_in(client, username)).status_code == 303
            pages.update(await _crawl(client, ["/"]))
    for path, html in pages.items():
        assert not any(raw in html for raw in RAW), path
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The pages that show what people typed were reached, and showed the payload as text.
    assert {"/items", "/items/DC-2026-000001", "/board", "/admin/users"} <= set(pages)
    assert any(re.fullmatch(r"/matches/\d+", p) for p in pages)
    assert any(re.fullmatch(r"/deeds/\d+", p) for p in pages)
    assert len(pages) > 50 and shown > 40


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
async def test_every_route_and_method_refuses_whom_the_access_table_refuses(
    app: Litestar, role: Role | None
) -> None:
    """The whole route × role matrix: a refused role never reaches a handler, whatever it sends."""
    from lostfound.services import accounts
    from lostfound.web.access import ACCESS
    from tests.factories import http_client

    bearer = {}
    if role is not None:
        await make_user("someone", role=role)
        bearer = {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, 'someone', 'matrix')}"}
    refused = 0
    async with http_client(app) as client:
        if role is not None:
            await sign_in(client, "someone")
        token = csrf_from(await client.get("/" if role else "/login"))
        for route in app.routes:
            rule = ACCESS.get(route.path_format)
            if rule is None or (rule.allows_role(role) if role else rule.public):
                continue
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES.get(m.group(1), "1"), route.path_format)
            for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
                api = path.startswith("/api/")
                answer = await client.request(
                    method,
                    path,
                    data=None if api else {"_csrf_token": token},
                    headers=bearer if api else None,
                    follow_redirects=False,
                )
                if role is None:  # anonymous: sent to sign in (pages) or told to authenticate (API)
                    assert answer.status_code in (303, 401), (method, path, answer.status_code)
                else:
                    assert answer.status_code == 403, (role.value, method, path, answer.status_code)
                refused += 1
    assert refused > (30 if role in (None, Role.PRESS) else 5)
