"""The officer's item pages: intake form with photos, detail, reveal, receipt and verification."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image

from lostfound.domain.roles import Role
from lostfound.settings import get_settings
from lostfound.tables import AuditEvent, FoundItem, ItemContent, ItemPhoto
from tests.factories import csrf_from, make_user, sign_in, soup, text_of

ID_NUMBER = "330784198805121239"


def jpeg(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 80, 40)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def media_files() -> list[str]:
    root = get_settings().media_dir
    return [p.name for p in root.rglob("*") if p.is_file()]


FORM = {
    "category": "wallet",
    "description": "棕色皮质钱包",
    "found_at": "2025-03-28T21:40",
    "found_place": "青石路夜市",
    "storage_location": "A-03",
    "finder_name": "应师傅",
    "finder_phone": "139 0579 2233",
    "finder_consent": "1",
    "finder_reward": "waived",
    "c-0-kind": "id_card",
    "c-0-holder_name": "黎晓梅",
    "c-0-id_number": ID_NUMBER,
    "c-1-kind": "cash",
    "c-1-amount": "260",
    "c-2-kind": "",  # an untouched row: ignored
}


async def _officer(client: httpx.AsyncClient, role: Role = Role.DUTY_OFFICER) -> None:
    await make_user("dc.duty", role=role)
    await sign_in(client, "dc.duty")


async def _submit(client: httpx.AsyncClient, form: dict[str, str], photos: list[bytes]) -> httpx.Response:
    page = await client.get("/items/new")
    files = [("photos", (f"p{i}.jpg", data, "image/jpeg")) for i, data in enumerate(photos)]
    return await client.post(
        "/items/new",
        data={**form, "_csrf_token": csrf_from(page)},
        files=files or None,
        follow_redirects=False,
    )


async def test_officer_logs_a_wallet_with_a_photo_and_two_content_rows(client: httpx.AsyncClient) -> None:
    await _officer(client)
    response = await _submit(client, FORM, [jpeg()])
    assert response.status_code == 303, text_of(response)
    reference = response.headers["location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"DC-\d{4}-000001", reference)
    page = await client.get(response.headers["location"])
    text = text_of(page)
    assert "已登记" in text and "330784********1239" in text and ID_NUMBER not in page.text
    assert "139****2233" in text and "¥260.00" in text and "2025-03-28 21:40" in text
    assert await ItemContent.count() == 2
    thumb = soup(page).select_one(".photo-grid img")["src"]
    image = await client.get(thumb)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    listing = await client.get("/items?q=皮质钱包")
    assert reference in listing.text


async def test_a_bad_id_number_is_explained_the_input_kept_and_nothing_stored(
    client: httpx.AsyncClient,
) -> None:
    await _officer(client)
    before = media_files()
    response = await _submit(client, {**FORM, "c-0-id_number": ID_NUMBER[:-1] + "5"}, [jpeg()])
    assert response.status_code == 400
    page = soup(response)
    assert "如实登记" in page.select_one("#c-0-id_number-error").get_text()
    assert page.select_one("#f-description").get_text() == "棕色皮质钱包"
    assert page.select_one("#c-0-holder_name")["value"] == "黎晓梅"
    assert await FoundItem.count() == 0 and media_files() == before
    confirmed = await _submit(
        client, {**FORM, "c-0-id_number": ID_NUMBER[:-1] + "5", "c-0-as_printed": "1"}, []
    )
    assert confirmed.status_code == 303


async def test_a_misread_birth_date_digit_at_the_desk_can_be_confirmed_as_printed(
    client: httpx.AsyncClient,
) -> None:
    """Month 05 read as 35 breaks the check character too: the officer may keep it as printed."""
    await _officer(client)
    misread = ID_NUMBER[:10] + "3" + ID_NUMBER[11:]
    response = await _submit(client, {**FORM, "c-0-id_number": misread}, [])
    assert response.status_code == 400
    error = soup(response).select_one("#c-0-id_number-error").get_text()
    assert "1988-35-12" in error and "校验码" in error and "如实登记" in error
    assert await FoundItem.count() == 0
    confirmed = await _submit(client, {**FORM, "c-0-id_number": misread, "c-0-as_printed": "1"}, [])
    assert confirmed.status_code == 303, text_of(confirmed)
    row = await ItemContent.select(ItemContent.as_printed).where(ItemContent.kind == "id_card").first()
    assert row == {"as_printed": True}


async def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    await _officer(client)
    before = media_files()
    response = await _submit(client, FORM, [jpeg(), b"%PDF-1.4 not a photo"])
    assert response.status_code == 415
    assert "JPEG" in soup(response).select_one(".error-text").get_text()
    assert await FoundItem.count() == 0 and await ItemPhoto.count() == 0 and media_files() == before


async def test_revealing_a_number_is_audited_and_shown_once(client: httpx.AsyncClient) -> None:
    await _officer(client)
    reference = (await _submit(client, FORM, [])).headers["location"].rsplit("/", 1)[1]
    page = await client.get(f"/items/{reference}")
    form = soup(page).select_one("form[action$='/reveal']:has(input[value='number'])")
    data = {i["name"]: i["value"] for i in form.select("input")}
    shown = await client.post(f"/items/{reference}/reveal", data=data)
    assert ID_NUMBER in shown.text
    event = await AuditEvent.select().where(AuditEvent.action == "pii.reveal").first()
    assert event["actor_name"] == "dc.duty" and event["target_id"] == reference
    assert ID_NUMBER not in (await client.get(f"/items/{reference}")).text


async def test_receipt_carries_a_code_that_the_public_page_confirms(client: httpx.AsyncClient, app) -> None:
    await _officer(client)
    reference = (await _submit(client, FORM, [])).headers["location"].rsplit("/", 1)[1]
    receipt = await client.get(f"/items/{reference}/receipt")
    assert "拾得物品收据" in receipt.text and soup(receipt).select_one(".qr svg") is not None
    assert "放弃报酬" in text_of(receipt) and ID_NUMBER not in receipt.text
    # The receipt goes home with the finder: the owner's name and numbers stay off it.
    assert "黎晓梅" not in receipt.text and "330784" not in receipt.text and "¥260.00" in receipt.text
    code = (await FoundItem.select(FoundItem.verification_code).first())["verification_code"]
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in receipt.text
    from tests.factories import http_client

    async with http_client(app) as public:
        genuine = await public.get(f"/verify?code={code[:4]}-{code[4:8]}-{code[8:].lower()}")
        assert "真实有效" in text_of(genuine) and reference in text_of(genuine)
        assert "应师傅" not in genuine.text and "黎晓梅" not in genuine.text
        fake = await public.get("/verify?code=ABCD-EFGH-JKMN")
        assert "没有与此核验码对应的文书" in text_of(fake)


async def test_photos_are_for_officers_only(client: httpx.AsyncClient, app) -> None:
    await _officer(client)
    await _submit(client, FORM, [jpeg()])
    photo = await ItemPhoto.select(ItemPhoto.id).first()
    from tests.factories import http_client

    async with http_client(app) as anonymous:
        assert (await anonymous.get(f"/media/photos/{photo['id']}/display")).status_code == 303
        await make_user("dc.press", role=Role.PRESS)
        await sign_in(anonymous, "dc.press")
        assert (await anonymous.get(f"/media/photos/{photo['id']}/display")).status_code == 403
        assert (await anonymous.get("/items")).status_code == 403


async def test_editing_moves_the_item_keeps_the_phone_and_is_logged(client: httpx.AsyncClient) -> None:
    from lostfound.tables import CustodyEvent

    await _officer(client)
    reference = (await _submit(client, FORM, [])).headers["location"].rsplit("/", 1)[1]
    page = await client.get(f"/items/{reference}/edit")
    form = soup(page)
    assert form.select_one("#f-storage_location")["value"] == "A-03"
    assert "139****2233" in form.get_text()  # the hint; the number itself is never in the form
    cash = await ItemContent.select(ItemContent.id).where(ItemContent.kind == "cash").first()
    data = {
        **FORM,
        "description": "棕色皮质长款钱包",
        "storage_location": "B-11",
        "finder_phone": "",
        "c-0-kind": "phone_number",
        "c-0-phone": "0579-8660 1234",
        "c-1-kind": "",
        "c-1-amount": "",
        "remove": str(cash["id"]),
        "_csrf_token": csrf_from(page),
    }
    del data["c-0-holder_name"], data["c-0-id_number"]
    saved = await client.post(f"/items/{reference}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303, text_of(saved)
    item = await FoundItem.select().where(FoundItem.reference == reference).first()
    assert item["storage_location"] == "B-11" and item["finder_phone_masked"] == "139****2233"
    assert item["finder_name"] == "应师傅"  # fields the edit did not touch stay as they were
    kinds = (
        await ItemContent.select(ItemContent.kind).where(ItemContent.item == item["id"]).output(as_list=True)
    )
    assert sorted(kinds) == ["id_card", "phone_number"]
    events = await CustodyEvent.select(CustodyEvent.kind, CustodyEvent.location).where(
        CustodyEvent.item == item["id"]
    )
    assert [e["kind"] for e in events][-2:] == ["edited", "moved"] and events[-1]["location"] == "B-11"
    detail = text_of(await client.get(f"/items/{reference}"))
    assert "移位" in detail and "棕色皮质长款钱包" in detail
    assert await AuditEvent.exists().where(AuditEvent.action == "found_item.update")


async def test_officers_of_another_station_can_read_but_not_edit(client: httpx.AsyncClient, app) -> None:
    await _officer(client)
    reference = (await _submit(client, FORM, [jpeg()])).headers["location"].rsplit("/", 1)[1]
    from tests.factories import http_client

    await make_user("fy.duty", station="FY")
    async with http_client(app) as other:
        await sign_in(other, "fy.duty")
        page = await other.get(f"/items/{reference}")
        assert page.status_code == 200 and soup(page).select_one(f"a[href='/items/{reference}/edit']") is None
        form = await other.get(f"/items/{reference}/edit")
        refused = await other.post(
            f"/items/{reference}/edit", data={**FORM, "_csrf_token": csrf_from(form)}, follow_redirects=False
        )
        assert refused.status_code == 403
        assert soup(page).select_one("form[action$='/reveal']") is None
        content = await ItemContent.select(ItemContent.id).where(ItemContent.kind == "id_card").first()
        reveal = await other.post(
            f"/items/{reference}/reveal",
            data={"what": "number", "content": str(content["id"]), "_csrf_token": csrf_from(page)},
        )
        assert reveal.status_code == 403 and ID_NUMBER not in reveal.text
        photo = await ItemPhoto.select(ItemPhoto.id).first()
        assert (await other.get(f"/media/photos/{photo['id']}/master")).status_code == 403
        assert not await AuditEvent.exists().where(AuditEvent.action == "pii.reveal")


async def test_a_redacted_public_copy_is_blurred_where_the_officer_drew(client: httpx.AsyncClient) -> None:
    import json

    from PIL import ImageDraw, ImageStat

    await _officer(client)
    picture = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(picture)
    for x in range(420, 780, 12):  # a high-contrast pattern standing in for printed digits
        draw.rectangle([x, 40, x + 5, 140], fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    reference = (await _submit(client, FORM, [buffer.getvalue()])).headers["location"].rsplit("/", 1)[1]
    photo = await ItemPhoto.select().first()
    assert photo["public_key"] == ""
    page = await client.get(f"/items/{reference}/photos/{photo['id']}/redact")
    empty = await client.post(
        f"/items/{reference}/photos/{photo['id']}/redact",
        data={"boxes": "[]", "_csrf_token": csrf_from(page)},
    )
    assert empty.status_code == 400 and (await ItemPhoto.select().first())["public_key"] == ""
    boxes = json.dumps([[0.5, 0.05, 1.0, 0.25]])
    done = await client.post(
        f"/items/{reference}/photos/{photo['id']}/redact",
        data={"boxes": boxes, "_csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    public = await client.get(f"/media/photos/{photo['id']}/public")
    original = await client.get(f"/media/photos/{photo['id']}/master")
    crop = (520, 40, 760, 130)
    spread = [
        ImageStat.Stat(Image.open(io.BytesIO(r.content)).convert("L").crop(crop)).stddev[0]
        for r in (original, public)
    ]
    assert spread[0] > 60 and spread[1] < spread[0] / 5
