"""Reading a photographed ID card through the API and the intake form; its public copy blurred."""

from __future__ import annotations

import io
import json

import httpx
from PIL import Image

from lostfound import ocr
from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.settings import get_settings
from lostfound.tables import AuditEvent, FoundItem, ItemContent, ItemPhoto
from tests.factories import CARD_NAME as NAME
from tests.factories import CARD_NUMBER as NUMBER
from tests.factories import SYSTEM, card_jpeg, csrf_from, make_user, sign_in, soup, text_of


def media_files() -> set[str]:
    return {p.name for p in get_settings().media_dir.rglob("*") if p.is_file()}


async def _token(role: Role = Role.DUTY_OFFICER, username: str = "dc.duty") -> dict[str, str]:
    await make_user(username, role=role)
    return {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, username)}"}


async def test_the_api_reads_an_id_card_and_keeps_nothing(client: httpx.AsyncClient) -> None:
    headers = await _token()
    before = media_files()
    answer = await client.post(
        "/api/v1/documents/read", files={"image": ("card.jpg", card_jpeg(), "image/jpeg")}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "id_card"
    fields = {name: field["value"] for name, field in body["fields"].items()}
    assert fields == {"holder_name": NAME, "id_number": NUMBER, "birth_date": "1990-03-14", "sex": "M"}
    assert all(0 < field["confidence"] <= 1 for field in body["fields"].values())
    assert media_files() == before
    logged = await AuditEvent.select().where(AuditEvent.action == "document.read")
    assert len(logged) == 1 and NUMBER not in json.dumps(logged, default=str) and NAME not in str(logged)


async def test_only_officers_read_documents_and_bad_files_are_refused(client: httpx.AsyncClient) -> None:
    press = await _token(Role.PRESS, "dc.press")
    refused = await client.post(
        "/api/v1/documents/read", files={"image": ("card.jpg", card_jpeg(), "image/jpeg")}, headers=press
    )
    assert refused.status_code == 403
    headers = await _token()
    bad = await client.post(
        "/api/v1/documents/read", files={"image": ("x.jpg", b"%PDF-1.4 no", "image/jpeg")}, headers=headers
    )
    assert bad.status_code == 415 and bad.json()["field"] == "photo"
    empty = await client.post(
        "/api/v1/documents/read", files={"other": ("x", b"", "image/jpeg")}, headers=headers
    )
    assert empty.status_code == 400
    assert await AuditEvent.count().where(AuditEvent.action == "document.read") == 0


async def test_the_intake_form_reads_for_the_officer(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    await sign_in(client, "dc.duty")
    page = await client.get("/items/new")
    answer = await client.post(
        "/items/read-document",
        files={"image": ("card.jpg", card_jpeg(), "image/jpeg")},
        headers={"X-CSRFToken": csrf_from(page)},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["fields"]["id_number"]["value"] == NUMBER
    forged = await client.post(
        "/items/read-document", files={"image": ("card.jpg", card_jpeg(), "image/jpeg")}
    )
    assert forged.status_code == 403


FORM = {
    "category": "wallet",
    "description": "黑色皮质钱包",
    "found_at": "2026-11-28T21:40",
    "found_place": "青石路夜市",
    "storage_location": "A-03",
    "finder_reward": "undecided",
    "c-0-kind": "id_card",
    "c-0-holder_name": NAME,
    "c-0-id_number": NUMBER,
    "reading": "1",
}


async def _submit(client: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
    page = await client.get("/items/new")
    return await client.post(
        "/items/new",
        data={**form, "_csrf_token": csrf_from(page)},
        files=[("document_photos", ("card.jpg", card_jpeg(), "image/jpeg"))],
        follow_redirects=False,
    )


async def test_what_was_read_is_saved_only_once_the_officer_has_checked_it(client: httpx.AsyncClient) -> None:
    await make_user("dc.duty")
    await sign_in(client, "dc.duty")
    before = media_files()
    unchecked = await _submit(client, FORM)
    assert unchecked.status_code == 400
    assert "核对" in soup(unchecked).select_one("#f-reading-error").get_text()
    assert soup(unchecked).select_one("#c-0-id_number")["value"] == NUMBER  # the input is kept
    assert await FoundItem.count() == 0 and await ItemPhoto.count() == 0 and media_files() == before
    saved = await _submit(client, {**FORM, "reading_confirmed": "1"})
    assert saved.status_code == 303, text_of(saved)
    assert await ItemContent.count() == 1


async def test_a_document_photo_is_blurred_wherever_there_is_text_in_its_public_copy(
    client: httpx.AsyncClient,
) -> None:
    await make_user("dc.duty")
    await sign_in(client, "dc.duty")
    saved = await _submit(client, {**FORM, "reading_confirmed": "1"})
    assert saved.status_code == 303, text_of(saved)
    (photo,) = await ItemPhoto.select()
    assert photo["public_key"], "a document photo gets its public copy at once"
    original = await client.get(f"/media/photos/{photo['id']}/master")
    public = await client.get(f"/media/photos/{photo['id']}/public")
    assert public.status_code == 200

    def texts(data: bytes) -> str:
        return "".join(line.text.replace(" ", "") for line in ocr.recognise(Image.open(io.BytesIO(data))))

    assert NUMBER in texts(original.content) and NAME in texts(original.content)
    blurred = texts(public.content)
    assert NUMBER[:6] not in blurred and NUMBER[-4:] not in blurred and NAME not in blurred
    assert "公民身份号码" not in blurred  # every line of text, labels too


def test_recognition_needs_no_network(monkeypatch) -> None:
    """The models ship inside the package: a fresh engine loads and reads with every connection refused."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no network here")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(ocr, "_engine", None)
    lines = ocr.recognise(Image.open(io.BytesIO(card_jpeg())))
    assert any(NUMBER in line.text.replace(" ", "") for line in lines)


async def test_a_document_photo_added_later_through_the_api_gets_its_blurred_copy(
    client: httpx.AsyncClient,
) -> None:
    headers = await _token()
    item = {"category": "wallet", "description": "黑色钱包", "found_at": "2026-11-28T21:40:00+08:00",
            "found_place": "青石路夜市"}  # fmt: skip
    reference = (await client.post("/api/v1/found-items", json=item, headers=headers)).json()["reference"]
    plain = await client.post(
        f"/api/v1/found-items/{reference}/photos",
        files={"photo": ("w.jpg", card_jpeg(), "image/jpeg")},
        headers=headers,
    )
    document = await client.post(
        f"/api/v1/found-items/{reference}/photos",
        files={"photo": ("card.jpg", card_jpeg(), "image/jpeg")},
        params={"document": "true"},
        headers=headers,
    )
    assert plain.status_code == document.status_code == 201, document.text
    assert (plain.json()["public"], document.json()["public"]) == (False, True)
    rows = {row["id"]: row["public_key"] for row in await ItemPhoto.select()}
    assert rows[plain.json()["id"]] == "" and rows[document.json()["id"]]


async def test_without_recognition_reading_says_why_and_document_photos_stay_staff_only(
    client: httpx.AsyncClient, monkeypatch
) -> None:
    def missing() -> None:
        raise ocr.RecognitionUnavailable("libGL.so.1: cannot open shared object file")

    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setattr(ocr, "_load", missing)
    headers = await _token()
    answer = await client.post(
        "/api/v1/documents/read", files={"image": ("card.jpg", card_jpeg(), "image/jpeg")}, headers=headers
    )
    assert answer.status_code == 503 and "libgl1" in answer.json()["detail"]
    await sign_in(client, "dc.duty")
    saved = await _submit(client, {**FORM, "reading_confirmed": "1"})
    assert saved.status_code == 303, text_of(saved)
    (photo,) = await ItemPhoto.select()
    assert photo["public_key"] == ""  # no public copy rather than an unblurred one
