"""Logging found items through the API: stored safely, answered masked, refused clearly."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime

import httpx

from lostfound.domain.roles import Role
from lostfound.services import accounts
from lostfound.tables import AuditEvent, CustodyEvent, FoundItem, ItemContent
from tests.factories import SYSTEM, http_client, make_station, make_user

ID_NUMBER = "330784198805121239"  # made up; check digit valid
PHONE = "13812345678"
CARD = "6222021234567890128"  # made up; Luhn valid

WALLET = {
    "station": "DC",
    "category": "wallet",
    "description": "黑色皮质钱包",
    "colour": "黑色",
    "brand": "无",
    "found_at": "2025-03-28T21:40:00+08:00",
    "found_place": "青石路夜市",
    "district": "东城区",
    "external_ref": "110-20250328-0042",
    "finder": {"name": "摊主王先生", "phone": "139 0000 1111", "consent_to_publish": True},
    "storage_location": "A-03",
    "contents": [
        {"kind": "id_card", "holder_name": "黎晓梅", "id_number": ID_NUMBER},
        {"kind": "bank_card", "holder_name": "黎晓梅", "card_number": CARD, "bank": "农业银行"},
        {"kind": "cash", "amount": "260.00"},
        {"kind": "deposit_slip", "holder_name": "黎晓梅", "bank": "农业银行", "amount": "100000.00"},
        {"kind": "phone_number", "phone": "+86 138-1234-5678"},
        {"kind": "other", "note": "一张超市会员卡"},
    ],
}


async def _token(
    role: Role = Role.DUTY_OFFICER, username: str = "dc.duty", station: str = "DC"
) -> dict[str, str]:
    await make_user(username, role=role, station=station)
    return {"Authorization": f"Bearer {await accounts.create_token(SYSTEM, username)}"}


async def test_a_wallet_is_logged_with_its_contents_and_answered_masked(client: httpx.AsyncClient) -> None:
    headers = await _token()
    response = await client.post("/api/v1/found-items", json=WALLET, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"].startswith("DC-") and len(body["reference"]) == len("DC-2025-000001")
    assert body["status"] == "in_custody" and body["storage_location"] == "A-03"
    kinds = [c["kind"] for c in body["contents"]]
    assert kinds == ["id_card", "bank_card", "cash", "deposit_slip", "phone_number", "other"]
    id_card, bank_card, cash, slip, phone, _ = body["contents"]
    assert id_card["number_masked"] == "330784********1239"
    assert bank_card["card_last4"] == "0128" and "0128" in bank_card["number_masked"]
    assert cash["amount"] == "260.00" and slip["amount"] == "100000.00"
    assert phone["phone_masked"] == "138****5678"
    assert body["finder"]["phone_masked"] == "139****1111"
    text = response.text
    assert ID_NUMBER not in text and PHONE not in text and CARD not in text and "13900001111" not in text
    assert [e["kind"] for e in body["custody"]] == ["received", "stored"]
    again = await client.get(f"/api/v1/found-items/{body['reference']}", headers=headers)
    assert again.json() == body


async def test_no_plaintext_number_is_in_the_database(client: httpx.AsyncClient) -> None:
    headers = await _token()
    await client.post("/api/v1/found-items", json=WALLET, headers=headers)
    rows = [
        *await FoundItem.select(),
        *await ItemContent.select(),
        *await CustodyEvent.select(),
        *await AuditEvent.select(),
    ]
    # Ciphertexts and keyed hashes (the matching keys a record lists are bytes) are random-looking
    # text where four digits can occur by chance; so are a time's microseconds (22:19:06.056784).
    opaque = re.compile(r"v1:.*|[0-9a-f]{64}")
    dump = json.dumps(
        [
            {
                k: v
                for k, v in row.items()
                if not (isinstance(v, str) and opaque.fullmatch(v)) and not isinstance(v, bytes | datetime)
            }
            for row in rows
        ],
        default=str,
        ensure_ascii=False,
    )
    for secret in (ID_NUMBER, PHONE, CARD, "13900001111", "5678"):
        assert secret not in dump.replace("****5678", ""), secret
    row = await ItemContent.select().where(ItemContent.kind == "id_card").first()
    assert row["number_enc"].startswith("v1:") and len(row["number_hash"]) == 64


async def test_a_bad_check_digit_is_refused_unless_confirmed_as_printed(client: httpx.AsyncClient) -> None:
    headers = await _token()
    typo = {
        **WALLET,
        "contents": [{"kind": "id_card", "holder_name": "黎晓梅", "id_number": ID_NUMBER[:-1] + "5"}],
    }
    refused = await client.post(
        "/api/v1/found-items", json=typo, headers={**headers, "Accept-Language": "zh-CN"}
    )
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert (
        errors[0]["field"] == "contents.0.id_number" and "如实" in errors[0]["message"]
    ) or "重新" in errors[0]["message"]
    assert await FoundItem.count() == 0
    typo["contents"][0]["as_printed"] = True
    accepted = await client.post("/api/v1/found-items", json=typo, headers=headers)
    assert accepted.status_code == 201 and accepted.json()["contents"][0]["as_printed"] is True


async def test_every_problem_is_reported_at_once_and_nothing_is_stored(client: httpx.AsyncClient) -> None:
    headers = await _token()
    bad = {
        **WALLET,
        "category": "spaceship",
        "found_at": "2099-01-01T00:00:00+08:00",
        "finder": {"phone": "12345"},
        "contents": [
            {"kind": "id_card", "id_number": "33078419881332123X"},
            {"kind": "bank_card", "card_number": "6222021234567890123"},
            {"kind": "cash", "amount": "-5"},
        ],
    }
    response = await client.post(
        "/api/v1/found-items", json=bad, headers={**headers, "Accept-Language": "en"}
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"category", "found_at", "finder.phone", "contents.0.id_number", "contents.1.card_number",
            "contents.2.amount"} <= fields  # fmt: skip
    assert await FoundItem.count() == 0 and await ItemContent.count() == 0


async def test_references_are_gap_free_when_officers_save_at_the_same_moment(app) -> None:
    """Eight intakes at once on one station: numbers 1 to 8, none lost, none twice."""
    headers = await _token()

    async def post() -> str:
        async with http_client(app) as client:
            response = await client.post("/api/v1/found-items", json=WALLET, headers=headers)
            assert response.status_code == 201, response.text
            return response.json()["reference"]

    references = await asyncio.gather(*(post() for _ in range(8)))
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in references)
    assert numbers == list(range(1, 9))
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    fy = await _token(username="fy.duty", station="FY")
    async with http_client(app) as client:
        other = await client.post("/api/v1/found-items", json={**WALLET, "station": "FY"}, headers=fy)
    assert other.json()["reference"].endswith("-000001")


async def test_officers_log_only_for_their_own_station_and_the_press_not_at_all(
    client: httpx.AsyncClient,
) -> None:
    await make_station()
    await make_station("FY", name_zh="方岩派出所", name_en="Fangyan Police Station")
    fy = await _token(username="fy.duty", station="FY")
    assert (await client.post("/api/v1/found-items", json=WALLET, headers=fy)).status_code == 403
    press = await _token(Role.PRESS, "dc.press")
    assert (await client.post("/api/v1/found-items", json=WALLET, headers=press)).status_code == 403
    assert (await client.get("/api/v1/found-items", headers=press)).status_code == 403


async def test_list_filters_and_finds_chinese_text(client: httpx.AsyncClient) -> None:
    headers = await _token()
    await client.post("/api/v1/found-items", json=WALLET, headers=headers)
    umbrella = {**WALLET, "category": "other", "description": "蓝色折叠雨伞", "contents": []}
    await client.post("/api/v1/found-items", json=umbrella, headers=headers)

    async def refs(query: str) -> list[str]:
        body = (await client.get(f"/api/v1/found-items?{query}", headers=headers)).json()
        return [item["description"] for item in body["items"]]

    assert await refs("q=雨伞") == ["蓝色折叠雨伞"]  # two characters: the short-term path
    assert await refs("q=折叠雨伞") == ["蓝色折叠雨伞"]  # trigram index
    assert await refs("q=黎晓梅") == ["黑色皮质钱包"]  # holder names are searchable
    assert await refs("category=wallet") == ["黑色皮质钱包"]
    assert await refs("q=100%25") == []
    assert await refs("found_from=2025-03-29") == []
    assert len(await refs("found_from=2025-03-28&found_to=2025-03-28")) == 2


async def test_photos_are_uploaded_through_the_api_cleaned_and_refused_when_bad(
    client: httpx.AsyncClient,
) -> None:
    import io

    from PIL import Image

    from lostfound.tables import ItemPhoto

    headers = await _token()
    reference = (await client.post("/api/v1/found-items", json=WALLET, headers=headers)).json()["reference"]
    picture = Image.new("RGB", (1200, 900), (90, 60, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the stored photo must come out upright
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes())
    added = await client.post(
        f"/api/v1/found-items/{reference}/photos", files={"photo": ("w.jpg", buffer.getvalue(), "image/jpeg")},
        headers=headers,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    assert (added.json()["width"], added.json()["height"]) == (900, 1200)
    stored = await client.get(f"/api/v1/found-items/{reference}", headers=headers)
    assert len(stored.json()["photos"]) == 1
    bad = await client.post(
        f"/api/v1/found-items/{reference}/photos", files={"photo": ("x.jpg", b"GIF89a....", "image/jpeg")},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 415 and bad.json()["field"] == "photo"
    assert await ItemPhoto.count() == 1
    missing = await client.post(
        "/api/v1/found-items/DC-1999-000001/photos", files={"photo": ("w.jpg", buffer.getvalue(), "image/jpeg")},
        headers=headers,
    )  # fmt: skip
    assert missing.status_code == 404


async def test_numbers_typed_into_free_text_are_refused(client: httpx.AsyncClient) -> None:
    headers = await _token()
    leaky = {
        **WALLET,
        "description": f"钱包，身份证 {ID_NUMBER}",
        "contents": [{"kind": "other", "note": "纸条：138-1234-5678"}],
    }
    response = await client.post("/api/v1/found-items", json=leaky, headers=headers)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"description", "contents.0.note"}
    assert await FoundItem.count() == 0


async def test_impossible_input_is_a_clear_400_not_a_crash(client: httpx.AsyncClient) -> None:
    headers = await _token()
    cases = [
        {**WALLET, "found_at": "0001-01-01T00:00:00+14:00"},
        {**WALLET, "contents": [{"kind": "bank_card", "card_number": "ABCD", "as_printed": True}]},
        {**WALLET, "contents": [{"kind": "bank_card", "card_number": "1" * 5000, "as_printed": True}]},
        {**WALLET, "contents": [{"kind": "cash", "amount": 1e300}]},
    ]
    for body in cases:
        response = await client.post("/api/v1/found-items", json=body, headers=headers)
        assert response.status_code == 400, (body, response.text)
    assert await FoundItem.count() == 0
